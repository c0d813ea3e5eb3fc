"""What every `xinyong` command shares: consoles, the --db/--json/--actor options, clean
failures (one line, non-zero exit, never a traceback), and the checked database and ID key."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Connection, Engine

from xinyong.codes import IdHasher
from xinyong.config import db_url, id_key_path

out = Console()
err = Console(stderr=True)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="database URL (else XINYONG_DB, else sqlite:///xinyong.db)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="accountable actor for the journal (default operator:<login>)"),
]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def engine(db: str | None) -> Iterator[Engine]:
    """The database, checked to be at the current schema; pooled connections closed on exit."""
    from xinyong.store import make_engine
    from xinyong.store.migrate import current_revision, head_revision

    eng = make_engine(db_url(db))
    try:
        if current_revision(eng) != head_revision():
            fail(
                f"the database at {db_url(db)} is not initialised or is out of date: "
                "run `xinyong init`"
            )
        yield eng
    finally:
        eng.dispose()


@contextmanager
def writing(eng: Engine) -> Iterator[Connection]:
    from xinyong.store.db import writing as write_transaction

    with write_transaction(eng) as conn:
        yield conn


def hasher(eng: Engine) -> IdHasher:
    from xinyong.store.meta import KeyMismatch, open_hasher

    try:
        return open_hasher(eng, id_key_path())
    except KeyMismatch as exc:
        fail(str(exc), 1)


def actor(explicit: str | None) -> str:
    return explicit or f"operator:{getpass.getuser()}"
