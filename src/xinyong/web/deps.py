"""Per-process state and request dependencies: one engine per worker, opened once."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import orjson
from fastapi import Depends, Query, Request
from sqlalchemy import Connection, Engine

from xinyong.codes import CodeError, IdHasher
from xinyong.registry import resolve_code
from xinyong.registry.lookup import ResolvedCode
from xinyong.timeutil import today_cst
from xinyong.web.problems import Problem


@dataclass
class AppState:
    engine: Engine
    hasher: IdHasher


def state(request: Request) -> AppState:
    return request.app.state.xinyong  # type: ignore[no-any-return]


def connection(request: Request) -> Iterator[Connection]:
    with state(request).engine.connect() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(connection)]
StateDep = Annotated[AppState, Depends(state)]
AsOf = Annotated[
    dt.date | None, Query(description="valid time: what was in force on this date (default today)")
]
KnownAt = Annotated[
    int | None,
    Query(ge=0, description="transaction time: the registry as it stood after this journal entry"),
]


def as_of_or_today(as_of: dt.date | None) -> dt.date:
    return as_of or today_cst()


def resolve(raw: str, hasher: IdHasher) -> ResolvedCode:
    try:
        return resolve_code(raw, hasher)
    except CodeError as exc:
        raise Problem(
            422,
            "Malformed code",
            exc.reasons,
            detail=f"{len(exc.reasons)} problem(s) with the code",
        ) from None


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"o": offset})).decode().rstrip("=")


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise Problem(422, "Invalid request", ["next: not a token this server issued"]) from None
    if offset < 0:
        raise Problem(422, "Invalid request", ["next: not a token this server issued"])
    return offset
