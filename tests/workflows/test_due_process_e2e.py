"""The issue's end-to-end journey through the HTTP API, on SQLite and PostgreSQL: four eyes on
entry, an objection shown at once and upheld with a correction, repair refused before the
minimum publicity period with the earliest date, granted after it, and the journal holding
every step with its actor."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import listing
from tests.support.people import Day
from tests.workflows.conftest import ACME, as_user

from xinyong.accounts import set_role
from xinyong.catalogue import load_catalogue
from xinyong.registry.recompute import recompute
from xinyong.store import apply, make_engine, upgrade
from xinyong.store.db import writing
from xinyong.store.journal import parse_json
from xinyong.store.replay import replay, snapshot
from xinyong.store.schema import journal, subject_state

FIRST = "杭市监罚〔2026〕7号"
SECOND = "杭市监罚〔2026〕8号"


def _row(doc_no: str, fine: str, violation: str) -> dict[str, str]:
    return {
        "行政相对人名称": "杭州某某科技有限公司",
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": ACME,
        "行政处罚决定书文号": doc_no,
        "违法行为类型": violation,
        "处罚依据": "《中华人民共和国广告法》第五十五条",
        "处罚类别": "罚款",
        "处罚内容": f"罚款{fine}万元",
        "罚款金额（万元）": fine,
        "处罚决定日期": "2026-02-09",
        "处罚机关": "杭州市市场监督管理局",
    }


def _materialised(engine: Any) -> list[str]:
    with engine.connect() as conn:
        row = conn.execute(
            select(subject_state.c.lists).where(subject_state.c.subject_key == ACME)
        ).first()
    return [] if row is None else list(parse_json(row.lists))


def _public_records(client: TestClient) -> dict[str, dict[str, Any]]:
    body = client.get(f"/api/v1/subjects/{ACME}").json()
    return {r["doc_no"]: r for r in body["records"]}


def test_the_whole_journey(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    today: Day = world["today"]

    # An officer enters a penalty: pending, invisible publicly.
    entered = client.post(
        "/api/v1/records",
        json={"kind": "penalty", "rows": [_row(FIRST, "3", "虚假广告")]},
        headers=as_user(world, "alice"),
    )
    assert entered.status_code == 200, entered.text
    (result,) = entered.json()["results"]
    assert result["status"] == "pending" and result["reasons"] == []
    first_id = result["id"]
    assert FIRST not in _public_records(client)

    # The officer cannot approve their own entry — not as an officer, and not after becoming a
    # reviewer either.
    own = client.post(f"/api/v1/reviews/{first_id}/approve", headers=as_user(world, "alice"))
    assert own.status_code == 403
    with writing(world["engine"]) as conn:
        set_role(conn, "alice", "reviewer", by="test")
    own = client.post(f"/api/v1/reviews/{first_id}/approve", headers=as_user(world, "alice"))
    assert own.status_code == 403
    assert "entered by you" in own.json()["detail"]
    with writing(world["engine"]) as conn:
        set_role(conn, "alice", "officer", by="test")

    # A second reviewer approves: now it is public, under the id the officer was given.
    approved = client.post(f"/api/v1/reviews/{first_id}/approve", headers=as_user(world, "bob"))
    assert approved.status_code == 200, approved.text
    public = _public_records(client)
    assert public[FIRST]["id"] == first_id
    assert public[FIRST]["fields"]["fine_wan"] == "3"
    assert public[FIRST]["under_objection"] is False

    # The subject objects, with evidence: every public view says "under objection" at once.
    receipt = "缴款凭证 2026-02-10".encode()
    objected = client.post(
        "/api/v1/objections",
        json={
            "record": first_id,
            "statement": "罚款金额应为1.5万元，决定书有误。",
            "evidence": [
                {"name": "receipt.txt", "content_base64": base64.b64encode(receipt).decode()}
            ],
        },
        headers=as_user(world, "acme"),
    )
    assert objected.status_code == 201, objected.text
    objection = objected.json()
    # 10 working days after Tue 10 Feb 2026: 11, 12, 13, Sat 14 (make-up day), then the Spring
    # Festival holiday 15-23 Feb, 24, 25, 26, 27, Sat 28 (make-up day), Mon 2 Mar.
    assert (objection["status"], objection["due"]) == ("open", "2026-03-02")
    assert _public_records(client)[FIRST]["under_objection"] is True
    report = client.get(f"/api/v1/subjects/{ACME}/report").json()
    assert [r["under_objection"] for r in report["records"] if r["doc_no"] == FIRST] == [True]
    page = client.get(f"/subjects/{ACME}/report", headers={"Accept-Language": "en"})
    assert "under objection" in page.text

    # The officer who entered it cannot decide the objection; the reviewer upholds it.
    decision = {
        "outcome": "upheld",
        "reason": "决定书金额录入错误，已核实。",
        "correction": {"罚款金额（万元）": "1.5"},
    }
    refused = client.post(
        f"/api/v1/objections/{objection['id']}/decision",
        json=decision,
        headers=as_user(world, "alice"),
    )
    assert refused.status_code == 403
    decided = client.post(
        f"/api/v1/objections/{objection['id']}/decision",
        json=decision,
        headers=as_user(world, "bob"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "upheld"
    public = _public_records(client)
    assert public[FIRST]["fields"]["fine_wan"] == "1.5"
    assert public[FIRST]["under_objection"] is False
    assert public[FIRST]["id"] == first_id  # stable through the correction

    # A second penalty, on which the wage-arrears list rests (its measures bar procurement).
    second = client.post(
        "/api/v1/records",
        json={"kind": "penalty", "rows": [_row(SECOND, "5", "拖欠工资")]},
        headers=as_user(world, "alice"),
    ).json()["results"][0]
    assert (
        client.post(
            f"/api/v1/reviews/{second['id']}/approve", headers=as_user(world, "bob")
        ).status_code
        == 200
    )
    apply(
        world["engine"],
        [
            listing(
                ACME,
                "杭人社失信〔2026〕3号",
                list_code="mohrss.wage_arrears",
                source="mohrss",
                authority="杭州市人力资源和社会保障局",
                start="2026-02-12",
                planned_end="2029-02-11",
                basis=(SECOND,),
            )
        ],
        actor="test",
    )
    check = {"subject": ACME, "measure": "procurement.bar", "on": "2026-04-01"}
    assert client.get("/api/v1/check", params=check).json()["applies"] is True

    # Repair before the minimum publicity period (general: 90 days): told the earliest date.
    today.day = dt.date(2026, 4, 1)
    eligibility = client.get(
        f"/api/v1/subjects/{ACME}/repair-eligibility", headers=as_user(world, "acme")
    ).json()["results"]
    mine = [e for e in eligibility if e.get("record") == second["id"]]
    assert mine == [
        {
            "record": second["id"],
            "target": "record",
            "kind": "penalty",
            "doc_no": SECOND,
            "eligible": False,
            "earliest": "2026-05-10",
            "blockers": ["the minimum publicity period ends on 2026-05-10"],
        }
    ]
    early = client.post(
        "/api/v1/repairs",
        json={"record": second["id"], "commitment": True, "evidence": []},
        headers=as_user(world, "acme"),
    )
    assert early.status_code == 422
    assert "earliest: 2026-05-10" in early.json()["errors"]

    # After it: applied, granted; the record leaves public views and the measure is lifted.
    today.day = dt.date(2026, 5, 11)
    recompute(world["engine"], load_catalogue(), today.day)  # the nightly materialised states
    assert _materialised(world["engine"]) == ["mohrss.wage_arrears"]
    applied = client.post(
        "/api/v1/repairs",
        json={"record": second["id"], "commitment": True, "evidence": []},
        headers=as_user(world, "acme"),
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["status"] == "pending"
    granted = client.post(
        f"/api/v1/repairs/{applied.json()['id']}/decision",
        json={"outcome": "granted", "reason": "已履行处罚并作出信用承诺。"},
        headers=as_user(world, "bob"),
    )
    assert granted.status_code == 200, granted.text
    assert SECOND not in _public_records(client)
    assert FIRST in _public_records(client)
    check["on"] = "2026-05-12"
    assert client.get("/api/v1/check", params=check).json()["applies"] is False
    assert _materialised(world["engine"]) == []  # re-evaluated at once, not at the next run

    # The journal holds every step with its actor; evidence by its SHA-256.
    with world["engine"].connect() as conn:
        steps = [
            (r.kind, r.actor, parse_json(r.payload))
            for r in conn.execute(select(journal).order_by(journal.c.seq))
            if r.actor != "test"
        ]
    kinds = [(kind, actor) for kind, actor, _ in steps]
    for step in (
        ("entry.submitted", "user:alice"),
        ("entry.approved", "user:bob"),
        ("record.added", "user:bob"),
        ("objection.filed", "user:acme"),
        ("objection.decided", "user:bob"),
        ("record.corrected", "user:bob"),
        ("repair.applied", "user:acme"),
        ("repair.decided", "user:bob"),
        ("record.repaired", "user:bob"),
        ("listing.removed", "user:bob"),
        ("notice.sent", "user:acme"),
    ):
        assert step in kinds, step
    filed = next(p for kind, _, p in steps if kind == "objection.filed")
    assert filed["evidence"][0]["sha256"] == hashlib.sha256(receipt).hexdigest()

    # The subject got its notices; the auditor sees per-officer activity.
    notices = client.get("/api/v1/notices", headers=as_user(world, "acme")).json()["results"]
    assert {n["topic"] for n in notices} >= {
        "objection.received",
        "objection.answered",
        "repair.received",
        "repair.decided",
    }
    # Replaying the journal into an empty registry rebuilds every table, workflow cases included.
    scratch = make_engine(f"sqlite:///{world['tmp'] / 'replayed.db'}")
    upgrade(scratch)
    replay(world["engine"], scratch)
    with world["engine"].connect() as live, scratch.connect() as rebuilt:
        assert snapshot(rebuilt) == snapshot(live)
    scratch.dispose()

    board = client.get("/api/v1/dashboard", headers=as_user(world, "dave")).json()
    assert {
        "actor": "user:alice",
        "agency": "samr",
        "entered": 2,
        "pending": 0,
        "approved": 2,
        "rejected": 0,
    } in board["officers"]
    assert board["objections_by_agency"] == [
        {"agency": "samr", "objections": 1, "upheld": 1, "rejected": 0, "open": 0}
    ]
