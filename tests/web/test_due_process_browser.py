"""The issue's due-process journey in a real browser, the twin of
tests/workflows/test_due_process_e2e.py: an officer enters a penalty in the console; it is not
public and the officer cannot approve it; a reviewer approves it; the subject objects in the
portal with an evidence file and the public report says "under objection"; the reviewer upholds
with a correction; the subject applies for repair of another record too early and is told the
earliest date; after it the repair is applied, granted, and the record leaves the public page.

Debian's Chromium (never a downloaded browser) through Playwright, one browser context per
person, against a real uvicorn server on loopback, on SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
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
from tests.factories import agency, make_uscc, subject
from tests.support.people import Day, add_people, app_on
from tests.web.test_browser import ARGS, CHROMIUM, _shot

from xinyong.store import apply

pytestmark = pytest.mark.browser

ACME = make_uscc("MA5CJQ4N")
FIRST = "杭市监罚〔2026〕7号"
SECOND = "杭市监罚〔2026〕8号"
PASSWORDS = {
    "alice": "alice's long password",
    "bob": "bob's long password",
    "acme": "acme's long password",
    "dave": "dave's long password",
}


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The browser journey runs once, on SQLite; the API journey covers PostgreSQL."""
    yield from _fresh_db("sqlite", request, tmp_path)


@pytest.fixture
def server(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed")
    apply(
        engine,
        [
            agency("samr", "杭州市市场监督管理局"),
            subject(ACME, "杭州某某科技有限公司", region_code="330106"),
        ],
        actor="test",
    )
    add_people(
        engine,
        [
            ("alice", "officer", "samr", None, None),
            ("bob", "reviewer", "samr", None, None),
            ("acme", "subject", None, ACME, None),
            ("dave", "auditor", None, None, None),
        ],
        PASSWORDS,
    )
    app, today = app_on(db_url, tmp_path, dt.date(2026, 2, 10))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "today": today}
    srv.should_exit = True
    thread.join(timeout=10)


def _sign_in(browser: Any, url: str, name: str, lands: str) -> Any:
    """A person's own browser context (own cookies), signed in with the keyboard."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORDS[name])
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"**{lands}")
    return page


def _enter_penalty(page: Any, url: str, doc_no: str, fine: str, violation: str) -> int:
    page.goto(url + "/console")
    for header, value in (
        ("行政相对人名称", "杭州某某科技有限公司"),
        ("行政相对人类别", "法人及非法人组织"),
        ("统一社会信用代码", ACME),
        ("行政处罚决定书文号", doc_no),
        ("违法行为类型", violation),
        ("处罚依据", "《中华人民共和国广告法》第五十五条"),
        ("处罚类别", "罚款"),
        ("罚款金额（万元）", fine),
        ("处罚决定日期", "2026-02-09"),
        ("处罚机关", "杭州市市场监督管理局"),
    ):
        page.fill(f'form.entry-form [name="{header}"]', value)
    page.fill('form.entry-form [name="处罚内容"]', f"罚款{fine}万元")
    page.click("form.entry-form button[type=submit]")
    page.wait_for_url("**/console?done=entered**")
    status = page.locator("[role=status]").inner_text()
    assert "待审核" in status
    return int(page.url.split("id=")[1].split("#")[0].split("&")[0])


def _public_records(page: Any, url: str) -> str:
    page.goto(f"{url}/subjects/{ACME}")
    return str(page.locator("article.subject").inner_text())


def test_due_process_journey_in_chromium(server: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url: str = server["url"]
    today: Day = server["today"]
    evidence = tmp_path / "缴款凭证.txt"
    evidence.write_text("缴款凭证 2026-02-10 罚款1.5万元", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            public = browser.new_context(locale="zh-CN").new_page()

            # An officer enters a penalty in the console: pending, not on the public page.
            officer = _sign_in(browser, url, "alice", "/console")
            first = _enter_penalty(officer, url, FIRST, "3", "虚假广告")
            assert FIRST in officer.locator("#mine + table").inner_text()
            _shot(officer, "due-process-console")
            assert FIRST not in _public_records(public, url)
            # The officer has no approve button anywhere, and the queue refuses them.
            assert officer.locator("button", has_text="批准").count() == 0
            refused = officer.goto(url + "/reviews")
            assert refused is not None and refused.status == 403
            _shot(officer, "due-process-officer-refused")

            # A reviewer of the agency (their own browser) approves it: now it is public.
            reviewer = _sign_in(browser, url, "bob", "/reviews")
            entry = reviewer.locator(f"#entry-{first}")
            assert FIRST in entry.inner_text() and "user:alice" in entry.inner_text()
            _shot(reviewer, "due-process-review-queue")
            entry.get_by_role("button", name="批准").click()
            reviewer.wait_for_url("**/reviews?done=approved**")
            assert FIRST in _public_records(public, url)

            # The subject objects in the portal, with an evidence file.
            acme = _sign_in(browser, url, "acme", "/portal")
            _shot(acme, "due-process-portal")
            acme.get_by_label("信用信息或名单").select_option(f"record:{first}")
            acme.get_by_label("异议内容及理由").fill("罚款金额应为1.5万元，决定书有误。")
            acme.locator("#objection-evidence").set_input_files(str(evidence))
            acme.get_by_role("button", name="提交异议").click()
            acme.wait_for_url("**/portal?done=objection**")
            assert "2026-03-02" in acme.locator("[role=status]").inner_text()
            assert "缴款凭证.txt" in acme.locator("table.objections").inner_text()
            _shot(acme, "due-process-objection-filed")

            # Every public view says so at once; in English via ?lang=en.
            public.goto(f"{url}/subjects/{ACME}/report?lang=en")
            row = public.locator("tr", has_text=FIRST)
            assert "under objection" in row.inner_text()
            _shot(public, "due-process-report-under-objection")

            # The reviewer upholds it with a correction of the fine, 3 → 1.5 (万元).
            reviewer.goto(url + "/reviews")
            case = reviewer.locator("section.objection", has_text=FIRST)
            assert "缴款凭证.txt" in case.inner_text()
            case.get_by_label("异议成立", exact=False).check()
            case.get_by_label("理由").fill("决定书金额录入错误，已核实。")
            case.get_by_label("更正字段").select_option("罚款金额（万元）")
            case.get_by_label("更正后的值", exact=False).fill("1.5")
            _shot(reviewer, "due-process-objection-decision")
            case.get_by_role("button", name="提交决定").click()
            reviewer.wait_for_url("**/reviews?done=objection_decided**")
            public.goto(f"{url}/subjects/{ACME}?lang=zh")
            row = public.locator("table.records tr", has_text=FIRST)
            assert "1.5 万元" in row.inner_text() and "异议中" not in row.inner_text()
            _shot(public, "due-process-corrected")

            # A second penalty, approved; the subject asks to repair it too early.
            second = _enter_penalty(officer, url, SECOND, "5", "拖欠工资")
            reviewer.goto(url + "/reviews")
            reviewer.locator(f"#entry-{second}").get_by_role("button", name="批准").click()
            reviewer.wait_for_url("**/reviews?done=approved**")
            today.day = dt.date(2026, 4, 1)
            acme.goto(url + "/portal")
            section = acme.locator(f"#repair-record-{second}")
            assert "最早日期：2026-05-10" in section.inner_text()
            assert "暂不能修复" in section.inner_text()
            section.locator("summary").click()  # "apply anyway": the agency's rule decides
            section.get_by_label("信用承诺书", exact=False).check()
            section.get_by_role("button", name="申请信用修复").click()
            acme.wait_for_load_state()
            refusal = acme.locator("#refused").inner_text()
            assert "最早可申请信用修复日期：2026-05-10" in refusal
            _shot(acme, "due-process-repair-too-early")

            # After the minimum publicity period: applied with evidence, granted.
            today.day = dt.date(2026, 5, 11)
            acme.goto(url + "/portal")
            section = acme.locator(f"#repair-record-{second}")
            assert "现在即可申请修复" in section.inner_text()
            section.get_by_label("信用承诺书", exact=False).check()
            section.locator("input[type=file]").set_input_files(str(evidence))
            section.get_by_role("button", name="申请信用修复").click()
            acme.wait_for_url("**/portal?done=repair**")
            reviewer.goto(url + "/reviews")
            case = reviewer.locator("section.repair", has_text=SECOND)
            case.get_by_label("准予修复", exact=False).check()
            case.get_by_label("理由").fill("已履行处罚并作出信用承诺。")
            case.get_by_role("button", name="提交决定").click()
            reviewer.wait_for_url("**/reviews?done=repair_decided**")

            # The record leaves the public page; the subject's own file keeps it, marked.
            shown = _public_records(public, url)
            assert SECOND not in shown and FIRST in shown
            _shot(public, "due-process-after-repair")
            acme.goto(url + "/portal")
            mine = acme.locator("#records + table tr", has_text=SECOND).inner_text()
            assert "已信用修复" in mine
            assert "信用修复决定" in acme.locator("ul.notices").inner_text()
            _shot(acme, "due-process-portal-after-repair")

            # The auditor sees who entered and decided what, and the objection upheld.
            auditor = _sign_in(browser, url, "dave", "/audit")
            officers = auditor.locator("#officers + table").inner_text()
            assert "user:alice" in officers
            assert "samr" in auditor.locator("#upheld + table").inner_text()
            _shot(auditor, "due-process-audit")
            # Anyone can read how to check the registry was never rewritten.
            public.goto(url + "/ledger?lang=en")
            assert "Verify that the registry was never silently rewritten" in public.content()
            _shot(public, "ledger-verify")

            # Sign-out ends the session: the portal sends the browser to the sign-in page.
            acme.get_by_role("button", name="退出").click()
            acme.wait_for_url(url + "/")
            acme.goto(url + "/portal")
            assert "/login" in acme.url
        finally:
            browser.close()
