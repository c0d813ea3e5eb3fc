"""The catalogue in public: each list's legal basis, criteria, duration, removal and repair path,
and the measures it triggers through which memoranda."""

from __future__ import annotations

from fastapi.testclient import TestClient

from xinyong.catalogue import load_catalogue


def test_catalogue_page_lists_every_list_measure_and_memorandum(client: TestClient) -> None:
    cat = load_catalogue()
    page = client.get("/catalogue")
    assert page.status_code == 200
    for lst in cat.lists.on():
        assert f'href="/catalogue/lists/{lst.code}"' in page.text
    for measure in cat.measures.on():
        assert f'id="measure-{measure.code}"' in page.text
    for memo in cat.memoranda.on():
        assert memo.name in page.text


def test_list_page_shows_basis_duration_exit_and_measures(client: TestClient) -> None:
    cat = load_catalogue()
    court = cat.list("court.dishonest_judgment_debtors")
    assert court is not None and court.removal
    page = client.get("/catalogue/lists/court.dishonest_judgment_debtors")
    assert page.status_code == 200
    for basis in court.legal_basis:
        assert basis in page.text
    assert "730" in page.text and court.removal.split("\n")[0][:20] in page.text
    assert "procurement.bar" in page.text and "consumption.flights" in page.text
    missing = client.get("/catalogue/lists/no.such_list")
    assert missing.status_code == 404


def test_list_page_says_whom_a_filing_duty_binds(client: TestClient) -> None:
    url = "/catalogue/lists/samr.abnormal_operations"
    chinese = client.get(url, params={"lang": "zh"})
    assert "仅限统一社会信用代码以 91 开头的主体" in chinese.text
    english = client.get(url, params={"lang": "en"})
    assert "Only subjects whose code begins 91" in english.text
    court = client.get("/catalogue/lists/court.dishonest_judgment_debtors", params={"lang": "en"})
    assert "Only subjects whose code begins" not in court.text
