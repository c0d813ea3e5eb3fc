"""The `xinyong` command line. Every command takes --db; machine output with --json."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from xinyong import cli_common as common
from xinyong import cli_engine, cli_ledger, cli_screen
from xinyong.cli_apikey import app as apikey_app
from xinyong.cli_catalogue import app as catalogue_app
from xinyong.cli_common import DbOpt, JsonOpt
from xinyong.cli_ledger import app as ledger_app
from xinyong.cli_quarantine import app as quarantine_app
from xinyong.cli_user import app as user_app
from xinyong.codes import CodeError
from xinyong.config import db_url, id_key_path

app = typer.Typer(
    name="xinyong",
    help="An accountable credit registry: ingest, search, explain, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
subject_app = typer.Typer(help="Read one subject's file.", no_args_is_help=True)
app.add_typer(subject_app, name="subject")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(apikey_app, name="apikey")
app.add_typer(user_app, name="user")
app.add_typer(ledger_app, name="ledger")
app.command("audit")(cli_ledger.audit)
app.command("check")(cli_engine.check)
app.command("recompute")(cli_engine.recompute)
app.command("deadlines")(cli_engine.deadlines)
app.command("screen")(cli_screen.screen)
out, err = common.out, common.err


@app.command()
def init(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Create the schema, or upgrade it to the newest migration. Safe to run again.

    Example: xinyong init --db sqlite:///xinyong.db
    """
    from xinyong.store import make_engine, upgrade

    engine = make_engine(db_url(db))
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    ledger_key = cli_ledger.ensure_key(db)  # the transparency log's signing key, made once
    if json_out:
        common.emit_json(
            {"database": db_url(db), "before": before, "after": after, "ledger_key": ledger_key}
        )
    else:
        state = "already at" if before == after else f"upgraded from {before or 'empty'} to"
        out.print(f"schema {state} revision {after} ({db_url(db)})")


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write into")],
    subjects: Annotated[
        int, typer.Option("--subjects", min=1, help="organisations to create")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same bytes")] = 1,
    defects: Annotated[
        float,
        typer.Option("--defects", min=0.0, max=1.0, help="share of rows given each defect kind"),
    ] = 0.0,
    json_out: JsonOpt = False,
) -> None:
    """Write deterministic synthetic agency files (registry, licences, penalties) and a manifest.

    Example: xinyong generate --subjects 20000 --seed 1 --out data/demo --defects 0.02
    """
    from xinyong.synth import generate as run

    with _progress(not json_out) as progress:
        task = progress.add_task("generating", total=subjects)
        manifest = run(
            out_dir,
            subjects,
            seed,
            defects,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if json_out:
        common.emit_json(json.loads((out_dir / "manifest.json").read_text(encoding="utf-8")))
    else:
        table = Table("file", "kind", "source", "rows")
        for f in manifest.files:
            table.add_row(f.path, f.kind, f.source, str(f.rows))
        out.print(table)


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX files", exists=False)],
    source: Annotated[str, typer.Option("--source", help="code of the sending agency")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="registry | licence | penalty (else detected)")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="CSV encoding (else detected)")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="accountable actor for the journal")
    ] = None,
    catalogue: Annotated[
        Path | None,
        typer.Option(
            "--catalogue", help="catalogue folder (else XINYONG_CATALOGUE, else ./catalogue)"
        ),
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Ingest agency files: valid rows are applied and journaled, the rest quarantined with reasons.

    Example: xinyong ingest penalties/samr.csv --source samr --kind penalty
    """
    from xinyong.catalogue import load_catalogue
    from xinyong.ingest import UnreadableFile, ingest_files

    try:
        with common.engine(db) as engine, _progress(not json_out) as progress:
            task = progress.add_task("ingesting", total=None)
            summary = ingest_files(
                engine,
                files,
                source=source,
                actor=common.actor(actor),
                hasher=common.hasher(engine),
                kind=kind,
                encoding=encoding,
                progress=lambda n: progress.advance(task, n),
                catalogue=load_catalogue(catalogue),
                expect=lambda total: progress.update(task, total=total),
            )
            # the estimate counted blank rows too: the bar ends full
            progress.update(task, total=progress.tasks[task].completed)
    except (UnreadableFile, ValueError) as exc:
        common.fail(str(exc), 2)
    result = {k: v for k, v in summary.as_dict().items() if k != "kinds"}
    if json_out:
        common.emit_json(result)
        return
    table = Table(*result.keys())
    table.add_row(*(str(v) for v in result.values()))
    out.print(table)


@subject_app.command("show")
def subject_show(
    code: Annotated[str, typer.Argument(help="USCC or resident ID")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    known_at: Annotated[
        int | None, typer.Option("--known-at", min=0, help="journal sequence number")
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a subject, its names and its records in force on a date.

    Example: xinyong subject show 91350200776049653A --as-of 2025-01-01 --json
    """
    from xinyong.registry import BeyondJournal, read_subject_file, resolve_code
    from xinyong.timeutil import today_cst
    from xinyong.web.models import SubjectDetail

    try:
        day = dt.date.fromisoformat(as_of) if as_of else today_cst()
    except ValueError:
        common.fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", 2)
    with common.engine(db) as engine, engine.connect() as conn:
        try:
            readings = resolve_code(code, common.hasher(engine), conn)
        except CodeError as exc:
            common.fail("malformed code: " + "; ".join(exc.reasons), 2)
        try:
            file = read_subject_file(conn, readings, day, known_at)
        except BeyondJournal as exc:
            common.fail(str(exc), 2)
    if file is None:
        common.fail(f"no subject with code {readings[0].public_code}", 1)
    detail = SubjectDetail.of(file)
    if json_out:
        common.emit_json(detail.model_dump(mode="json"))
        return
    out.print(
        f"[bold]{detail.name}[/]  {detail.code}  ({detail.kind}, {detail.status}"
        f"{', provisional' if detail.provisional else ''})"
    )
    for n in detail.names:
        if n.type != "current":
            out.print(f"  {n.type}: {n.name}")
    table = Table(
        "kind",
        "document",
        "decided",
        "in force",
        "authority",
        "source",
        title=f"records in force on {detail.as_of} (journal {detail.known_at})",
    )
    for r in detail.records:
        table.add_row(
            r.kind,
            r.doc_no,
            str(r.decision_date),
            f"{r.in_force_from} – {r.in_force_to or '…'}",
            r.authority or "",
            r.source,
        )
    out.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 1,
    db: DbOpt = None,
) -> None:
    """Serve the web site and the API (OpenAPI at /docs).

    Example: xinyong serve --port 8000 --workers 2
    """
    import uvicorn

    with common.engine(db) as engine:
        common.hasher(engine)  # refuse an uninitialised database or a wrong ID key before forking
    os.environ["XINYONG_DB"] = db_url(db)
    os.environ["XINYONG_ID_KEY_FILE"] = str(id_key_path().resolve())
    out.print(f"serving on http://{host}:{port} ({db_url(db)})")
    uvicorn.run(
        "xinyong.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@app.command()
def demo(
    subjects: Annotated[int, typer.Option("--subjects", min=1)] = 20000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    data: Annotated[Path, typer.Option("--data", help="where generated files go")] = Path("data"),
    defects: Annotated[float, typer.Option("--defects", min=0.0, max=1.0)] = 0.01,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="seed only")] = False,
    db: DbOpt = None,
) -> None:
    """Generate synthetic data, ingest it into an empty database, and serve. Reuses a seeded one.

    Example: xinyong demo --subjects 20000 --seed 1
    """
    from xinyong.store import make_engine, meta, upgrade
    from xinyong.store.db import writing
    from xinyong.store.reads import count_subjects
    from xinyong.synth.accounts import create_demo_accounts

    engine = make_engine(db_url(db))
    upgrade(engine)
    cli_ledger.ensure_key(db)
    with engine.connect() as conn:
        seeded = meta.get(conn, "demo_seeded")
        subjects_now = count_subjects(conn)
    if seeded:
        out.print(f"database already seeded ({seeded}, {subjects_now} subjects); reusing it")
    else:
        if subjects_now:
            out.print("an earlier seeding did not finish; resuming it (ingest is idempotent)")
        name = f"synth-{subjects}-{seed}"
        _seed(engine, subjects, seed, defects, data / name)
        with writing(engine) as conn:
            meta.put(conn, "demo_seeded", name)
    with writing(engine) as conn:
        made = create_demo_accounts(conn, data)
    if made:
        out.print(f"demo accounts (also in {data / 'demo-accounts.txt'}); sign in at /login:")
        for name, role, password in made:
            out.print(f"  {name:<15} {role:<10} {password}")
    with engine.connect() as conn:
        _hints(conn, f"http://{host}:{port}")
    engine.dispose()
    if not no_serve:
        serve(host=host, port=port, workers=1, db=db)


def _hints(conn: Any, base: str) -> None:
    """Print a few requests that show the registry working on the data just seeded."""
    import opencc

    from xinyong.store.reads import example_subject
    from xinyong.timeutil import today_cst

    example = example_subject(conn, today_cst())
    if example is None:
        return
    code, name = example
    traditional = opencc.OpenCC("s2t").convert(name)
    out.print("try:")
    out.print(f"  curl {base}/api/v1/subjects/{code}", soft_wrap=True)
    out.print(
        f"  curl -G {base}/api/v1/subjects --data-urlencode 'q={traditional}'", soft_wrap=True
    )
    out.print(
        f"  curl {base}/api/v1/subjects/{code[:-1]}{'0' if code[-1] != '0' else '1'}",
        soft_wrap=True,
    )
    out.print(f"  open {base}/subjects/{code}", soft_wrap=True)
    listed = _listed_example(conn, today_cst())
    if listed is not None:
        out.print(
            f"  curl '{base}/api/v1/check?subject={listed}&measure=procurement.bar'"
            "   # a court-listed debtor: barred, and why",
            soft_wrap=True,
        )
        out.print(f"  curl {base}/api/v1/subjects/{listed}/measures", soft_wrap=True)
    out.print(f"  open {base}/catalogue", soft_wrap=True)


def _listed_example(conn: Any, day: Any) -> str | None:
    """A subject on the court debtors list today, for the hints."""
    from sqlalchemy import or_, select

    from xinyong.store.schema import listings, subjects

    row = conn.execute(
        select(subjects.c.code)
        .join(listings, listings.c.subject_key == subjects.c.subject_key)
        .where(
            listings.c.list_code == "court.dishonest_judgment_debtors",
            listings.c.superseded_seq.is_(None),
            subjects.c.superseded_seq.is_(None),
            listings.c.state == "in_force",
            listings.c.start_date <= day,
            or_(listings.c.planned_end.is_(None), listings.c.planned_end >= day),
        )
        .order_by(subjects.c.code)
        .limit(1)
    ).first()
    return None if row is None else str(row[0])


def _seed(engine: Any, subjects: int, seed: int, defects: float, folder: Path) -> None:
    from xinyong.ingest import ingest_files
    from xinyong.synth import generate as run

    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        out.print(f"reusing generated files in {folder}")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    else:
        with _progress(True) as progress:
            task = progress.add_task("generating synthetic agency files", total=subjects)
            run(
                folder,
                subjects,
                seed,
                defects,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = sorted(manifest["files"], key=lambda f: f["kind"] != "registry")  # registry first
    total_rows = sum(int(f["rows"]) for f in files)
    hasher = common.hasher(engine)
    with _progress(True) as progress:
        task = progress.add_task("ingesting", total=total_rows)
        for f in files:
            progress.update(task, description=f"ingesting {f['path']}")
            summary = ingest_files(
                engine,
                [folder / f["path"]],
                source=f["source"],
                actor="operator:demo",
                hasher=hasher,
                kind=f["kind"],
                progress=lambda n: progress.advance(task, n),
            )
            progress.console.print(
                f"{f['path']}: {summary.accepted} accepted, {summary.corrected} corrected, "
                f"{summary.duplicates} duplicates, {summary.quarantined} quarantined"
            )
    _seed_listings(engine, subjects, seed, folder, hasher)


def _seed_listings(engine: Any, subjects: int, seed: int, folder: Path, hasher: Any) -> None:
    """Annual reports and listing decisions for the demo subjects, then derivation and the
    engine's recompute for today."""
    from xinyong.catalogue import load_catalogue
    from xinyong.ingest import ingest_files
    from xinyong.registry.derive import run_derivation
    from xinyong.registry.recompute import recompute
    from xinyong.synth.annual_reports import REPORT_YEAR, generate_annual_reports
    from xinyong.synth.listings import generate_listings
    from xinyong.timeutil import today_cst

    listed = folder / "listings.json"
    entries = (
        json.loads(listed.read_text(encoding="utf-8"))
        if listed.exists()
        else generate_listings(folder, subjects, seed)
    )
    catalogue = load_catalogue()
    # The enterprises' annual reports first: whoever has not filed one is what derivation
    # proposes for the abnormal operations list.
    reported = folder / "annual_reports.json"
    annual = (
        json.loads(reported.read_text(encoding="utf-8"))
        if reported.exists()
        else generate_annual_reports(folder, subjects, seed)
    )
    for f in [annual, *entries]:
        summary = ingest_files(
            engine,
            [folder / f["path"]],
            source=f["source"],
            actor="operator:demo",
            hasher=hasher,
            kind=f["kind"],
            catalogue=catalogue,
        )
        out.print(
            f"{f['path']}: {summary.accepted} accepted, {summary.duplicates} duplicates, "
            f"{summary.quarantined} quarantined"
        )
    day = today_cst()
    # The generated reports are for one year (REPORT_YEAR); derivation asks for the reports
    # last due, so from the following 1 July on it would ask for a year the demo holds none of
    # and list nobody. Derive as of the last day those reports were the ones due; a second run
    # today moves what that proposed on (notified → in force).
    due_until = dt.date(REPORT_YEAR + 2, 6, 30)
    derived = run_derivation(engine, catalogue, min(day, due_until), actor="operator:demo")
    if day > due_until:
        run_derivation(engine, catalogue, day, actor="operator:demo")
    state = recompute(engine, catalogue, day)
    out.print(
        f"engine: {derived.proposed} listings derived, {state.subjects_listed} subjects with "
        f"lists in force on {day}"
    )


class _RateColumn(ProgressColumn):
    """Rows (or subjects) per second: the figure an operator watches during a long ingest."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


def _progress(visible: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not visible,
    )


def main() -> None:
    app()
