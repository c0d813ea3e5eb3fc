"""Docs that cannot rot: every CLI command and API route is documented, and the README starts
with the two commands."""

from __future__ import annotations

from pathlib import Path

import typer.main

from xinyong.cli import app as cli_app
from xinyong.store import make_engine, upgrade
from xinyong.web import create_app

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: typer.Typer, prefix: str = "") -> list[str]:
    click_group = typer.main.get_command(group)
    names: list[str] = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            names += [f"{prefix}{name} {sub}" for sub in command.commands]
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_cli_command_is_in_docs_cli() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli_app) if f"`xinyong {c}" not in text]
    assert missing == []


def test_every_api_route_is_in_docs_api(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    url = f"sqlite:///{tmp_path}/x.db"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(url, key_file=str(tmp_path / "k"))
    # The OpenAPI document lists every schema route with its methods (app.routes may hold
    # included routers without a path of their own, which would check nothing).
    documented = app.openapi()["paths"]
    routes = [
        (method.upper(), path)
        for path, methods in documented.items()
        if path.startswith(("/api", "/healthz"))
        for method in methods
        if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE")
    ]
    assert len(routes) > 10  # the check above must really see the routes
    missing = sorted(f"{m} {p}" for m, p in routes if f"`{m} {p}" not in text)
    assert missing == []


def test_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert [line.split()[0:2] for line in block] == [["make", "run"], ["make", "test"]]
