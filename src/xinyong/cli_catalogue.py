"""`xinyong catalogue …`: lint the rulebook before anyone is listed by it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xinyong import cli_common as common
from xinyong.cli_common import JsonOpt

app = typer.Typer(help="Check the catalogue of record kinds, lists, measures and memoranda.")


@app.command("lint")
def lint(
    path: Annotated[
        Path | None,
        typer.Argument(help="catalogue folder (else XINYONG_CATALOGUE, else ./catalogue)"),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Check every entry against the legality gate; exit 1 on any error, 0 with warnings only.

    Example: xinyong catalogue lint catalogue/ --json
    """
    from xinyong.catalogue.lint import lint_folder

    report = lint_folder(path)
    if json_out:
        common.emit_json(report.as_dict())
    else:
        for title, findings, style in (
            ("errors", report.errors, "red"),
            ("warnings", report.warnings, "yellow"),
        ):
            if not findings:
                continue
            table = Table("code", "rule", "message", title=f"{len(findings)} {title}")
            for f in findings:
                table.add_row(f.code, f"[{style}]{f.rule}[/]", f.message)
            common.out.print(table)
        if not report.errors:
            common.out.print(f"[green]catalogue passes[/] ({len(report.warnings)} warnings)")
    raise typer.Exit(1 if report.errors else 0)
