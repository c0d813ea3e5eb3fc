"""Defects an independent review found in the due-process workflows, each pinned by the journey
that showed it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.factories import listing
from tests.workflows.conftest import ACME, as_user
from tests.workflows.test_workflow_rules import DOC, enter, row

from xinyong.store import apply
from xinyong.store.schema import journal

PERSON = "11010519491231002X"


def _approved(world: dict[str, Any], **extra: str) -> int:
    (entry,) = enter(world, [row(**extra)])
    answer = world["client"].post(
        f"/api/v1/reviews/{entry['id']}/approve", headers=as_user(world, "bob")
    )
    assert answer.status_code == 200, answer.text
    return int(entry["id"])


def _public_docs(client: TestClient) -> dict[str, Any]:
    return {r["doc_no"]: r for r in client.get(f"/api/v1/subjects/{ACME}").json()["records"]}


def test_a_correction_never_brings_a_repaired_record_back(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    record = _approved(world)
    world["today"].day = dt.date(2026, 6, 1)  # past the 90-day minimum of a general penalty
    applied = client.post(
        "/api/v1/repairs",
        json={"record": record, "commitment": True},
        headers=as_user(world, "acme"),
    ).json()
    granted = client.post(
        f"/api/v1/repairs/{applied['id']}/decision",
        json={"outcome": "granted", "reason": "已履行"},
        headers=as_user(world, "bob"),
    )
    assert granted.status_code == 200, granted.text
    assert DOC not in _public_docs(client)
    (corrected,) = enter(world, [row(**{"罚款金额（万元）": "3"})])
    assert corrected["status"] == "pending"
    assert (
        client.post(f"/api/v1/reviews/{record}/approve", headers=as_user(world, "bob")).status_code
        == 200
    )
    assert DOC not in _public_docs(client)  # corrected, and still repaired


def test_an_old_correction_cannot_overwrite_an_objections_outcome(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    record = _approved(world)
    (stale,) = enter(world, [row(**{"罚款金额（万元）": "5"})])
    objection = client.post(
        "/api/v1/objections",
        json={"record": record, "statement": "金额应为1万元"},
        headers=as_user(world, "acme"),
    ).json()
    upheld = client.post(
        f"/api/v1/objections/{objection['id']}/decision",
        json={"outcome": "upheld", "reason": "核实", "correction": {"罚款金额（万元）": "1"}},
        headers=as_user(world, "bob"),
    )
    assert upheld.status_code == 200, upheld.text
    late = client.post(f"/api/v1/reviews/{stale['id']}/approve", headers=as_user(world, "bob"))
    assert late.status_code == 422
    assert "has changed since this correction was entered" in late.json()["detail"]
    assert _public_docs(client)[DOC]["fields"]["fine_wan"] == "1"


def test_refused_steps_answer_422_not_500(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    record = _approved(world)
    body = {"record": record, "statement": "金额有误"}
    assert (
        client.post("/api/v1/objections", json=body, headers=as_user(world, "acme")).status_code
        == 201
    )
    again = client.post("/api/v1/objections", json=body, headers=as_user(world, "acme"))
    assert again.status_code == 422
    assert "still open" in again.json()["detail"]
    huge = 10**25
    for method, path, payload in (
        ("get", f"/api/v1/objections/{huge}", None),
        ("post", f"/api/v1/reviews/{huge}/approve", None),
        ("post", "/api/v1/objections", {"record": huge, "statement": "x"}),
    ):
        who = "bob" if "reviews" in path else "acme"
        headers = as_user(world, who)
        if method == "get":
            answer = client.get(path, headers=headers)
        else:
            answer = client.post(path, json=payload, headers=headers)
        assert answer.status_code == 422, (path, answer.status_code)


def test_resident_ids_never_reach_the_journal_through_the_portal(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    record = _approved(world)
    client.post(
        "/api/v1/objections",
        json={
            "record": record,
            "statement": f"法定代表人身份证 {PERSON} 已缴款",
            "evidence": [
                {"name": f"{PERSON}.jpg", "content_base64": base64.b64encode(b"img").decode()}
            ],
        },
        headers=as_user(world, "acme"),
    )
    world["today"].day = dt.date(2026, 3, 1)
    client.post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {"shareholders_contributions": f"张三 {PERSON} 100万元"}},
        headers=as_user(world, "acme"),
    )
    with world["engine"].connect() as conn:
        text = "".join(conn.execute(select(journal.c.payload)).scalars())
    assert PERSON not in text
    assert "110105********002X" in text
    public = client.get(f"/api/v1/subjects/{ACME}").text
    assert PERSON not in public


def test_evidence_is_downloaded_by_who_may_see_the_case_and_nobody_else(
    world: dict[str, Any],
) -> None:
    from xinyong.accounts import add_user, issue_token
    from xinyong.store.db import writing

    client: TestClient = world["client"]
    record = _approved(world)
    content = "缴款凭证".encode()
    client.post(
        "/api/v1/objections",
        json={
            "record": record,
            "statement": "已缴款",
            "evidence": [
                {
                    "name": "收据.txt",
                    "content_base64": base64.b64encode(content).decode(),
                    "media_type": "text/plain",
                }
            ],
        },
        headers=as_user(world, "acme"),
    )
    digest = hashlib.sha256(content).hexdigest()
    path = f"/api/v1/evidence/{digest}"
    for who in ("acme", "bob", "dave"):
        got = client.get(path, headers=as_user(world, who))
        assert got.status_code == 200, who
        assert got.content == content
        assert got.headers["content-disposition"].startswith("attachment")
        assert got.headers["x-content-type-options"] == "nosniff"
    with writing(world["engine"]) as conn:
        other = issue_token(
            conn, add_user(conn, "tax-rev", "reviewer", created_by="t", agency="tax")
        )
    assert client.get(path, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get(path).status_code == 401
    assert (
        client.get("/api/v1/evidence/" + "0" * 64, headers=as_user(world, "acme")).status_code
        == 404
    )


def test_the_check_api_says_when_the_listing_behind_a_measure_is_under_objection(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    apply(
        world["engine"],
        [
            listing(
                ACME,
                "杭人社失信〔2026〕9号",
                list_code="mohrss.wage_arrears",
                source="samr",
                authority="杭州市人力资源和社会保障局",
                start="2026-02-01",
                planned_end="2029-01-31",
            )
        ],
        actor="test",
    )
    params = {"subject": ACME, "measure": "procurement.bar", "on": "2026-02-10"}
    before = client.get("/api/v1/check", params=params).json()
    assert (before["applies"], before["under_objection"]) == (True, False)
    listing_id = before["because"][0]["listing"]["listing_id"]
    filed = client.post(
        "/api/v1/objections",
        json={"listing": listing_id, "statement": "工资已付清"},
        headers=as_user(world, "acme"),
    )
    assert filed.status_code == 201, filed.text
    after = client.get("/api/v1/check", params=params).json()
    assert (after["applies"], after["under_objection"]) == (True, True)
    measures = client.get(f"/api/v1/subjects/{ACME}/measures", params={"on": "2026-02-10"}).json()
    assert [lst["under_objection"] for lst in measures["listings"]] == [True]


def test_known_at_is_no_way_back_to_a_repaired_record(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    record = _approved(world)
    before = client.get(f"/api/v1/subjects/{ACME}").json()["known_at"]
    assert DOC in _public_docs(client)
    world["today"].day = dt.date(2026, 6, 1)
    applied = client.post(
        "/api/v1/repairs",
        json={"record": record, "commitment": True},
        headers=as_user(world, "acme"),
    ).json()
    client.post(
        f"/api/v1/repairs/{applied['id']}/decision",
        json={"outcome": "granted", "reason": "已履行"},
        headers=as_user(world, "bob"),
    )
    past = client.get(f"/api/v1/subjects/{ACME}", params={"known_at": before}).json()
    assert DOC not in {r["doc_no"] for r in past["records"]}


def test_a_listing_withdrawn_on_objection_leaves_the_public_log(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    apply(
        world["engine"],
        [
            listing(
                ACME,
                "杭人社失信〔2026〕11号",
                list_code="mohrss.wage_arrears",
                source="samr",
                authority="杭州市人力资源和社会保障局",
                start="2026-02-01",
                planned_end="2029-01-31",
            )
        ],
        actor="test",
    )
    params = {"subject": ACME, "measure": "procurement.bar", "on": "2026-02-10"}
    listing_id = client.get("/api/v1/check", params=params).json()["because"][0]["listing"][
        "listing_id"
    ]
    assert client.get(f"/api/v1/ledger/entries/{listing_id}").json()["public"] is True
    objection = client.post(
        "/api/v1/objections",
        json={"listing": listing_id, "statement": "工资已付清"},
        headers=as_user(world, "acme"),
    ).json()
    decided = client.post(
        f"/api/v1/objections/{objection['id']}/decision",
        json={"outcome": "upheld", "reason": "核实已付清"},
        headers=as_user(world, "bob"),
    )
    assert decided.status_code == 200, decided.text
    shown = client.get(f"/api/v1/ledger/entries/{listing_id}").json()
    assert shown["public"] is False
    assert "objection" in shown["withheld"]
