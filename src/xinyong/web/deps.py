"""Per-process state and request dependencies: one engine per worker, opened once."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import Depends, Path, Query, Request
from sqlalchemy import Connection, Engine

from xinyong.codes import CodeError, IdHasher
from xinyong.evaluate import Rules
from xinyong.registry import BeyondJournal, pin_position, resolve_code
from xinyong.registry.checklog import CheckLog
from xinyong.registry.lookup import ResolvedCode
from xinyong.timeutil import today_cst
from xinyong.web.problems import Problem


@dataclass
class AppState:
    engine: Engine
    hasher: IdHasher
    rules: Rules
    check_log: CheckLog
    # Today's date in Beijing for workflow steps (filing dates, deadlines). Tests move it; the
    # server never takes a date for these from a request.
    today: Callable[[], dt.date] = today_cst


def state(request: Request) -> AppState:
    return request.app.state.xinyong  # type: ignore[no-any-return]


def connection(request: Request) -> Iterator[Connection]:
    with state(request).engine.connect() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(connection)]
StateDep = Annotated[AppState, Depends(state)]
# Ids of records, listings and cases are journal sequence numbers: positive 64-bit integers (a
# larger number cannot name anything and would overflow the database driver).
MAX_ID = 2**63 - 1
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record, listing or case id")]
AsOf = Annotated[
    dt.date | None, Query(description="valid time: what was in force on this date (default today)")
]
KnownAt = Annotated[
    int | None,
    Query(ge=0, description="transaction time: the registry as it stood after this journal entry"),
]


def pin(conn: Connection, known_at: int | None) -> int:
    """The journal position an answer is read at (see `registry.pin_position`); 422 if beyond."""
    try:
        return pin_position(conn, known_at)
    except BeyondJournal as exc:
        raise Problem(422, "Invalid request", [f"known_at: {exc}"]) from None


def as_of_or_today(as_of: dt.date | None) -> dt.date:
    return as_of or today_cst()


def resolve(raw: str, hasher: IdHasher, conn: Connection | None = None) -> list[ResolvedCode]:
    try:
        return resolve_code(raw, hasher, conn)
    except CodeError as exc:
        raise Problem(
            422,
            "Malformed code",
            exc.reasons,
            detail=f"{len(exc.reasons)} problem(s) with the code",
        ) from None


@dataclass(frozen=True)
class PageToken:
    """Where the next page starts, pinned to the journal position of the first page so that
    writes in between cannot shift rows across pages; bound to its query and page size."""

    offset: int
    known_at: int
    query: str  # a short digest of the query, so a token is refused for another query
    limit: int


def query_digest(q: str) -> str:
    return hashlib.sha256(q.encode("utf-8")).hexdigest()[:12]


def encode_token(token: PageToken) -> str:
    data = {"o": token.offset, "k": token.known_at, "q": token.query, "l": token.limit}
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode_token(raw: str | None, q: str, limit: int) -> PageToken | None:
    if not raw:
        return None
    refused = Problem(422, "Invalid request", ["next: not a token this server issued"])
    try:
        data = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        token = PageToken(int(data["o"]), int(data["k"]), str(data["q"]), int(data["l"]))
    except (ValueError, KeyError, TypeError):
        raise refused from None
    if token.offset < 0 or token.known_at < 0:
        raise refused
    if token.query != query_digest(q) or token.limit != limit:
        raise Problem(
            422, "Invalid request", ["next: the token belongs to another query or page size"]
        )
    return token
