"""The site in Chinese and English, accessible and light: the language of each page (query,
cookie, Accept-Language, default Chinese), the switch on every page, labels, headings, tables,
page weight, and message catalogues that cannot fall behind the templates."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import listing
from tests.ingest.test_ingest_files import _rows, _write_csv
from tests.web.conftest import ACME

from xinyong.codes import IdHasher, load_or_create_key
from xinyong.ingest import ingest_files
from xinyong.store import apply
from xinyong.web import i18n

COURT = "court.dishonest_judgment_debtors"
WEB = Path(i18n.__file__).parent
MAX_PAGE_BYTES = 200_000


def _list(engine: Engine) -> None:
    apply(
        engine,
        [
            listing(
                ACME,
                "(2025)浙0106执1号",
                party_name="台湾积体电路制造股份有限公司",
                planned_end=None,
            )
        ],
        actor="test",
    )


@pytest.fixture
def pages(client: TestClient, seeded: Engine, tmp_path: Path) -> list[str]:
    """One of every kind of page, with content: search results, subject, report, catalogue,
    a list, screening, ingest history, sign-in, an error."""
    _list(seeded)
    ingest_files(
        seeded,
        [_write_csv(tmp_path / "penalties.csv", _rows())],
        source="samr",
        actor="operator:zhang",
        hasher=IdHasher(load_or_create_key(tmp_path / "id.key")),
    )
    return [
        "/",
        "/?q=台积电",
        f"/subjects/{ACME}?as_of=2025-06-01",
        f"/subjects/{ACME}/report?as_of=2025-06-01",
        "/catalogue",
        f"/catalogue/lists/{COURT}",
        "/screen",
        "/ingest",
        "/login?next=/portal",  # the pages behind it: tests/web/test_portal_pages.py
        "/subjects/91110000MA01ABCD2X",  # an error page
    ]


class Page(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.headings: list[int] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.th: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.link_text: dict[int, str] = {}
        self._in_link: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "html":
            self.html_lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"] or "")
        elif tag == "th":
            self.th.append(a)
        elif tag == "a":
            self.links.append(a)
            self._in_link = len(self.links) - 1
            self.link_text[self._in_link] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = None

    def handle_data(self, data: str) -> None:
        if self._in_link is not None:
            self.link_text[self._in_link] += data


def _parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def _with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def _switch(page: Page) -> dict[str, Any]:
    found = [a for a in page.links if "lang-switch" in (a.get("class") or "")]
    assert len(found) == 1
    return found[0]


def test_chinese_by_default(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "查询信用主体" in page.text and "Find a credit subject" not in page.text
    assert page.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in page.headers["vary"] and "Cookie" in page.headers["vary"]
    assert "set-cookie" not in page.headers  # nothing chosen, nothing remembered
    assert _parse(page.text).html_lang == "zh-CN"


def test_lang_query_sets_a_cookie_that_later_pages_follow(client: TestClient) -> None:
    page = client.get("/", params={"lang": "en"})
    assert "Find a credit subject" in page.text and "查询信用主体" not in page.text
    assert _parse(page.text).html_lang == "en" and page.headers["content-language"] == "en"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("lang=en;") and "Max-Age=31536000" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie
    later = client.get("/catalogue")  # no parameter: the cookie speaks
    assert _parse(later.text).html_lang == "en" and "The catalogue" in later.text
    assert "set-cookie" not in later.headers
    back = client.get("/catalogue", params={"lang": "zh"})
    assert _parse(back.text).html_lang == "zh-CN" and "信用目录" in back.text
    assert _parse(client.get("/screen").text).html_lang == "zh-CN"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.3, zh-CN;q=0.8", "zh-CN"),
        ("zh-TW,zh;q=0.9", "zh-CN"),  # traditional-script readers get the Chinese labels
        ("en;q=0", "zh-CN"),
        ("de, fr", "zh-CN"),
        ("*", "zh-CN"),
        ("garbage;q=x, en", "en"),
    ],
)
def test_accept_language_picks_the_language(client: TestClient, header: str, expected: str) -> None:
    page = client.get("/screen", headers={"Accept-Language": header})
    assert _parse(page.text).html_lang == expected


def test_cookie_beats_header_and_query_beats_cookie(client: TestClient) -> None:
    client.cookies.set("lang", "zh")
    page = client.get("/", headers={"Accept-Language": "en-US"})
    assert _parse(page.text).html_lang == "zh-CN"
    page = client.get("/", params={"lang": "en"}, headers={"Accept-Language": "zh-CN"})
    assert _parse(page.text).html_lang == "en"
    client.cookies.set("lang", "fr")  # not a language we speak: ignored
    page = client.get("/", params={"lang": "xx"}, headers={"Accept-Language": "en"})
    assert _parse(page.text).html_lang == "en" and "set-cookie" not in page.headers


def test_every_page_has_a_language_switch_keeping_path_and_query(
    client: TestClient, pages: list[str]
) -> None:
    for url in pages:
        for lang, other, label in (("zh", "en", "English"), ("en", "zh-CN", "中文")):
            resp = client.get(_with_lang(url, lang))
            parsed = _parse(resp.text)
            switch = _switch(parsed)
            assert switch["hreflang"] == other and switch["lang"] == other, url
            assert parsed.link_text[parsed.links.index(switch)] == label
            href = switch["href"] or ""
            assert href.startswith("?"), (url, href)  # same path, never written into the page
            target = urlsplit(urljoin("http://testserver" + _with_lang(url, lang), href))
            path, _, query = url.partition("?")
            assert unquote(target.path) == path, (url, href)
            kept = dict(parse_qsl(target.query))
            assert kept == {**dict(parse_qsl(query)), "lang": other[:2]}, (url, href)
            follow = client.get(urljoin("http://testserver" + url, href))
            assert _parse(follow.text).html_lang == other


def test_english_labels_and_chinese_data(client: TestClient, pages: list[str]) -> None:
    zh = client.get(f"/subjects/{ACME}", params={"as_of": "2025-06-01", "lang": "zh"}).text
    en = client.get(f"/subjects/{ACME}", params={"as_of": "2025-06-01", "lang": "en"}).text
    assert "如何移出" in zh and "How to get off" not in zh
    assert "How to get off" in en and "如何移出" not in en
    for text in (zh, en):  # data stays as it is
        assert "(2025)浙0106执1号" in text and "台湾积体电路制造股份有限公司(台积电)" in text
        assert "杭州市西湖区人民法院" in text
    assert "2.5 万元" in zh and "2.5 × 10,000 yuan" in en
    # a list's name in the page's language first, the other beside it, marked with its language
    link = f'<a href="/catalogue/lists/{COURT}">'
    assert f"{link}失信被执行人名单</a>" in zh and "List of dishonest judgment debtors" in zh
    assert f"{link}List of dishonest judgment debtors</a>" in en
    # the cookie set by ?lang=en above keeps the next pages English
    assert (
        '<span lang="zh-CN">失信被执行人名单</span>' in client.get(f"/catalogue/lists/{COURT}").text
    )
    report = client.get(f"/subjects/{ACME}/report", params={"as_of": "2025-06-01"}).text
    assert "Credit report" in report and "How to get off this list" in report
    assert "report.pdf?as_of=2025-06-01&amp;known_at=" in report and "&amp;lang=en" in report


def test_pdf_follows_the_page_language(
    client: TestClient, seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    rendered: list[str] = []

    class FakeHTML:
        def __init__(self, string: str, base_url: str) -> None:
            rendered.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7 fake"

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    _list(seeded)
    url = f"/subjects/{ACME}/report.pdf"
    assert client.get(url, params={"as_of": "2025-06-01"}).status_code == 200
    assert client.get(url, params={"as_of": "2025-06-01", "lang": "en"}).status_code == 200
    zh, en = rendered
    assert '<html lang="zh-CN">' in zh and "信用报告" in zh and "如何移出" in zh
    assert '<html lang="en">' in en and "Credit report" in en and "How to get off this list" in en


def test_error_pages_speak_the_language(client: TestClient) -> None:
    zh = client.get("/catalogue/lists/nope")
    en = client.get("/catalogue/lists/nope", params={"lang": "en"})
    assert zh.status_code == en.status_code == 404
    assert "<h1>404 未找到</h1>" in zh.text and "返回搜索" in zh.text
    assert "<h1>404 Not Found</h1>" in en.text and "Back to search" in en.text
    api = client.get("/api/v1/subjects/91110000MA01ABCD2X", params={"lang": "zh"})
    assert api.headers["content-type"] == "application/problem+json"  # the API stays English


def test_pages_are_accessible(client: TestClient, pages: list[str]) -> None:
    for url in pages:
        for lang in ("zh", "en"):
            resp = client.get(_with_lang(url, lang))
            page = _parse(resp.text)
            assert page.headings.count(1) == 1 and page.headings[0] == 1, url
            for before, after in zip(page.headings, page.headings[1:], strict=False):
                assert after <= before + 1, (url, page.headings)  # no level skipped going down
            for control in page.controls:  # every form control is labelled
                assert control.get("aria-label") or control.get("id") in page.label_for, (
                    url,
                    control,
                )
            assert all(th.get("scope") in ("col", "row") for th in page.th), url
            skip = page.links[0]  # the first link skips to the content
            assert skip.get("href") == "#main" and "main" in page.ids, url


def test_no_page_is_over_200_kb(client: TestClient, pages: list[str]) -> None:
    css = client.get("/static/site.css")
    for url in pages:
        for lang in ("zh", "en"):
            resp = client.get(_with_lang(url, lang))
            assert resp.status_code in (200, 404, 422)
            assert len(resp.content) + len(css.content) < MAX_PAGE_BYTES, url


def test_catalogues_are_complete_and_current() -> None:
    """Every marked string in the templates is in messages.pot and translated in zh_CN, with
    no fuzzy or stale entry — run the commands in docs/i18n.md when this fails."""
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    in_templates = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(WEB / "templates"), method_map, options)
    }
    with (WEB / "locale" / "messages.pot").open("rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    assert in_templates == pot
    with (WEB / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        po = read_po(f, locale="zh_CN")
    entries = {m.id: m for m in po if m.id}
    assert set(entries) == pot
    assert [m.id for m in entries.values() if not m.string or m.fuzzy] == []
    for m in entries.values():  # placeholders survive translation
        assert sorted(re.findall(r"%\(\w+\)s", str(m.id))) == sorted(
            re.findall(r"%\(\w+\)s", str(m.string))
        ), m.id
    assert i18n.translations("zh").gettext("Credit report") == "信用报告"
    assert i18n.translations("en").gettext("Credit report") == "Credit report"


def test_the_switch_never_writes_a_resident_id_from_the_path(client: TestClient) -> None:
    from tests.web.conftest import PERSON_ID

    unknown = "110105194912310021"
    for url in (f"/subjects/{PERSON_ID}/report", f"/subjects/{PERSON_ID}", f"/subjects/{unknown}"):
        for lang in ("zh", "en"):
            text = client.get(_with_lang(url, lang)).text
            assert PERSON_ID not in text and unknown not in text, url


def test_a_missing_catalogue_stops_the_server_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with pytest.raises(FileNotFoundError):
            i18n.Templates(WEB / "templates")
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()
