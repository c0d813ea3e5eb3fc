"""The site in Chinese and English: Babel message catalogues, the language of each request, and
the Jinja environment that translates templates.

UI strings in templates are marked with `_("English msgid")`; the Simplified Chinese wording lives
in `locale/zh_CN/LC_MESSAGES/messages.po`. English is the msgid itself, so only Chinese needs a
catalogue. The `.po` is compiled in memory the first time it is needed (Babel's `read_po` and
`write_mo`): no build step at install, and no compiled `.mo` that can fall behind its source.

The language of a request: `?lang=zh|en` (which also sets a year-long `lang` cookie), else that
cookie, else the `Accept-Language` header, else Chinese. Data — names, decisions, legal bases —
is not translated; only the labels around it are.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.templating import _TemplateResponse

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"
LANGS: Final = ("zh", "en")
DEFAULT: Final = "zh"
COOKIE: Final = "lang"
COOKIE_MAX_AGE: Final = 365 * 24 * 3600
HTML_LANG: Final = {"zh": "zh-CN", "en": "en"}  # BCP 47 tags for <html lang> and hreflang
CATALOGUE_LOCALE: Final = {"zh": "zh_CN"}  # languages with a catalogue; English is the msgid
SWITCH_LABEL: Final = {"zh": "中文", "en": "English"}  # each language named in itself


def match(tag: str | None) -> str | None:
    """The supported language a tag or `?lang=` value names (`zh`, `zh-CN`, `zh_TW`, `en-US`…),
    or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGS else None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, by q-value then order."""
    if not header:
        return None
    prefs: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            prefs.append((-q, i, tag))
    for _q, _i, tag in sorted(prefs):
        lang = match(tag)
        if lang:
            return lang
    return None


def requested(request: Request) -> str | None:
    """The language asked for explicitly with `?lang=`, if it is one we speak."""
    return match(request.query_params.get("lang"))


def language(request: Request) -> str:
    """The language of this request's page."""
    return (
        requested(request)
        or match(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT
    )


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations for a language, compiled from its `.po` on first use."""
    locale = CATALOGUE_LOCALE.get(lang)
    if locale is None:
        return gettext.NullTranslations()
    po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def switch_href(request: Request, lang: str) -> str:
    """The current query with `lang` set, as a query-only relative link: it keeps the current
    path without writing it into the page (a path can hold a resident ID)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"?{urlencode(params)}"


def page_context(request: Request) -> dict[str, Any]:
    """What every template needs to speak the request's language."""
    lang = language(request)
    other = "en" if lang == "zh" else "zh"
    return {
        "csrf_token": lambda: _csrf_token(request),
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "other_html_lang": HTML_LANG[other],
        "lang_switch": {
            "href": switch_href(request, other),
            "hreflang": HTML_LANG[other],
            "label": SWITCH_LABEL[other],
        },
    }


def _csrf_token(request: Request) -> str:
    from xinyong.web.auth import csrf_token

    return csrf_token(request)


def _lang_of(context: jinja2.runtime.Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) and lang in LANGS else DEFAULT


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return translations(_lang_of(context)).gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return translations(_lang_of(context)).ngettext(singular, plural, n)


@jinja2.pass_context
def _bilingual(context: jinja2.runtime.Context, zh: Any, en: Any) -> tuple[Any, Any]:
    """A catalogue entry's name in the page's language first, the other (if any) second:
    `{% set name, other = bilingual(l.name, l.name_en) %}`."""
    if _lang_of(context) == "en" and en:
        return en, zh
    return zh, en


@jinja2.pass_context
def _reason(context: jinja2.runtime.Context, text: str) -> tuple[str, str]:
    """A workflow's reason in the page's language where it is a known one:
    `{% set text, text_lang = reason(r) %}<li lang="{{ text_lang }}">{{ text }}</li>`."""
    from xinyong.web.reasons import localise

    return localise(str(text), _lang_of(context))


def make_environment(directory: Path) -> jinja2.Environment:
    """The Jinja environment: autoescaped, with `_`, `gettext`, `ngettext` and `{% trans %}`
    translating into the language in the template's context."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=jinja2.select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    install: Callable[..., None] = env.install_gettext_callables  # type: ignore[attr-defined]
    install(gettext=_gettext, ngettext=_ngettext, newstyle=True)
    env.globals["bilingual"] = _bilingual
    env.globals["reason"] = _reason
    return env


class Templates(Jinja2Templates):
    """Jinja2Templates whose responses speak the request's language: the context carries it,
    `?lang=` is remembered in a cookie, and caches are told the page varies by language."""

    def __init__(self, directory: Path) -> None:
        for lang in LANGS:  # a missing or broken catalogue stops the server at start
            translations(lang)
        super().__init__(env=make_environment(directory), context_processors=[page_context])

    def TemplateResponse(  # noqa: N802 — Starlette's name
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> _TemplateResponse:
        response = super().TemplateResponse(
            request, name, context, status_code, headers, media_type, background
        )
        from xinyong.web.auth import set_anon_cookie

        set_anon_cookie(request, response)  # a form on the page asked for a CSRF token
        lang = language(request)
        response.headers["Content-Language"] = HTML_LANG[lang]
        response.headers.add_vary_header("Accept-Language")
        response.headers.add_vary_header("Cookie")
        chosen = requested(request)
        if chosen is not None and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(
                COOKIE,
                chosen,
                max_age=COOKIE_MAX_AGE,
                path="/",
                samesite="lax",
                httponly=True,  # no script reads it; the server does
                secure=request.url.scheme == "https",
            )
        return response
