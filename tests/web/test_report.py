"""The credit report as JSON, page and PDF: the same content, masked personal data, listings with
the way off, measures with the agency, and the journal position it reflects."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import listing
from tests.web.conftest import ACME, PERSON_ID

from xinyong.codes import mask_ric
from xinyong.store import apply

COURT = "court.dishonest_judgment_debtors"


def _list(engine: Engine) -> None:
    apply(
        engine,
        [
            listing(
                ACME,
                "(2025)浙0106执1号",
                party_name="台湾积体电路制造股份有限公司",
            )
        ],
        actor="test",
    )


def test_report_json_has_every_part(client: TestClient, seeded: Engine) -> None:
    _list(seeded)
    body = client.get(f"/api/v1/subjects/{ACME}/report", params={"as_of": "2025-06-01"}).json()
    assert body["subject"]["code"] == ACME and body["as_of"] == "2025-06-01"
    assert [r["doc_no"] for r in body["records"]] == ["杭市监罚〔2024〕1号"]
    assert body["records"][0]["publicity"] == {"from": "2024-03-01", "to": "2027-03-01"}
    [listing] = body["listings"]
    assert listing["decision"] == "(2025)浙0106执1号" and listing["end"] == "2027-03-09"
    assert listing["how_to_get_off"]["removal"] and "最高人民法院" in listing["legal_basis"]
    flights = next(m for m in body["measures"] if m["measure"] == "consumption.flights")
    assert flights["applies"] and flights["agency"]
    assert body["journal_seq"] > 0 and "checkpoint" in body
    earlier = client.get(f"/api/v1/subjects/{ACME}/report", params={"as_of": "2025-03-09"}).json()
    assert earlier["listings"] == [] and earlier["measures"] == []


def test_report_page_and_pdf(client: TestClient, seeded: Engine) -> None:
    _list(seeded)
    page = client.get(f"/subjects/{ACME}/report", params={"as_of": "2025-06-01", "lang": "en"})
    assert page.status_code == 200
    assert "How to get off this list" in page.text and "(2025)浙0106执1号" in page.text
    pdf = client.get(f"/subjects/{ACME}/report.pdf", params={"as_of": "2025-06-01"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert f"credit-report-{ACME}-2025-06-01.pdf" in pdf.headers["content-disposition"]
    assert len(pdf.content) > 5000
    missing = client.get("/subjects/91110000MA01ABCD2X/report.pdf")
    assert missing.status_code in (404, 422)


def test_a_persons_report_never_shows_the_id(client: TestClient) -> None:
    body = client.get(f"/api/v1/subjects/{PERSON_ID}/report").text
    assert PERSON_ID not in body and mask_ric(PERSON_ID) in body
    page = client.get(f"/subjects/{PERSON_ID}/report").text
    assert PERSON_ID not in page
    pdf = client.get(f"/subjects/{PERSON_ID}/report.pdf").content
    assert PERSON_ID.encode() not in pdf and isinstance(io.BytesIO(pdf), io.BytesIO)
