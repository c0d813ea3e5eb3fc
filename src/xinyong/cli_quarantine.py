"""`xinyong quarantine`: see, export, retry and decide rejected rows."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xinyong import cli_common as common
from xinyong.ingest import quarantine as q

app = typer.Typer(
    help="Rejected rows: list, show, export for fixing, retry, decide.", no_args_is_help=True
)

StatusOpt = Annotated[
    str, typer.Option("--status", help="waiting (open + review) | open | review | closed | all")
]
SourceOpt = Annotated[str | None, typer.Option("--source", help="only rows from this agency")]
BatchOpt = Annotated[str | None, typer.Option("--batch", help="only rows from this ingest batch")]


def _token(after: int) -> str:
    return base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=")


def _after(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except ValueError:
        common.fail("--next: not a token this command printed", 2)


@app.command("list")
def list_(
    status: StatusOpt = "waiting",
    source: SourceOpt = None,
    batch: BatchOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    next_: Annotated[str | None, typer.Option("--next", help="token from a previous page")] = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """List quarantined rows with every reason (resident IDs masked).

    Example: xinyong quarantine list --source samr --json
    """
    flt = q.Filter(status=status, source=source, batch=batch)
    with common.engine(db) as engine, engine.connect() as conn:
        cipher = q.QuarantineCipher(common.hasher(engine))
        entries, total = q.list_entries(conn, cipher, flt, limit=limit + 1, after=_after(next_))
    more = len(entries) > limit
    entries = entries[:limit]
    token = _token(entries[-1].id) if more else None
    if json_out:
        results = [
            {
                k: e.as_json()[k]
                for k in (
                    "id",
                    "file",
                    "sheet",
                    "row",
                    "reasons",
                    "data",
                    "status",
                    "source",
                    "kind",
                    "batch",
                )
            }
            for e in entries
        ]
        common.emit_json({"results": results, "total": total, "next": token})
        return
    table = Table("id", "status", "file", "sheet", "row", "reasons", title=f"{total} row(s)")
    for e in entries:
        table.add_row(
            str(e.id), e.status, Path(e.file).name, e.sheet or "", str(e.row), "\n".join(e.reasons)
        )
    common.out.print(table)
    if token:
        common.out.print(f"more: --next {token}")


@app.command("show")
def show(
    entry_id: Annotated[int, typer.Argument(help="quarantine entry id")],
    unmasked: Annotated[bool, typer.Option("--unmasked", help="show resident IDs in full")] = False,
    purpose: Annotated[str | None, typer.Option("--purpose", help="why (required, logged)")] = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """Show one quarantined row: every cell as the file had it, and every reason.

    Example: xinyong quarantine show 12 --json
    """
    with common.engine(db) as engine:
        cipher = q.QuarantineCipher(common.hasher(engine))  # before the write lock below
        with common.writing(engine) as conn:
            if unmasked:
                _log(conn, "quarantine.show", purpose, {"ids": [entry_id]})
            entries, _ = q.list_entries(
                conn, cipher, q.Filter(status="all", ids=(entry_id,)), unmasked=unmasked
            )
    if not entries:
        common.fail(f"no quarantine entry {entry_id}", 1)
    entry = entries[0]
    if json_out:
        common.emit_json(entry.as_json())
        return
    common.out.print(
        f"[bold]#{entry.id}[/] {entry.status} · {entry.file}"
        f"{' · ' + entry.sheet if entry.sheet else ''} · row {entry.row}"
    )
    for reason in entry.reasons:
        common.out.print(f"  [red]✗[/] {reason}")
    table = Table("column", "value")
    for key, value in entry.data.items():
        table.add_row(key, value)
    common.out.print(table)


def _log(conn: object, action: str, purpose: str | None, detail: object) -> None:
    try:
        q.log_access(conn, common.actor(None), action, purpose or "", detail)  # type: ignore[arg-type]
    except ValueError as exc:
        common.fail(str(exc), 2)


@app.command("export")
def export(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the files into")],
    purpose: Annotated[str, typer.Option("--purpose", help="why (logged): the rows are unmasked")],
    status: StatusOpt = "waiting",
    source: SourceOpt = None,
    batch: BatchOpt = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """Write quarantined rows back in their original format, with a reasons column, for the
    agency to fix and resubmit (the quarantine_id column routes each row back to its entry).

    Example: xinyong quarantine export --source samr --out fix/ --purpose "return to SAMR clerk"
    """
    from xinyong.ingest.export import export_entries

    flt = q.Filter(status=status, source=source, batch=batch)
    with common.engine(db) as engine:
        cipher = q.QuarantineCipher(common.hasher(engine))  # before the write lock below
        with common.writing(engine) as conn:
            entries, _ = q.list_entries(conn, cipher, flt, limit=None, unmasked=True)
            detail = {"ids": [e.id for e in entries], "out": str(out_dir)}
            _log(conn, "quarantine.export", purpose, detail)
    files = export_entries(entries, out_dir)
    if json_out:
        common.emit_json({"files": [str(f) for f in files], "rows": len(entries)})
        return
    for f in files:
        common.out.print(f"wrote {f}")
    common.out.print(f"{len(entries)} row(s); fix them and ingest the files again")


@app.command("retry")
def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="entry ids (default: all waiting)")
    ] = None,
    source: SourceOpt = None,
    actor: common.ActorOpt = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """Run waiting rows through validation again (after a catalogue change or an accepted
    legacy code): rows that now pass are ingested and their entries closed.

    Example: xinyong quarantine retry 12 13
    """
    flt = q.Filter(status="waiting", source=source, ids=tuple(ids or ()))
    _reprocess(flt, actor, db, json_out, overrides=None)


def _reprocess(
    flt: q.Filter,
    actor: str | None,
    db: str | None,
    json_out: bool,
    overrides: dict[str, str] | None,
) -> None:
    from xinyong.ingest.pipeline import reprocess

    with common.engine(db) as engine:
        hasher = common.hasher(engine)
        with engine.connect() as conn:
            entries, _ = q.list_entries(
                conn, q.QuarantineCipher(hasher), flt, limit=None, unmasked=True
            )
        if not entries:
            common.fail("no waiting quarantine entries match", 1)
        summary = reprocess(
            engine, entries, actor=common.actor(actor), hasher=hasher, overrides=overrides
        )
    result = {k: v for k, v in summary.as_dict().items() if k != "kinds"}
    if json_out:
        common.emit_json(result)
        return
    common.out.print(
        f"{summary.rows} row(s): {summary.accepted} accepted, {summary.corrected} "
        f"corrected, {summary.duplicates} already there, {summary.quarantined} "
        f"still quarantined, {summary.closed} entr(y/ies) closed"
    )


@app.command("accept-legacy")
def accept_legacy(
    entry_id: Annotated[int, typer.Argument(help="the entry whose code fails its check")],
    reason: Annotated[str, typer.Option("--reason", help="why this code is genuine (journaled)")],
    actor: common.ActorOpt = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """Accept the row's failing USCC as a genuinely issued legacy code (journaled with your
    reason), then retry the row.

    Example: xinyong quarantine accept-legacy 12 --reason "confirmed with the issuing AIC"
    """
    from xinyong.codes import normalise_code
    from xinyong.ingest.mapping import load_mapping
    from xinyong.store import Change, ChangeRejected, apply

    with common.engine(db) as engine:
        hasher = common.hasher(engine)
        with engine.connect() as conn:
            entries, _ = q.list_entries(
                conn, q.QuarantineCipher(hasher), q.Filter(ids=(entry_id,)), unmasked=True
            )
        if not entries or entries[0].kind is None:
            common.fail(f"no waiting quarantine entry {entry_id}", 1)
        entry = entries[0]
        headers = load_mapping(entry.kind).resolve(list(entry.data))
        code = next((normalise_code(entry.data[h]) for h, f in headers.items() if f == "uscc"), "")
        if not code or not _fails_only_check_characters(code):
            common.fail(
                f"entry {entry_id}: its USCC must be well formed and fail only a check "
                "character (the final one or the organisation code's) to be accepted as legacy",
                2,
            )
        change = Change(
            "code.legacy_accepted", {"code": code, "reason": reason, "quarantine_id": entry_id}
        )
        try:
            apply(engine, [change], actor=common.actor(actor))
        except ChangeRejected as exc:
            common.fail("; ".join(exc.reasons), 2)
    if not json_out:
        common.out.print(f"accepted {code} as a legacy code; retrying the row")
    _reprocess(q.Filter(ids=(entry_id,)), actor, db, json_out, overrides=None)


def _fails_only_check_characters(code: str) -> bool:
    """A genuine legacy code is well formed and fails only a check; a resident ID never
    qualifies, whatever it fails (it would be journaled in clear)."""
    from xinyong.codes import CodeError, looks_like_ric, validate_uscc

    if looks_like_ric(code):
        return False
    try:
        validate_uscc(code)
    except CodeError as exc:
        return all("check character" in reason for reason in exc.reasons)
    return False  # a valid code needs no acceptance


@app.command("resolve")
def resolve(
    entry_id: Annotated[int, typer.Argument(help="a row waiting for review")],
    subject: Annotated[str, typer.Option("--subject", help="USCC of the subject meant")],
    actor: common.ActorOpt = None,
    db: common.DbOpt = None,
    json_out: common.JsonOpt = False,
) -> None:
    """Decide which subject an ambiguous row is about, then ingest it (you are the actor).

    Example: xinyong quarantine resolve 12 --subject 91330106MA5CJQ4N5N
    """
    from xinyong.codes import CodeError, validate_uscc
    from xinyong.store.reads import subject as read_subject

    try:
        code = validate_uscc(subject)
    except CodeError as exc:
        common.fail("--subject: " + "; ".join(exc.reasons), 2)
    with common.engine(db) as engine, engine.connect() as conn:
        waiting = q.list_entries(
            conn,
            q.QuarantineCipher(common.hasher(engine)),
            q.Filter(status="review", ids=(entry_id,)),
        )[0]
        known = read_subject(conn, code) is not None
    if not waiting:
        common.fail(f"entry {entry_id} is not waiting for review", 1)
    if not known:
        common.fail(f"--subject {code}: no such subject in the registry", 2)
    _reprocess(
        q.Filter(status="review", ids=(entry_id,)), actor, db, json_out, overrides={"uscc": code}
    )
