"""A person in a real browser: search in traditional characters, open the subject, read its record.

Drives Debian's Chromium (never a downloaded browser) through Playwright against a real uvicorn
server on loopback, on the SQLite backend.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.conftest import _fresh_db
from tests.web.conftest import ACME

from xinyong.store import Change, apply
from xinyong.web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"  # ignored by git
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _shot(page: Any, name: str) -> None:
    """Every page the browser tests visit, saved for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


pytestmark = pytest.mark.browser


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The browser journey runs once, on SQLite; the API tests cover PostgreSQL."""
    yield from _fresh_db("sqlite", request, tmp_path)


@pytest.fixture
def server(seeded: Engine, db_url: str, tmp_path: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit=0)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_search_then_open_subject_in_chromium(server: str, seeded: Engine, tmp_path: Path) -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    apply(
        seeded,
        [
            Change(
                "listing.decided",
                {
                    "source": "samr",
                    "list_code": "court.dishonest_judgment_debtors",
                    "decision_no": "(2025)浙0106执1号",
                    "subject_key": ACME,
                    "party_name": "台湾积体电路制造股份有限公司",
                    "authority": "杭州市西湖区人民法院",
                    "start": "2025-03-10",
                },
            )
        ],
        actor="test",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(server + "/")
            page.fill("input[name=q]", "臺灣積體電路製造")
            page.click("button[type=submit]")
            link = page.locator("a.subject-link").first
            assert link.inner_text() == "台湾积体电路制造股份有限公司(台积电)"
            link.click()
            page.wait_for_url(f"**/subjects/{ACME}")
            page.fill("input[name=as_of]", "2024-06-01")
            page.click("form.asof button")
            rows = page.locator("table.records tbody tr")
            assert rows.count() == 1
            assert "杭市监罚〔2024〕1号" in rows.first.inner_text()
            # On a date the subject is on the court list: the list, and the way off it, are
            # there; the list's page shows its legal basis and the measures it triggers.
            page.fill("input[name=as_of]", "2025-06-01")
            page.click("form.asof button")
            listing = page.locator("table.listings tbody tr")
            assert listing.count() == 1
            assert "(2025)浙0106执1号" in listing.first.inner_text()
            assert page.locator("ul.measures li.applies").count() > 0
            listing.first.locator("a").click()
            page.wait_for_url("**/catalogue/lists/court.dishonest_judgment_debtors")
            body = page.locator("article").inner_text()
            assert "最高人民法院关于公布失信被执行人名单信息的若干规定" in body
            assert "consumption.flights" in body
            _shot(page, "catalogue-list-from-subject")
        finally:
            browser.close()


def test_report_language_pdf_and_screening_in_chromium(
    server: str, seeded: Engine, tmp_path: Path
) -> None:
    """Search in traditional characters, open the credit report, switch to English, download
    the PDF, then upload a screening file and get the result file back."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    screening = tmp_path / "suppliers.csv"
    screening.write_text(
        "企业名称,统一社会信用代码\n臺灣積體電路製造股份有限公司,\n不存在的公司,\n",
        encoding="utf-8-sig",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale="zh-CN", accept_downloads=True)
            page = context.new_page()
            page.goto(server + "/")
            page.fill("input[name=q]", "臺灣積體電路製造")
            page.press("input[name=q]", "Enter")  # the keyboard works as well as the button
            _shot(page, "search-results")
            page.locator("a.subject-link").first.click()
            page.wait_for_url(f"**/subjects/{ACME}")
            _shot(page, "subject")
            page.click(f"a[href^='/subjects/{ACME}/report']")
            page.wait_for_url(f"**/subjects/{ACME}/report**")
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            assert "杭市监罚〔2024〕1号" in page.locator("article.report").inner_text()
            _shot(page, "report-zh")
            page.click("a.lang-switch")
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
            assert "Credit report" in page.locator("h1").inner_text()
            _shot(page, "report-en")
            with page.expect_download() as info:
                page.click("a[href*='report.pdf']")
            pdf = tmp_path / "report.pdf"
            info.value.save_as(pdf)
            assert pdf.read_bytes().startswith(b"%PDF-")
            assert info.value.suggested_filename.startswith(f"credit-report-{ACME}")
            page.goto(server + "/screen")
            _shot(page, "screen-form")
            page.set_input_files("input[name=file]", str(screening))
            with page.expect_download() as screened:
                page.click("form.upload button[type=submit]")
            result = tmp_path / "result.csv"
            screened.value.save_as(result)
            rows = result.read_text(encoding="utf-8-sig").splitlines()
            assert rows[0].startswith("企业名称,统一社会信用代码,matched_code")
            assert ACME in rows[1] and len(rows) == 3
            page.goto(server + "/catalogue")
            _shot(page, "catalogue")
            page.goto(server + "/catalogue/lists/court.dishonest_judgment_debtors")
            _shot(page, "catalogue-list")
            page.goto(server + "/ingest")
            _shot(page, "ingest-history")
        finally:
            browser.close()
