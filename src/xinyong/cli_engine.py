"""`xinyong check` and `xinyong recompute`: the engine from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from xinyong import cli_common as common
from xinyong.cli_common import ActorOpt, DbOpt, JsonOpt

if TYPE_CHECKING:
    from xinyong.catalogue import Catalogue

CatalogueOpt = Annotated[
    Path | None,
    typer.Option("--catalogue", help="catalogue folder (else XINYONG_CATALOGUE, else ./catalogue)"),
]


def _day(raw: str | None, flag: str) -> dt.date:
    from xinyong.timeutil import today_cst

    try:
        return dt.date.fromisoformat(raw) if raw else today_cst()
    except ValueError:
        common.fail(f"{flag} {raw!r} is not a date (YYYY-MM-DD)", 2)


def _catalogue(path: Path | None) -> Catalogue:
    from xinyong.catalogue import CatalogueError, load_catalogue

    try:
        return load_catalogue(path)
    except CatalogueError as exc:
        common.fail("; ".join(exc.problems), 2)


def check(
    code: Annotated[str, typer.Argument(help="the subject's USCC or resident ID")],
    measure: Annotated[str, typer.Argument(help="catalogue measure code, e.g. procurement.bar")],
    on: Annotated[str | None, typer.Option("--on", help="date asked about (default today)")] = None,
    known_at: Annotated[
        int | None, typer.Option("--known-at", min=0, help="journal sequence number")
    ] = None,
    catalogue: CatalogueOpt = None,
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Does MEASURE apply to the subject on a date? Exit 0 either way; the answer says.

    Example: xinyong check 91350200776049653A procurement.bar --on 2026-01-01 --json
    """
    from xinyong.codes import CodeError
    from xinyong.evaluate import Rules
    from xinyong.registry import BeyondJournal, pin_position, resolve_code
    from xinyong.registry.checklog import CheckLog, Feedback
    from xinyong.registry.measures import UnknownMeasure
    from xinyong.registry.measures import check as run_check
    from xinyong.store import reads

    day = _day(on, "--on")
    rules = Rules(_catalogue(catalogue))
    with common.engine(db) as engine:
        with engine.connect() as conn:
            try:
                readings = resolve_code(code, common.hasher(engine), conn)
                position = pin_position(conn, known_at)
            except CodeError as exc:
                common.fail("malformed code: " + "; ".join(exc.reasons), 2)
            except BeyondJournal as exc:
                common.fail(str(exc), 2)
            found = next(
                (
                    s
                    for s in (reads.subject(conn, r.subject_key, position) for r in readings)
                    if s is not None
                ),
                None,
            )
            if found is None:
                common.fail(f"no subject with code {readings[0].public_code}", 1)
            try:
                answer = run_check(conn, rules, found, measure, day, position)
            except UnknownMeasure as exc:
                common.fail(str(exc), 2)
        log = CheckLog(engine)
        log.add(
            Feedback(
                answer["checked_at"],
                common.actor(actor),
                found.subject_key,
                measure,
                day,
                bool(answer["applies"]),
                position,
            )
        )
        log.flush()
    if json_out:
        common.emit_json(answer)
        return
    verdict = "[bold red]applies[/]" if answer["applies"] else "[bold green]does not apply[/]"
    common.out.print(f"{measure} {verdict} to {found.name} ({found.code}) on {day}")
    for chain in answer["because"]:
        listing = chain["listing"]
        common.out.print(
            f"  ← {chain['memorandum']['code']} ← {chain['list']['code']} ← decision "
            f"{listing['decision']} by {listing['authority']}, {listing['start']} – "
            f"{listing.get('planned_end') or '…'}"
        )
    for listing in answer["suspended_by"]:
        common.out.print(f"  suspended by {listing['list']} decision {listing['decision']}")
    if answer["applies"]:
        common.out.print("  binds: " + ", ".join(t["role"] for t in answer["targets"]))


def recompute(
    as_of: Annotated[str | None, typer.Option("--as-of", help="date (default today)")] = None,
    derive: Annotated[
        bool, typer.Option("--derive/--no-derive", help="derive listings from criteria first")
    ] = True,
    catalogue: CatalogueOpt = None,
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Derive the listings the catalogue's criteria call for, then materialise every subject's
    lists, measures and flags on a date, for fast reads and statistics.

    Example: xinyong recompute --as-of 2026-07-01 --json
    """
    from xinyong.cli import _progress
    from xinyong.registry.derive import run_derivation
    from xinyong.registry.recompute import recompute as run_recompute

    day = _day(as_of, "--as-of")
    cat = _catalogue(catalogue)
    with common.engine(db) as engine, _progress(not json_out) as progress:
        derived = None
        if derive:
            task = progress.add_task("deriving", total=None)

            def moved(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            derived = run_derivation(engine, cat, day, actor=common.actor(actor), progress=moved)
        task = progress.add_task("materialising", total=None)
        summary = run_recompute(engine, cat, day, progress=lambda n: progress.advance(task, n))
    summary.derived = derived.as_dict() if derived is not None else None
    if json_out:
        common.emit_json(summary.__dict__)
        return
    if derived is not None:
        common.out.print("derived: " + ", ".join(f"{k} {v}" for k, v in derived.as_dict().items()))
    table = Table("list", "subjects", title=f"lists in force on {summary.as_of}")
    for code, n in sorted(summary.by_list.items()):
        table.add_row(code, str(n))
    common.out.print(table)
    common.out.print(f"{summary.subjects_listed} subjects listed; journal {summary.journal_seq}")


def deadlines(
    on: Annotated[str | None, typer.Option("--on", help="date (default today)")] = None,
    mail: Annotated[
        bool, typer.Option("--mail/--no-mail", help="mail queued notices (XINYONG_SMTP_HOST)")
    ] = True,
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Escalate objections and repair applications past their deadline (shown to auditors and
    told to the subject), remind subject accounts of an annual report due within 30 days, and
    mail notices not yet mailed. Run daily, like recompute.

    Example: xinyong deadlines --json
    """
    from xinyong.workflows.deadlines import escalate
    from xinyong.workflows.notices import deliver

    day = _day(on, "--on")
    with common.engine(db) as engine:
        with common.writing(engine) as conn:
            counts = escalate(conn, day, common.actor(actor))
        sent, failed = deliver(engine) if mail else (0, 0)
    result = {"on": day.isoformat(), "escalated": counts, "mailed": sent, "mail_failed": failed}
    if json_out:
        common.emit_json(result)
        return
    common.out.print(
        f"escalated {counts['objections']} objection(s) and {counts['repairs']} repair "
        f"application(s); {counts['reminders']} reminder(s); mailed {sent}, failed {failed}"
    )
