"""The point-of-decision check and a subject's measures over HTTP, as an agency system calls
them: exact shape, dates at the edges, errors as problems, and feedback recorded."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.factories import listing
from tests.web.conftest import ACME

from xinyong.store import apply
from xinyong.store.schema import check_log

COURT = "court.dishonest_judgment_debtors"


def _list(engine: Engine) -> None:
    apply(
        engine,
        [
            listing(
                ACME,
                "(2025)浙0106执1号",
                party_name="台湾积体电路制造股份有限公司",
                basis=("(2024)浙0106民初5号",),
            )
        ],
        actor="test",
    )


def test_check_answers_the_documented_shape_from_the_start_date(
    client: TestClient, seeded: Engine
) -> None:
    _list(seeded)
    before = client.get(
        "/api/v1/check",
        params={"subject": ACME, "measure": "procurement.bar", "on": "2025-03-09"},
    )
    assert before.status_code == 200
    body = before.json()
    assert set(body) >= {
        "subject",
        "measure",
        "on",
        "applies",
        "targets",
        "because",
        "checked_at",
        "journal_seq",
    }
    assert (body["subject"], body["measure"], body["on"], body["applies"]) == (
        ACME,
        "procurement.bar",
        "2025-03-09",
        False,
    )
    on = client.get(
        "/api/v1/check",
        params={"subject": ACME.lower(), "measure": "procurement.bar", "on": "2025-03-10"},
        headers={"X-Agency": "ccgp.zhejiang"},
    ).json()
    assert on["applies"] is True
    assert on["because"][0]["listing"]["decision"] == "(2025)浙0106执1号"
    assert on["targets"][0] == {
        "role": "subject",
        "code": ACME,
        "name": "台湾积体电路制造股份有限公司(台积电)",
    }
    client.app.state.xinyong.check_log.flush()  # type: ignore[attr-defined]
    with seeded.connect() as conn:
        logged = conn.execute(select(check_log).order_by(check_log.c.id)).all()
    assert [(r.asked_by, r.measure_code, r.applies) for r in logged][-1] == (
        "ccgp.zhejiang",
        "procurement.bar",
        True,
    )
    assert len(logged) == 2


def test_check_errors_are_problems(client: TestClient) -> None:
    unknown = client.get("/api/v1/check", params={"subject": ACME, "measure": "no.such"})
    assert unknown.status_code == 422
    assert "'no.such' is not a measure of the catalogue" in unknown.json()["errors"][0]
    missing = client.get(
        "/api/v1/check",
        params={"subject": "91110000MA01ABCD2X"[:-1] + "0", "measure": "procurement.bar"},
    )
    assert missing.status_code in (404, 422)
    bad_date = client.get(
        "/api/v1/check", params={"subject": ACME, "measure": "procurement.bar", "on": "2025-13-01"}
    )
    assert bad_date.status_code == 422


def test_subject_measures_lists_every_measure_with_chains_and_flags(
    client: TestClient, seeded: Engine
) -> None:
    _list(seeded)
    body = client.get(f"/api/v1/subjects/{ACME}/measures", params={"on": "2025-06-01"}).json()
    assert body["blacklisted"] is True
    assert [x["list"] for x in body["listings"]] == [COURT]
    codes = {m["measure"] for m in body["measures"]}
    assert {"procurement.bar", "consumption.flights"} <= codes
    assert all(m["because"] for m in body["measures"])
    assert body["flags"]["pile_on"]["measures"] == len(
        [m for m in body["measures"] if m["kind"] == "punishment"]
    )
    assert body["flags"]["double_jeopardy"] == []
    empty = client.get(f"/api/v1/subjects/{ACME}/measures", params={"on": "2025-03-09"}).json()
    assert empty["measures"] == [] and empty["blacklisted"] is False


def test_subject_page_shows_lists_measures_and_how_to_get_off(
    client: TestClient, seeded: Engine
) -> None:
    _list(seeded)
    page = client.get(f"/subjects/{ACME}", params={"as_of": "2025-06-01", "lang": "en"})
    assert page.status_code == 200
    assert "(2025)浙0106执1号" in page.text and "How to get off" in page.text
    assert 'href="/catalogue/lists/court.dishonest_judgment_debtors"' in page.text
    before = client.get(f"/subjects/{ACME}", params={"as_of": "2025-03-09"})
    assert "(2025)浙0106执1号" not in before.text
