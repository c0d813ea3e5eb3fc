"""The due-process pages: sign-in and sessions (HttpOnly SameSite cookies, expiry, sign-out),
CSRF on every form, no open redirect, each page for its role — accessible, in both languages,
light — and the issue's journey through the forms as a browser without JavaScript posts them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.factories import agency, listing, make_uscc, record, subject
from tests.support.people import Day, add_people, app_on
from tests.web.test_i18n import MAX_PAGE_BYTES, _parse, _switch, _with_lang

from xinyong.accounts import find_user, users
from xinyong.accounts.sessions import ANON_COOKIE, SESSION_COOKIE, start_session
from xinyong.store import apply
from xinyong.store.db import writing
from xinyong.store.schema import journal, web_sessions

ACME = make_uscc("MA5CJQ4N")
PASSWORDS = {
    "alice": "alice's long password",
    "bob": "bob's long password",
    "acme": "acme's long password",
    "dave": "dave's long password",
    "rita": "rita's long password",
    "root": "root's long password",
}
PAGES = {
    "acme": "/portal",
    "alice": "/console",
    "bob": "/reviews",
    "rita": "/reviews",
    "dave": "/audit",
    "root": "/audit",
}
OLD = "杭市监罚〔2025〕1号"  # a penalty old enough to be repaired
FIRST = "杭市监罚〔2026〕7号"
SECOND = "杭市监罚〔2026〕8号"


@pytest.fixture
def world(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    # Cheap argon2 parameters for the test accounts: the hashing is argon2-cffi's business.
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    apply(
        engine,
        [
            agency("samr", "杭州市市场监督管理局"),
            subject(ACME, "杭州某某科技有限公司", region_code="330106"),
            record(ACME, OLD, decision="2025-01-06", until="2028-01-06", penalty_category="罚款"),
        ],
        actor="operator:zhang",
    )
    add_people(
        engine,
        [
            ("alice", "officer", "samr", None, None),
            ("bob", "reviewer", "samr", None, None),
            ("rita", "authority", "samr", None, None),
            ("acme", "subject", None, ACME, None),
            ("dave", "auditor", None, None, None),
            ("root", "admin", None, None, None),
        ],
        PASSWORDS,
    )
    app, today = app_on(db_url, tmp_path, dt.date(2026, 2, 10))
    with TestClient(app) as client:
        yield {"client": client, "app": app, "engine": engine, "today": today}


def _token(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def _sign_in(client: TestClient, name: str, next_page: str = "") -> Any:
    token = _token(client.get("/login"))
    return client.post(
        "/login",
        data={
            "name": name,
            "password": PASSWORDS[name],
            "csrf_token": token,
            "next": next_page,
        },
        follow_redirects=False,
    )


def _client(world: dict[str, Any], name: str | None = None) -> TestClient:
    """A second browser: its own cookie jar, the same app."""
    client = TestClient(world["app"])
    if name:
        assert _sign_in(client, name).status_code == 303
    return client


def _journal_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(journal)).scalar_one())


def test_sign_in_sets_an_httponly_samesite_session_cookie(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    page = client.get("/login")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    anon = page.headers["set-cookie"]
    assert anon.startswith(f"{ANON_COOKIE}=") and "HttpOnly" in anon and "SameSite=lax" in anon
    signed = _sign_in(client, "acme")
    assert signed.status_code == 303 and signed.headers["location"] == "/portal"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test; set over HTTPS
    me = client.get("/api/v1/me").json()
    assert (me["name"], me["role"], me["subject"], me["via"]) == (
        "acme",
        "subject",
        ACME,
        "session",
    )
    portal = client.get("/portal")
    assert portal.status_code == 200 and "杭州某某科技有限公司" in portal.text
    assert 'action="/logout"' in portal.text  # the header offers sign-out


def test_wrong_password_or_unknown_name_is_refused(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    for name, password in (("acme", "not the password"), ("nobody", "whatever it is")):
        token = _token(client.get("/login"))
        refused = client.post(
            "/login",
            data={"name": name, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert refused.status_code == 401
        assert "set-cookie" not in refused.headers or SESSION_COOKIE not in refused.headers.get(
            "set-cookie", ""
        )
        assert "用户名或密码错误" in refused.text
    assert client.get("/portal", follow_redirects=False).status_code == 303
    with world["engine"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(web_sessions)).scalar_one() == 0


def test_form_posts_without_the_csrf_token_are_refused_and_change_nothing(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    engine: Engine = world["engine"]
    # Sign-in itself: no token, or one made for another browser.
    client.get("/login")
    for token in (None, "0" * 64):
        data = {"name": "acme", "password": PASSWORDS["acme"]}
        if token:
            data["csrf_token"] = token
        assert client.post("/login", data=data, follow_redirects=False).status_code == 403
    assert SESSION_COOKIE not in client.cookies
    # The public screening upload.
    upload = {"file": ("s.csv", "企业名称\n杭州某某科技有限公司\n".encode(), "text/csv")}
    assert client.post("/screen", files=upload).status_code == 403
    screen_token = _token(client.get("/screen"))
    ok = client.post("/screen", files=upload, data={"csrf_token": screen_token})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/csv")

    assert _sign_in(client, "acme").status_code == 303
    before = _journal_size(engine)
    anon_token = _token(client.get("/screen"))  # now bound to the session: still not a session's
    report = {"year": "2025", "address": "杭州市西湖区"}
    for form in (report, {**report, "csrf_token": "f" * 64}):
        refused = client.post("/portal/annual-report", data=form, follow_redirects=False)
        assert refused.status_code == 403
        assert "CSRF" in refused.text
    # A token from another browser's session is not this session's.
    other = _client(world, "acme")
    foreign = _token(other.get("/portal"))
    assert (
        client.post("/portal/annual-report", data={**report, "csrf_token": foreign}).status_code
        == 403
    )
    assert anon_token != foreign
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert _journal_size(engine) == before
    assert client.get("/api/v1/me").status_code == 200  # sign-out without a token did nothing
    # With the token the same form works.
    token = _token(client.get("/portal"))
    done = client.post(
        "/portal/annual-report", data={**report, "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/portal?done=annual")
    assert _journal_size(engine) > before


def test_an_expired_session_is_refused(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    app = world["app"]
    with writing(world["engine"]) as conn:
        acme = find_user(conn, "acme")
        assert acme is not None
        session = start_session(conn, acme.id, hours=-1)
    client.cookies.set(SESSION_COOKIE, app.state.session_keys.sign(session))
    page = client.get("/portal", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/portal&expired=1"
    assert f'{SESSION_COOKIE}=""' in page.headers["set-cookie"]  # the browser forgets it
    client.cookies.set(SESSION_COOKIE, app.state.session_keys.sign(session))
    assert client.get("/api/v1/me").status_code == 401
    # The sign-in page says why, and forgets the dead cookie before offering the form.
    login = client.get("/login?next=/portal&expired=1", follow_redirects=False)
    assert login.status_code == 303 and SESSION_COOKIE in login.headers["set-cookie"]
    client.cookies.delete(SESSION_COOKIE)
    assert "会话已过期" in client.get("/login?next=/portal&expired=1").text
    # A cookie not signed by this registry is refused the same way.
    client.cookies.set(SESSION_COOKIE, session)
    assert client.get("/api/v1/me").status_code == 401


def test_sign_out_ends_the_session(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    assert _sign_in(client, "alice").status_code == 303
    old = client.cookies[SESSION_COOKIE]
    token = _token(client.get("/console"))
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    client.cookies.set(SESSION_COOKIE, old)  # a copy of the cookie kept from before
    again = client.get("/console", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("next_page", "field", "lands"),
    [
        ("//evil.example", "", "/portal"),
        ("//evil.example/portal", "", "/portal"),
        ("https://evil.example", "", "/portal"),
        ("/\\evil.example", "", "/portal"),
        ("javascript:alert(1)", "", "/portal"),
        ("/\t/evil.example", "", "/portal"),
        ("/portal#repair", "/portal#repair", "/portal#repair"),
        ("/subjects/" + ACME, "/subjects/" + ACME, "/subjects/" + ACME),
        ("/portal/objections", "/portal", "/portal"),  # a form's address: its page instead
        ("/logout", "", "/portal"),
        ("/login?next=//evil.example", "", "/portal"),
    ],
)
def test_sign_in_returns_only_to_a_page_of_this_site(
    world: dict[str, Any], next_page: str, field: str, lands: str
) -> None:
    client: TestClient = world["client"]
    page = client.get("/login", params={"next": next_page})
    found = re.search(r'name="next" value="([^"]*)"', page.text)
    assert found is not None and found.group(1) == field
    signed = _sign_in(client, "acme", next_page)
    assert signed.status_code == 303 and signed.headers["location"] == lands


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_renders_for_its_role_and_no_other(world: dict[str, Any], name: str) -> None:
    client = _client(world, name)
    page = PAGES[name]
    for lang in ("zh", "en"):
        resp = client.get(_with_lang(page, lang))
        assert resp.status_code == 200, (name, resp.text[:300])
        assert resp.headers["cache-control"] == "no-store"
        parsed = _parse(resp.text)
        assert parsed.html_lang == ("zh-CN" if lang == "zh" else "en")
        _switch(parsed)
        assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1
        for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
            assert after <= before + 1, (page, parsed.headings)
        for control in parsed.controls:
            assert control.get("aria-label") or control.get("id") in parsed.label_for, control
        assert all(th.get("scope") in ("col", "row") for th in parsed.th)
        assert parsed.links[0].get("href") == "#main"
        assert len(resp.content) < MAX_PAGE_BYTES
        assert 'action="/logout"' in resp.text
    for other in set(PAGES.values()) - {page}:
        refused = client.get(other, follow_redirects=False)
        assert refused.status_code == 403, (name, other)


def test_pages_send_an_anonymous_visitor_to_sign_in(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    for page in set(PAGES.values()):
        resp = client.get(page, follow_redirects=False)
        assert resp.status_code == 303
        assert resp.headers["location"] == f"/login?next={page}"
    assert "登录" in client.get("/login").text and "Sign in" in client.get("/login?lang=en").text


def _penalty_form(doc_no: str, fine: str, violation: str) -> dict[str, str]:
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


def _public(client: TestClient) -> dict[str, dict[str, Any]]:
    body = client.get(f"/api/v1/subjects/{ACME}").json()
    return {r["doc_no"]: r for r in body["records"]}


def _id(text: str, pattern: str = r"id=(\d+)") -> int:
    found = re.search(pattern, text)
    assert found is not None, text[:300]
    return int(found.group(1))


def _post(client: TestClient, page: str, action: str, **kw: Any) -> Any:
    token = _token(client.get(page))
    data = {**kw.pop("data", {}), "csrf_token": token}
    return client.post(action, data=data, follow_redirects=False, **kw)


def test_the_journey_through_the_forms(world: dict[str, Any]) -> None:
    """What the Chromium test does, as plain form posts (no browser needed)."""
    public: TestClient = world["client"]
    today: Day = world["today"]
    officer, reviewer, acme = _client(world, "alice"), _client(world, "bob"), _client(world, "acme")

    entered = _post(
        officer, "/console", "/console/entries", data=_penalty_form(FIRST, "3", "虚假广告")
    )
    assert entered.status_code == 303, entered.text
    first = _id(entered.headers["location"])
    assert FIRST in officer.get("/console").text  # among my pending entries
    assert FIRST not in _public(public)
    assert officer.get("/reviews").status_code == 403
    assert officer.post(f"/reviews/{first}/approve").status_code == 403

    queue = reviewer.get("/reviews").text
    assert FIRST in queue and f'action="/reviews/{first}/approve"' in queue
    approved = _post(reviewer, "/reviews", f"/reviews/{first}/approve")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/reviews?done=approved&id={first}"
    assert "已批准" in reviewer.get(approved.headers["location"]).text
    assert _public(public)[FIRST]["fields"]["fine_wan"] == "3"

    portal = acme.get("/portal").text
    assert f'value="record:{first}"' in portal
    objected = _post(
        acme,
        "/portal",
        "/portal/objections",
        data={"target": f"record:{first}", "statement": "罚款金额应为1.5万元。"},
        files=[("evidence", ("receipt.txt", "缴款凭证".encode(), "text/plain"))],
    )
    assert objected.status_code == 303, objected.text
    assert objected.headers["location"].startswith("/portal?done=objection&id=")
    assert "due=2026-03-02" in objected.headers["location"]
    assert _public(public)[FIRST]["under_objection"] is True
    assert "under objection" in public.get(f"/subjects/{ACME}/report?lang=en").text
    after = acme.get(objected.headers["location"]).text
    assert "有关部门须在 2026-03-02 前答复" in after  # the flash message
    assert '<span class="badge objection">异议中</span>' in after and "receipt.txt" in after

    queue = reviewer.get("/reviews").text
    objection = _id(queue, r'action="/objections/(\d+)/decision"')
    assert "receipt.txt" in queue
    upheld = _post(
        reviewer,
        "/reviews",
        f"/objections/{objection}/decision",
        data={
            "outcome": "upheld",
            "reason": "决定书金额录入错误，已核实。",
            "correction_field": "罚款金额（万元）",
            "correction_value": "1.5",
        },
    )
    assert upheld.status_code == 303, upheld.text
    record = _public(public)[FIRST]
    assert record["fields"]["fine_wan"] == "1.5" and record["under_objection"] is False

    second = _post(
        officer, "/console", "/console/entries", data=_penalty_form(SECOND, "5", "拖欠工资")
    )
    second_id = _id(second.headers["location"])
    assert _post(reviewer, "/reviews", f"/reviews/{second_id}/approve").status_code == 303

    today.day = dt.date(2026, 4, 1)
    portal = acme.get("/portal").text
    assert "2026-05-10" in portal  # the earliest date, before anyone applies
    early = _post(
        acme,
        "/portal",
        "/portal/repairs",
        data={"target": f"record:{second_id}", "commitment": "yes"},
    )
    assert early.status_code == 422
    assert "最早可申请信用修复日期：2026-05-10" in early.text
    assert "最短公示期至 2026-05-10 届满" in early.text  # the blocker, in the page's language

    today.day = dt.date(2026, 5, 11)
    applied = _post(
        acme,
        "/portal",
        "/portal/repairs",
        data={"target": f"record:{second_id}", "commitment": "yes"},
        files=[("evidence", ("paid.pdf", b"%PDF-1.4 paid", "application/pdf"))],
    )
    assert applied.status_code == 303, applied.text
    repair_id = _id(applied.headers["location"])
    granted = _post(
        reviewer,
        "/reviews",
        f"/repairs/{repair_id}/decision",
        data={"outcome": "granted", "reason": "已履行处罚并作出信用承诺。"},
    )
    assert granted.status_code == 303, granted.text
    assert SECOND not in _public(public) and FIRST in _public(public)
    mine = acme.get("/portal?lang=en").text
    assert "repaired: no longer public" in mine and SECOND in mine
    assert "Repair decided" in mine  # the notice

    auditor = _client(world, "dave")
    board = auditor.get("/audit").text
    assert "user:alice" in board and "user:bob" in board


def test_refused_steps_show_their_reasons(world: dict[str, Any]) -> None:
    officer, reviewer, acme = _client(world, "alice"), _client(world, "bob"), _client(world, "acme")
    empty = _post(officer, "/console", "/console/entries")
    assert empty.status_code == 422 and "the form is empty" in empty.text
    bad = _post(
        officer,
        "/console",
        "/console/entries",
        data={**_penalty_form(FIRST, "3", "虚假广告"), "统一社会信用代码": "91330106XXXXXXXXXX"},
    )
    assert bad.status_code == 200 and "已隔离待处理" in bad.text and "uscc" in bad.text
    no_reason = _post(reviewer, "/reviews", "/reviews/999999/reject")
    assert no_reason.status_code == 404 and "no entry 999999" in no_reason.text
    late = _post(acme, "/portal", "/portal/annual-report", data={"year": "2026"})
    assert late.status_code == 422 and "can be filed from 2027-01-01" in late.text
    no_target = _post(acme, "/portal", "/portal/objections", data={"statement": "x"})
    assert no_target.status_code == 422 and "choose a record or listing" in no_target.text
    old = re.search(r'value="record:(\d+)"', acme.get("/portal").text)
    assert old is not None
    no_commitment = _post(
        acme, "/portal", "/portal/repairs", data={"target": f"record:{old.group(1)}"}
    )
    assert no_commitment.status_code == 422 and "信用承诺书" in no_commitment.text


def test_the_console_takes_a_file_of_rows(world: dict[str, Any]) -> None:
    officer = _client(world, "alice")
    rows = [_penalty_form(FIRST, "3", "虚假广告"), _penalty_form(SECOND, "x", "拖欠工资")]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sent = _post(
        officer,
        "/console",
        "/console/upload",
        data={"kind": "penalty"},
        files={"file": ("penalties.csv", buf.getvalue().encode("utf-8-sig"), "text/csv")},
    )
    assert sent.status_code == 200, sent.text
    assert "待审核" in sent.text and "已隔离待处理" in sent.text and "fine_wan" in sent.text
    assert FIRST in officer.get("/console").text
    wrong = _post(
        officer,
        "/console",
        "/console/upload",
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert wrong.status_code == 422 and "upload .csv or .xlsx files" in wrong.text


def test_queues_show_the_oldest_fifty_and_say_so(world: dict[str, Any]) -> None:
    officer, reviewer = _client(world, "alice"), _client(world, "bob")
    rows = [_penalty_form(f"杭市监罚〔2026〕{100 + n}号", "1", "虚假广告") for n in range(55)]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sent = _post(
        officer,
        "/console",
        "/console/upload",
        files={"file": ("many.csv", buf.getvalue().encode(), "text/csv")},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/console?done=entered#mine"
    console = officer.get(sent.headers["location"]).text
    assert "我录入的待审核信息 (55)" in console and "各行信息已提交，待审核。" in console
    assert "仅显示最早提交的 50 条。" in console
    queue = reviewer.get("/reviews")
    assert queue.text.count('class="approve-form"') == 50
    assert "待审核的录入信息 (55)" in queue.text and "杭市监罚〔2026〕100号" in queue.text
    assert "杭市监罚〔2026〕154号" not in queue.text
    assert len(queue.content) < MAX_PAGE_BYTES


def test_an_objection_to_a_listing_is_answered_by_its_authority(world: dict[str, Any]) -> None:
    apply(world["engine"], [listing(ACME, "(2025)浙0106执1号")], actor="court:system")
    acme, rita, bob = _client(world, "acme"), _client(world, "rita"), _client(world, "bob")
    portal = acme.get("/portal").text
    listing_id = _id(portal, r'value="listing:(\d+)"')
    assert "(2025)浙0106执1号" in portal and "失信被执行人名单" in portal
    filed = _post(
        acme,
        "/portal",
        "/portal/objections",
        data={"target": f"listing:{listing_id}", "statement": "执行案件已于2025年结案。"},
    )
    assert filed.status_code == 303, filed.text
    badge = '<span class="badge objection">异议中</span>'
    assert badge in acme.get("/portal").text
    assert badge in world["client"].get(f"/subjects/{ACME}?as_of=2026-02-10").text
    queue = rita.get("/reviews").text  # an authority: no entries to approve, the listing's case
    assert "待审核的录入信息" not in queue and "(2025)浙0106执1号" in queue
    objection = _id(queue, r'action="/objections/(\d+)/decision"')
    assert 'name="correction_field"' not in queue  # a listing is removed, not corrected
    rejected = _post(
        rita,
        "/reviews",
        f"/objections/{objection}/decision",
        data={"outcome": "rejected", "reason": "执行依据仍然有效。"},
    )
    assert rejected.status_code == 303, rejected.text
    assert "(2025)浙0106执1号" not in rita.get("/reviews").text
    mine = acme.get("/portal").text
    assert "执行依据仍然有效。" in mine and badge not in mine
    assert bob.get("/reviews").status_code == 200
