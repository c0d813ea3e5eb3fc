"""Listing decisions pushed by an authority's system over the API: keys checked on every call,
rows through the same due-process checks as files, retries idempotent, the key the actor."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.web.conftest import ACME

from xinyong.registry.apikeys import create_key, revoke
from xinyong.store.db import writing
from xinyong.store.schema import journal

COURT = "court.dishonest_judgment_debtors"
ROW = {
    "subject": ACME,
    "subject_name": "台湾积体电路制造股份有限公司",
    "list": COURT,
    "decision": "(2025)浙0106执77号",
    "authority": "杭州市西湖区人民法院",
    "start": "2025-03-10",
}


def _key(engine: Engine, scopes: list[str]) -> tuple[str, str]:
    with writing(engine) as conn:
        secret, key = create_key(conn, "court", "court system", scopes, "operator:test")
    return secret, key.key_id


def test_pushed_listing_applies_with_the_key_as_actor_and_retries_add_nothing(
    client: TestClient, seeded: Engine
) -> None:
    secret, key_id = _key(seeded, ["listings:write"])
    auth = {"Authorization": f"Bearer {secret}"}
    bad = {**ROW, "decision": "(2025)浙0106执78号", "authority": ""}
    answer = client.post("/api/v1/listings", json={"rows": [ROW, bad]}, headers=auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["rows"], body["accepted"], body["quarantined"]) == (2, 1, 1)
    assert body["rejected"] == [
        {
            "row": 2,
            "reasons": [
                "authority: is required but empty: every listing decision names its authority"
            ],
        }
    ]
    with seeded.connect() as conn:
        actor = conn.execute(
            select(journal.c.actor).where(journal.c.kind == "listing.decided")
        ).scalar_one()
    assert actor == f"apikey:court:{key_id}"
    check = client.get(
        "/api/v1/check", params={"subject": ACME, "measure": "procurement.bar", "on": "2025-03-10"}
    ).json()
    assert check["applies"] is True
    again = client.post("/api/v1/listings", json={"rows": [ROW]}, headers=auth).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_keys_are_checked_on_every_call(client: TestClient, seeded: Engine) -> None:
    assert client.post("/api/v1/listings", json={"rows": [ROW]}).status_code == 401
    wrong = client.post(
        "/api/v1/listings", json={"rows": [ROW]}, headers={"Authorization": "Bearer xy_nope_nope"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    secret, key_id = _key(seeded, ["listings:write"])
    tampered = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    assert (
        client.post(
            "/api/v1/listings",
            json={"rows": [ROW]},
            headers={"Authorization": f"Bearer {tampered}"},
        ).status_code
        == 401
    )
    with writing(seeded) as conn:
        assert revoke(conn, key_id)
    revoked = client.post(
        "/api/v1/listings", json={"rows": [ROW]}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert revoked.status_code == 401
    assert client.post(
        "/api/v1/listings", json={"rows": []}, headers={"Authorization": f"Bearer {secret}"}
    ).status_code in (401, 422)
