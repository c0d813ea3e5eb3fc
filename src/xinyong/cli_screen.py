"""`xinyong screen`: a counterparty list in, each row matched and checked, the same file back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xinyong import cli_common as common
from xinyong.cli_common import DbOpt, JsonOpt


def screen(
    source: Annotated[Path, typer.Argument(help="CSV or XLSX with a name and/or code column")],
    output: Annotated[Path, typer.Option("-o", "--output", help="result file (.csv or .xlsx)")],
    on: Annotated[str | None, typer.Option("--on", help="date (default today)")] = None,
    catalogue: Annotated[Path | None, typer.Option("--catalogue", help="catalogue folder")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="processes screening in parallel (default: the cores, up to 4; lists under "
            "1,000 rows are screened in this process)",
        ),
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Screen counterparties: matched code (or none, with candidates), confidence, why, and the
    lists and measures in force; rows in input order, a bad row gets a reason.

    Example: xinyong screen suppliers.xlsx -o suppliers.screened.xlsx
    """
    from xinyong.catalogue import CatalogueError, load_catalogue
    from xinyong.cli import _progress
    from xinyong.config import db_url, id_key_path
    from xinyong.evaluate import Rules
    from xinyong.screen import read_screen_file, screen_rows, write_screen_file
    from xinyong.screen.files import ScreenFileError
    from xinyong.screen.parallel import (
        PARALLEL_FROM,
        Setup,
        default_workers,
        screen_in_parallel,
    )
    from xinyong.store.reads import journal_seq
    from xinyong.timeutil import today_cst

    try:
        day = dt.date.fromisoformat(on) if on else today_cst()
    except ValueError:
        common.fail(f"--on {on!r} is not a date (YYYY-MM-DD)", 2)
    if output.suffix.lower() not in (".csv", ".xlsx"):
        common.fail(f"-o {output}: write .csv or .xlsx", 2)
    if not source.exists():
        common.fail(f"{source}: no such file", 2)
    try:
        header, raw, inputs = read_screen_file(source)
        rules = Rules(load_catalogue(catalogue))
    except (ScreenFileError, CatalogueError) as exc:
        common.fail(str(exc), 2)
    results = []
    with common.engine(db) as engine, engine.connect() as conn, _progress(not json_out) as bar:
        task = bar.add_task("screening", total=len(inputs))
        hasher = common.hasher(engine)
        count = workers if workers is not None else default_workers()
        if count > 1 and len(inputs) >= PARALLEL_FROM:
            setup = Setup(
                db_url(db),
                str(id_key_path()),
                str(catalogue) if catalogue else None,
                day,
                journal_seq(conn),
            )
            found = screen_in_parallel(setup, inputs, count)
        else:
            found = screen_rows(conn, rules, inputs, day, hasher)
        for result in found:
            results.append(result)
            bar.advance(task)
    write_screen_file(output, header, raw, results)
    matched = sum(1 for r in results if r.matched_code)
    flagged = sum(1 for r in results if r.lists)
    errors = sum(1 for r in results if r.error)
    summary = {
        "rows": len(results),
        "matched": matched,
        "unmatched": len(results) - matched - errors,
        "with_lists": flagged,
        "errors": errors,
        "output": str(output),
        "on": day.isoformat(),
    }
    if json_out:
        common.emit_json(summary)
        return
    common.out.print(
        f"{summary['rows']} rows: {matched} matched, {summary['unmatched']} not matched, "
        f"{flagged} on a list, {errors} with errors → {output}"
    )
