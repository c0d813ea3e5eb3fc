"""Who is asking, and may they: one dependency for every protected route.

A request is authenticated by a bearer token (`xyu_…`: a user's, `xy_…`: an agency system's API
key) or by the session cookie of a signed-in person; otherwise it is public. A session-cookie
request that changes anything must carry the CSRF token of its session (form field `csrf_token`
or header `X-CSRF-Token`); bearer requests carry no ambient credentials and need none. Routes
declare the roles they admit with `require(...)`; docs/security.md publishes the matrix and
tests/web/test_role_matrix.py walks it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from xinyong.accounts import Principal, Role, anonymous, principal_for_token
from xinyong.accounts.sessions import (
    ANON_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    SessionKeys,
    session_principal,
)
from xinyong.registry.apikeys import verify as verify_api_key
from xinyong.store.changes import ChangeRejected
from xinyong.web.deps import state
from xinyong.web.problems import Problem
from xinyong.workflows import WorkflowError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TITLES = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Refused"}


class LoginRequired(Exception):
    """A page needs a signed-in person: the browser is sent to the sign-in page."""

    def __init__(self, expired: bool) -> None:
        self.expired = expired


def keys(request: Request) -> SessionKeys:
    return request.app.state.session_keys  # type: ignore[no-any-return]


async def principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = await _authenticate(request)
    request.state.principal = found
    return found


async def _authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "Unauthorized", ["send Authorization: Bearer <token>"])
        found = _bearer(request, token.strip())
        if found is None:
            raise Problem(
                401,
                "Unauthorized",
                ["the token is not valid, was revoked, or its account is disabled"],
            )
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return anonymous()
    session_id = keys(request).unsign(cookie)
    with state(request).engine.connect() as conn:
        found = session_principal(conn, session_id) if session_id else None
    if found is None or session_id is None:
        raise _expired(request)
    request.state.session_id = session_id
    if request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER)
        if presented is None and _is_form(request):
            presented = str((await request.form()).get(CSRF_FIELD) or "")
        if not keys(request).csrf_ok(f"s:{session_id}", presented):
            raise Problem(
                403,
                "Forbidden",
                ["CSRF token missing or wrong: reload the page and submit the form again"],
            )
    return found


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def _expired(request: Request) -> Exception:
    if request.url.path.startswith("/api/"):
        return Problem(401, "Unauthorized", ["the session has expired or ended: sign in again"])
    return LoginRequired(expired=True)


def _bearer(request: Request, token: str) -> Principal | None:
    with state(request).engine.connect() as conn:
        if token.startswith("xyu_"):
            return principal_for_token(conn, token)
        key = verify_api_key(conn, token)
    if key is None:
        return None
    return Principal("system", name=key.actor, agency=key.agency, via="apikey", scopes=key.scopes)


PrincipalDep = Annotated[Principal, Depends(principal)]


def require(*roles: Role, scope: str | None = None) -> Any:
    """A dependency admitting only these roles (and, for API keys, this scope)."""

    async def check(request: Request, who: PrincipalDep) -> Principal:
        if not who.signed_in:
            if request.url.path.startswith("/api/"):
                raise Problem(
                    401, "Unauthorized", ["sign in, or send Authorization: Bearer <token>"]
                )
            raise LoginRequired(expired=False)
        if who.role not in roles:
            raise Problem(
                403, "Forbidden", [f"a {who.role} may not do this (allowed: {', '.join(roles)})"]
            )
        if who.via == "apikey" and scope is not None and scope not in who.scopes:
            raise Problem(403, "Forbidden", [f"the API key lacks the scope {scope}"])
        return who

    return Depends(check)


def problem(exc: WorkflowError) -> Problem:
    return Problem(exc.status, TITLES.get(exc.status, "Refused"), exc.reasons)


# --- CSRF for anonymous forms (sign-in, screening upload): a random cookie bound to the token.


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back."""
    session_id = getattr(request.state, "session_id", None)
    if session_id is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        session_id = keys(request).unsign(cookie) if cookie else None
    if session_id:
        return keys(request).csrf_token(f"s:{session_id}")
    anon = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon", None)
    if anon is None:
        anon = secrets.token_urlsafe(24)
        request.state.new_anon = anon  # the page's response sets the cookie
    return keys(request).csrf_token(f"a:{anon}")


async def check_anonymous_csrf(request: Request) -> None:
    """For forms anyone may post: the token must match the browser's own random cookie."""
    if getattr(request.state, "session_id", None):
        return  # checked with the session in `principal`
    anon = request.cookies.get(ANON_COOKIE)
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and _is_form(request):
        presented = str((await request.form()).get(CSRF_FIELD) or "")
    if not anon or not keys(request).csrf_ok(f"a:{anon}", presented):
        raise Problem(
            403, "Forbidden", ["CSRF token missing or wrong: reload the page and submit again"]
        )


async def anonymous_form(request: Request, who: PrincipalDep) -> Principal:
    """CSRF for forms anyone may post (sign-in, screening upload). A session request's token was
    checked against its session by `principal`, and a bearer request carries no ambient
    credential; anyone else must send the token bound to their own `xy_csrf` cookie."""
    if who.via not in ("token", "apikey"):
        await check_anonymous_csrf(request)
    return who


def set_anon_cookie(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_anon", None)
    if new is not None:
        response.set_cookie(
            ANON_COOKIE,
            new,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )


def install(app: Any) -> None:
    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        where = "/login?next=" + _quote(target) + ("&expired=1" if exc.expired else "")
        response = RedirectResponse(where, status_code=303)
        if exc.expired:
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def on_workflow(request: Request, exc: Exception) -> Response:
        from xinyong.web.problems import problem_response

        assert isinstance(exc, WorkflowError)
        return problem_response(request, problem(exc))

    async def on_rejected(request: Request, exc: Exception) -> Response:
        """A change the apply path refused (a race between two reviewers, a case that moved on):
        the step is refused with the reasons, never a 500."""
        from xinyong.web.problems import problem_response

        assert isinstance(exc, ChangeRejected)
        return problem_response(request, Problem(422, "Refused", exc.reasons))

    handler: Callable[[Request, Exception], Awaitable[Response]]
    for kind, handler in (
        (LoginRequired, on_login_required),
        (WorkflowError, on_workflow),
        (ChangeRejected, on_rejected),
    ):
        app.add_exception_handler(kind, handler)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
