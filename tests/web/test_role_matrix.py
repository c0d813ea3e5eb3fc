"""The role × route matrix that docs/security.md publishes, walked against the running app:
every route with every role, each ✓ passing the role gate and each — refused, and no route of
the app missing from the table (a new route must be given its row before it can ship)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, subject

from xinyong.accounts import add_user, issue_token
from xinyong.accounts.sessions import ANON_COOKIE, CSRF_FIELD, SESSION_COOKIE, start_session
from xinyong.codes import IdHasher, load_or_create_key
from xinyong.registry.apikeys import create_key
from xinyong.store import apply
from xinyong.store.db import writing
from xinyong.web import create_app

DOC = Path(__file__).parents[2] / "docs" / "security.md"
ROLES = ("public", "subject", "officer", "reviewer", "authority", "admin", "auditor", "system")
ACME = make_uscc("MA5CJQ4N")
PASSWORD = "correct horse battery staple"
# Routes the table leaves out on purpose (it says so): API documentation, CORS pre-flights, and
# the transparency log, public by design.
UNLISTED = re.compile(r"^(/openapi\.json|/docs.*|/redoc|/static.*|/api/v1/ledger.*|/ledger.*)$")


def _table() -> dict[tuple[str, str], dict[str, bool]]:
    rows: dict[tuple[str, str], dict[str, bool]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)` \|(.*)\|$", line)
        if m is None:
            continue
        cells = [c.strip() for c in m.group(3).split("|")]
        assert len(cells) == len(ROLES), line
        assert set(cells) <= {"✓", "—"}, line
        rows[(m.group(1), m.group(2))] = {r: c == "✓" for r, c in zip(ROLES, cells, strict=True)}
    return rows


TABLE = _table()


def _app_routes(app: Any) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = (
            list(route.effective_route_contexts())
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for c in contexts:
            for method in getattr(c, "methods", None) or ():
                if method in ("HEAD", "OPTIONS") or UNLISTED.match(c.path):
                    continue
                found.add((method, c.path.rstrip("/") or "/"))
    return found


@dataclass
class Credentials:
    headers: dict[str, str]
    cookies: dict[str, str]
    csrf: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from xinyong.store import make_engine, upgrade

    tmp = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{tmp / 'matrix.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    apply(engine, [agency(), subject(ACME, "杭州某某科技有限公司")], actor="test")
    key_file = tmp / "id.key"
    IdHasher(load_or_create_key(key_file))
    app = create_app(url, key_file=str(key_file), rate_limit=0)
    keys = app.state.session_keys
    creds: dict[str, Credentials] = {}
    with writing(engine) as conn:
        for role in ROLES[1:-1]:
            user = add_user(
                conn,
                role,
                role,
                created_by="test",
                agency="samr" if role in ("officer", "reviewer", "authority") else None,
                subject_key=ACME if role == "subject" else None,
                password=PASSWORD,
            )
            token = issue_token(conn, user)
            session = start_session(conn, user.id)
            creds[role] = Credentials(
                {"Authorization": f"Bearer {token}"},
                {SESSION_COOKIE: keys.sign(session)},
                keys.csrf_token(f"s:{session}"),
            )
        secret, _ = create_key(
            conn, "samr", "agency system", ["records:write", "listings:write"], "test"
        )
    creds["system"] = Credentials({"Authorization": f"Bearer {secret}"}, {}, "")
    anon = "matrix-anonymous-cookie"
    creds["public"] = Credentials({}, {ANON_COOKIE: anon}, keys.csrf_token(f"a:{anon}"))
    with TestClient(app) as client:
        yield {"client": client, "app": app, "creds": creds}
    engine.dispose()


def test_every_route_of_the_app_has_its_row_and_every_row_a_route(world: dict[str, Any]) -> None:
    routes = _app_routes(world["app"])
    assert routes - set(TABLE) == set(), "routes missing from docs/security.md"
    assert set(TABLE) - routes == set(), "rows in docs/security.md for routes that do not exist"


def _path(template: str) -> str:
    values = {
        "code": ACME,
        "record_id": "999999",
        "objection_id": "999999",
        "repair_id": "999999",
        "batch_id": "no-such-batch",
        "id": f"cn-uscc-{ACME}",
        "sha256": "0" * 64,
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def _request(client: TestClient, method: str, path: str, role: str, c: Credentials) -> Any:
    client.cookies.clear()
    for name, value in c.cookies.items():
        client.cookies.set(name, value)
    headers = dict(c.headers)
    if c.csrf:
        headers["X-CSRF-Token"] = c.csrf
    if method == "GET":
        params = {"q": "杭州", "subject": ACME, "measure": "procurement.bar"}
        return client.get(path, headers=headers, params=params, follow_redirects=False)
    if path.startswith("/api/"):
        return client.post(path, headers=headers, json={}, follow_redirects=False)
    form = {CSRF_FIELD: c.csrf}
    if path == "/login":
        name = role if role not in ("public", "system") else "subject"
        form |= {"name": name, "password": PASSWORD, "next": "/"}
    return client.post(path, headers=headers, data=form, follow_redirects=False)


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and location.startswith("/login")


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0]} {r[1]}")
def test_role_gate(world: dict[str, Any], route: tuple[str, str]) -> None:
    method, template = route
    client: TestClient = world["client"]
    wrong = []
    for role in ROLES:
        response = _request(client, method, _path(template), role, world["creds"][role])
        allowed = TABLE[route][role]
        if allowed == _refused(response) or response.status_code >= 500:
            wrong.append(f"{role}: {response.status_code} {response.text[:160]}")
    assert wrong == [], f"{method} {template}"
