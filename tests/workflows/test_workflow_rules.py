"""The rules of each due-process step, through the HTTP API: what an entry becomes, who may
decide, deadlines that leave the holiday calendar, escalation, annual reports, the notice before
listing, and notices reaching the subject's mailbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.workflows.conftest import ACME, as_user
from tests.workflows.test_mail import Inbox, start

from xinyong.catalogue import load_catalogue
from xinyong.registry.apikeys import create_key
from xinyong.registry.derive import run_derivation
from xinyong.store import apply
from xinyong.store.changes import ChangeRejected
from xinyong.store.db import writing
from xinyong.store.schema import agencies, journal, quarantine, records
from xinyong.workflows.deadlines import escalate

DOC = "杭市监罚〔2026〕21号"


def row(doc_no: str = DOC, **extra: str) -> dict[str, str]:
    return {
        "行政相对人名称": "杭州某某科技有限公司",
        "统一社会信用代码": ACME,
        "行政处罚决定书文号": doc_no,
        "处罚类别": "罚款",
        "罚款金额（万元）": "2",
        "处罚决定日期": "2026-02-09",
        "处罚机关": "杭州市市场监督管理局",
        **extra,
    }


def enter(world: dict[str, Any], rows: list[dict[str, str]], who: str = "alice") -> list[Any]:
    client: TestClient = world["client"]
    answer = client.post(
        "/api/v1/records", json={"kind": "penalty", "rows": rows}, headers=as_user(world, who)
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def test_a_bad_row_is_quarantined_with_every_reason_and_kept(world: dict[str, Any]) -> None:
    bad = row(**{"罚款金额（万元）": "两万", "处罚决定日期": "2026-13-45"})
    (result,) = enter(world, [bad])
    assert result["status"] == "quarantined"
    assert len(result["reasons"]) == 2
    assert any("罚款金额（万元）" in r for r in result["reasons"])
    assert any("处罚决定日期" in r for r in result["reasons"])
    with world["engine"].connect() as conn:
        kept = conn.execute(select(quarantine).where(quarantine.c.id == result["id"])).one()
    assert (kept.source, kept.kind, kept.row, kept.status) == ("samr", "penalty", 1, "open")


def test_unknown_fields_are_named(world: dict[str, Any]) -> None:
    (result,) = enter(world, [row(处罚颜色="红")])
    assert result["status"] == "quarantined"
    assert result["reasons"] == ["处罚颜色: not a field of penalty records"]


def test_a_changed_row_is_a_pending_correction_under_the_same_id(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    (first,) = enter(world, [row()])
    assert (
        client.post(
            f"/api/v1/reviews/{first['id']}/approve", headers=as_user(world, "bob")
        ).status_code
        == 200
    )
    (again,) = enter(world, [row()])
    assert (again["status"], again["id"]) == ("duplicate", first["id"])
    (changed,) = enter(world, [row(**{"罚款金额（万元）": "4"})])
    assert (changed["status"], changed["id"]) == ("pending", first["id"])
    public = client.get(f"/api/v1/subjects/{ACME}").json()["records"]
    assert [r["fields"]["fine_wan"] for r in public if r["doc_no"] == DOC] == ["2"]
    # A second correction cannot be queued while one waits.
    (second,) = enter(world, [row(**{"罚款金额（万元）": "5"})])
    assert second["status"] == "quarantined"
    assert "already waits for review" in second["reasons"][0]
    rejected = client.post(
        f"/api/v1/reviews/{first['id']}/reject",
        json={"reason": "金额与决定书不符"},
        headers=as_user(world, "bob"),
    )
    assert rejected.status_code == 200
    assert rejected.json() == {
        "id": first["id"],
        "status": "rejected",
        "reason": "金额与决定书不符",
    }
    public = client.get(f"/api/v1/subjects/{ACME}").json()["records"]
    assert [r["fields"]["fine_wan"] for r in public if r["doc_no"] == DOC] == ["2"]
    twice = client.post(f"/api/v1/reviews/{first['id']}/approve", headers=as_user(world, "bob"))
    assert twice.status_code == 422
    assert twice.json()["detail"] == f"entry {first['id']} is already rejected"


def test_reviewers_of_another_agency_may_not_decide(world: dict[str, Any]) -> None:
    from xinyong.accounts import add_user, issue_token

    with writing(world["engine"]) as conn:
        other = issue_token(conn, add_user(conn, "erin", "reviewer", created_by="t", agency="tax"))
    (entry,) = enter(world, [row()])
    answer = world["client"].post(
        f"/api/v1/reviews/{entry['id']}/approve", headers={"Authorization": f"Bearer {other}"}
    )
    assert answer.status_code == 404  # another agency's queue is not theirs to see


def test_an_agency_system_enters_with_a_scoped_key_and_a_new_agency_is_registered(
    world: dict[str, Any],
) -> None:
    from xinyong.accounts import add_user, issue_token

    engine: Engine = world["engine"]
    with writing(engine) as conn:
        secret, _ = create_key(conn, "samr.xh", "西湖区系统", ["records:write"], "t")
        unscoped, _ = create_key(conn, "samr.xh", "西湖区系统", ["listings:write"], "t")
        reviewer = issue_token(
            conn, add_user(conn, "frank", "reviewer", created_by="t", agency="samr.xh")
        )
    client: TestClient = world["client"]
    body = {"kind": "penalty", "rows": [row()]}
    refused = client.post(
        "/api/v1/records", json=body, headers={"Authorization": f"Bearer {unscoped}"}
    )
    assert refused.status_code == 403
    answer = client.post(
        "/api/v1/records", json=body, headers={"Authorization": f"Bearer {secret}"}
    )
    (entry,) = answer.json()["results"]
    assert entry["status"] == "pending"
    approved = client.post(
        f"/api/v1/reviews/{entry['id']}/approve", headers={"Authorization": f"Bearer {reviewer}"}
    )
    assert approved.status_code == 200, approved.text
    with engine.connect() as conn:
        assert conn.execute(select(agencies.c.code).where(agencies.c.code == "samr.xh")).first()
        author = conn.execute(
            select(journal.c.actor).where(journal.c.kind == "entry.submitted")
        ).scalar_one()
    assert author.startswith("apikey:samr.xh:")


def test_a_deadline_beyond_the_holiday_data_is_flagged(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    (entry,) = enter(world, [row()])
    client.post(f"/api/v1/reviews/{entry['id']}/approve", headers=as_user(world, "bob"))
    world["today"].day = dt.date(2026, 12, 28)
    objected = client.post(
        "/api/v1/objections",
        json={"record": entry["id"], "statement": "金额有误"},
        headers=as_user(world, "acme"),
    ).json()
    # Mon 28 Dec 2026: 29, 30, 31, then 2027 counted Monday-Friday only: 1, 4, 5, 6, 7, 8, 11.
    assert objected["due"] == "2027-01-11"
    assert objected["due_warning"] is not None
    assert "2027" in objected["due_warning"] and "2004–2026" in objected["due_warning"]


def test_overdue_objections_are_escalated_once_and_shown_to_the_auditor(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    (entry,) = enter(world, [row()])
    client.post(f"/api/v1/reviews/{entry['id']}/approve", headers=as_user(world, "bob"))
    objection = client.post(
        "/api/v1/objections",
        json={"record": entry["id"], "statement": "金额有误"},
        headers=as_user(world, "acme"),
    ).json()
    assert objection["due"] == "2026-03-02"
    engine: Engine = world["engine"]
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 3, 2), "operator:test")["objections"] == 0
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 3, 3), "operator:test")["objections"] == 1
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 3, 4), "operator:test")["objections"] == 0
    world["today"].day = dt.date(2026, 3, 5)
    board = client.get("/api/v1/dashboard", headers=as_user(world, "dave")).json()
    assert board["overdue"] == [
        {
            "case": "objection",
            "id": objection["id"],
            "agency": "samr",
            "target": "record",
            "record": entry["id"],
            "filed_on": "2026-02-10",
            "due": "2026-03-02",
            "days_late": 3,
            "escalated_on": "2026-03-03",
        }
    ]
    got = client.get(f"/api/v1/objections/{objection['id']}", headers=as_user(world, "acme"))
    assert got.json()["escalated_on"] == "2026-03-03"
    topics = [
        n["topic"]
        for n in client.get("/api/v1/notices", headers=as_user(world, "acme")).json()["results"]
    ]
    assert topics.count("objection.overdue") == 1
    # Nobody else's objection is visible to the subject; the auditor sees it; public may not.
    assert client.get(f"/api/v1/objections/{objection['id']}").status_code == 401


def test_annual_reports_are_filed_for_past_years_and_marked_late(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    world["today"].day = dt.date(2026, 3, 1)
    report = {"address": "杭州市西湖区文三路1号", "employees": "35", "email": "info@acme.cn"}
    filed = client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": report},
        headers=as_user(world, "acme"),
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["late"] is False and filed.json()["status"] == "filed"
    early = client.post(
        "/api/v1/annual-reports",
        json={"year": 2026, "report": report},
        headers=as_user(world, "acme"),
    )
    assert early.status_code == 422
    assert early.json()["errors"] == ["year: the 2026 report can be filed from 2027-01-01"]
    unknown = client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {"religion": "x"}},
        headers=as_user(world, "acme"),
    )
    assert unknown.json()["errors"] == ["religion: not part of an annual report"]
    world["today"].day = dt.date(2026, 7, 2)
    amended = client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {**report, "employees": "36"}},
        headers=as_user(world, "acme"),
    ).json()
    assert (amended["status"], amended["late"], amended["id"]) == (
        "amended",
        True,
        filed.json()["id"],
    )
    officer = client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": report},
        headers=as_user(world, "alice"),
    )
    assert officer.status_code == 403
    with world["engine"].connect() as conn:
        live = conn.execute(
            select(records).where(
                records.c.kind == "annual_report", records.c.superseded_seq.is_(None)
            )
        ).one()
    assert (live.source, live.record_id) == ("necips", filed.json()["id"])


def test_a_missing_annual_report_is_noticed_before_the_listing(world: dict[str, Any]) -> None:
    from tests.factories import subject

    engine: Engine = world["engine"]
    other = "91330106MA27Y0QK3G"
    apply(
        engine,
        [subject(other, "杭州另一家科技有限公司", registered_on="2020-05-01", status="active")],
        actor="test",
    )
    client: TestClient = world["client"]
    world["today"].day = dt.date(2026, 3, 1)
    client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {}},
        headers=as_user(world, "acme"),
    )  # the registry now holds 2025 reports: a year it can judge
    catalogue = load_catalogue()
    run_derivation(engine, catalogue, dt.date(2026, 7, 1), actor="registry")
    run_derivation(engine, catalogue, dt.date(2026, 7, 2), actor="registry")
    with engine.connect() as conn:
        from xinyong.store.schema import notices

        sent = conn.execute(select(notices).where(notices.c.subject_key == other)).all()
    assert [n.topic for n in sent] == ["listing.notice"]
    body = sent[0].body
    assert "samr.abnormal_operations" in body and "Legal basis" in body
    assert "object before 2026-07-1" in body  # the notice period: rights before it takes effect


def test_notices_reach_the_subjects_mailbox(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Inbox()
    controller, port = start(inbox)
    try:
        monkeypatch.setenv("XINYONG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("XINYONG_SMTP_PORT", str(port))
        monkeypatch.setenv("XINYONG_SMTP_FROM", "registry@xinyong.example")
        client: TestClient = world["client"]
        (entry,) = enter(world, [row()])
        client.post(f"/api/v1/reviews/{entry['id']}/approve", headers=as_user(world, "bob"))
        answer = client.post(
            "/api/v1/objections",
            json={"record": entry["id"], "statement": "金额有误"},
            headers=as_user(world, "acme"),
        )
        assert answer.status_code == 201
    finally:
        controller.stop()
    (mail,) = inbox.messages
    assert mail.rcpt_tos == ["legal@acme.example"]
    assert "Objection received" in str(mail.message["Subject"])
    assert "2026-03-02" in mail.message.get_content()


def test_change_payloads_refuse_nonsense() -> None:
    from xinyong.store.changes import parse_payload

    with pytest.raises(ChangeRejected) as exc:
        parse_payload(
            "objection.decided", {"id": 1, "outcome": "maybe", "reason": "", "on": "x", "by": "u"}
        )
    assert len(exc.value.reasons) == 3


def test_an_annual_report_due_is_reminded_once_within_30_days(world: dict[str, Any]) -> None:
    engine: Engine = world["engine"]
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 5, 30), "operator:test")["reminders"] == 0  # 31 days
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 5, 31), "operator:test")["reminders"] == 1
    with writing(engine) as conn:
        assert escalate(conn, dt.date(2026, 6, 15), "operator:test")["reminders"] == 0  # told
    notices = world["client"].get("/api/v1/notices", headers=as_user(world, "acme")).json()
    due = [n for n in notices["results"] if n["topic"] == "annual_report.due"]
    assert len(due) == 1 and "2026-06-30" in due[0]["body"]
