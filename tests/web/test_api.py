"""The subject API: shapes, problems, time travel, search across scripts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.factories import record
from tests.web.conftest import ACME, OTHER, PERSON_ID

from xinyong.store import apply


def _problem(resp: object) -> dict[str, object]:
    assert resp.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = resp.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "errors"} <= body.keys()
    return body


def test_subject_with_records_in_force(client: TestClient) -> None:
    resp = client.get(f"/api/v1/subjects/{ACME}", params={"as_of": "2024-06-01"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["code"] == ACME and body["name"] == "台湾积体电路制造股份有限公司(台积电)"
    assert [r["doc_no"] for r in body["records"]] == ["杭市监罚〔2024〕1号"]
    assert body["records"][0]["fields"]["fine_wan"] == "2.5"
    assert body["as_of"] == "2024-06-01"


def test_as_of_selects_what_was_in_force_then(client: TestClient) -> None:
    body = client.get(f"/api/v1/subjects/{ACME}", params={"as_of": "2020-04-01"}).json()
    assert [r["doc_no"] for r in body["records"]] == ["杭市监罚〔2020〕9号"]


def test_code_in_lower_case_with_spaces_is_accepted(client: TestClient) -> None:
    messy = " ".join([ACME[:6].lower(), ACME[6:12], ACME[12:]])
    assert client.get(f"/api/v1/subjects/{messy}").json()["code"] == ACME


def test_malformed_code_is_422_problem_naming_the_check_character(client: TestClient) -> None:
    wrong = ACME[:-1] + ("0" if ACME[-1] != "0" else "1")
    resp = client.get(f"/api/v1/subjects/{wrong}")
    assert resp.status_code == 422
    body = _problem(resp)
    assert any(f"check character should be '{ACME[-1]}'" in e for e in body["errors"])  # type: ignore[attr-defined]


def test_short_code_lists_its_length(client: TestClient) -> None:
    resp = client.get("/api/v1/subjects/91330106")
    assert resp.status_code == 422
    assert any("length" in e for e in _problem(resp)["errors"])  # type: ignore[attr-defined]


def test_unknown_well_formed_code_is_404_problem(client: TestClient) -> None:
    from tests.factories import make_uscc

    resp = client.get(f"/api/v1/subjects/{make_uscc('12345678')}")
    assert resp.status_code == 404
    assert _problem(resp)["status"] == 404


def test_search_by_traditional_name_finds_simplified(client: TestClient) -> None:
    resp = client.get("/api/v1/subjects", params={"q": "臺灣積體電路製造股份有限公司（台積電）"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 1 and body["next"] is None
    hit = body["results"][0]
    assert {"code", "name", "kind", "status"} <= hit.keys()
    assert hit["code"] == ACME and hit["kind"] == "organisation"


def test_search_two_characters_and_by_code(client: TestClient) -> None:
    codes = {
        r["code"] for r in client.get("/api/v1/subjects", params={"q": "锦泰"}).json()["results"]
    }
    assert codes == {OTHER}
    by_code = client.get("/api/v1/subjects", params={"q": OTHER.lower()}).json()
    assert [r["code"] for r in by_code["results"]] == [OTHER]


def test_search_pages_with_opaque_next_token(client: TestClient) -> None:
    first = client.get("/api/v1/subjects", params={"q": "公司", "limit": 1}).json()
    assert first["total"] == 2 and len(first["results"]) == 1 and first["next"]
    second = client.get(
        "/api/v1/subjects", params={"q": "公司", "limit": 1, "next": first["next"]}
    ).json()
    assert second["next"] is None
    assert {first["results"][0]["code"], second["results"][0]["code"]} == {ACME, OTHER}
    bad = client.get("/api/v1/subjects", params={"q": "公司", "next": "garbage!"})
    assert bad.status_code == 422 and _problem(bad)["errors"]


def test_missing_query_is_a_problem_document(client: TestClient) -> None:
    resp = client.get("/api/v1/subjects")
    assert resp.status_code == 422
    assert any(e.startswith("q") for e in _problem(resp)["errors"])  # type: ignore[attr-defined]


def test_healthz_reports_journal_position(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["journal_seq"] == 6


def test_html_pages_render_search_and_subject(client: TestClient) -> None:
    page = client.get("/", params={"q": "臺灣積體電路"})
    assert page.status_code == 200 and f"/subjects/{ACME}" in page.text
    subject_page = client.get(f"/subjects/{ACME}", params={"as_of": "2024-06-01"})
    assert subject_page.status_code == 200 and "杭市监罚〔2024〕1号" in subject_page.text
    missing = client.get("/subjects/not-a-code")
    assert missing.status_code == 422 and "text/html" in missing.headers["content-type"]


def test_a_person_is_found_by_resident_id_and_shown_masked(client: TestClient) -> None:
    body = client.get(f"/api/v1/subjects/{PERSON_ID}").json()
    assert body["code"] == "110105********002X" and body["kind"] == "person"
    hits = client.get("/api/v1/subjects", params={"q": PERSON_ID.lower()}).json()["results"]
    assert [h["code"] for h in hits] == ["110105********002X"]
    assert PERSON_ID not in client.get(f"/api/v1/subjects/{PERSON_ID}").text


def test_problem_documents_never_echo_a_resident_id(client: TestClient) -> None:
    unknown = "110105194912310021"  # valid, not in the registry
    wrong = PERSON_ID[:-1] + "1"  # bad check character
    for code in (unknown, wrong):
        resp = client.get(f"/api/v1/subjects/{code}")
        assert resp.status_code in (404, 422)
        assert code not in resp.text and code[6:14] not in resp.text
        assert "110105********" in resp.text


def test_known_at_answers_as_the_registry_stood(client: TestClient, seeded: object) -> None:
    before = client.get(f"/api/v1/subjects/{ACME}", params={"as_of": "2024-06-01"}).json()
    apply(
        seeded,
        [
            record(
                ACME,
                "杭市监罚〔2024〕1号",
                decision="2024-03-01",
                until="2027-03-01",
                corrected="fine mistyped",
                fine_wan="25",
            )
        ],
        actor="test",
    )  # type: ignore[arg-type]
    now = client.get(f"/api/v1/subjects/{ACME}", params={"as_of": "2024-06-01"}).json()
    then = client.get(
        f"/api/v1/subjects/{ACME}", params={"as_of": "2024-06-01", "known_at": before["known_at"]}
    ).json()
    assert now["records"][0]["fields"]["fine_wan"] == "25"
    assert then == before
    beyond = client.get(f"/api/v1/subjects/{ACME}", params={"known_at": now["known_at"] + 1})
    assert beyond.status_code == 422 and "beyond" in _problem(beyond)["errors"][0]  # type: ignore[index]


def test_pages_stay_pinned_to_the_first_page_journal_position(
    client: TestClient, seeded: object
) -> None:
    from tests.factories import make_uscc, subject

    first = client.get("/api/v1/subjects", params={"q": "公司", "limit": 1}).json()
    apply(seeded, [subject(make_uscc("ABCD1234"), "杭州新来的网络科技有限公司")], actor="test")  # type: ignore[arg-type]
    second = client.get(
        "/api/v1/subjects", params={"q": "公司", "limit": 1, "next": first["next"]}
    ).json()
    assert second["known_at"] == first["known_at"] and second["total"] == first["total"] == 2
    fresh = client.get("/api/v1/subjects", params={"q": "公司"}).json()
    assert fresh["total"] == 3 and fresh["known_at"] > first["known_at"]
    other = client.get("/api/v1/subjects", params={"q": "锦泰", "limit": 1, "next": first["next"]})
    assert other.status_code == 422
