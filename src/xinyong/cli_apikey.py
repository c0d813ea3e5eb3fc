"""`xinyong apikey …`: keys for agency systems that push data through the API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from xinyong import cli_common as common
from xinyong.cli_common import ActorOpt, DbOpt, JsonOpt

app = typer.Typer(help="API keys for agency systems (stored hashed, scoped, revocable).")


@app.command("add")
def add(
    agency: Annotated[str, typer.Option("--agency", help="the agency code the key acts for")],
    scope: Annotated[list[str], typer.Option("--scope", help="e.g. listings:write")],
    name: Annotated[str, typer.Option("--name", help="which system holds it")] = "",
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make a key; it is printed once and stored only as a hash.

    Example: xinyong apikey add --agency court --scope listings:write --name "court system"
    """
    from xinyong.registry.apikeys import create_key

    with common.engine(db) as engine, common.writing(engine) as conn:
        try:
            secret, key = create_key(conn, agency, name or agency, list(scope), common.actor(actor))
        except ValueError as exc:
            common.fail(str(exc), 2)
    if json_out:
        common.emit_json(
            {"key": secret, "key_id": key.key_id, "agency": key.agency, "scopes": key.scopes}
        )
        return
    common.out.print(f"key {key.key_id} for {key.agency} ({', '.join(key.scopes)}):")
    common.out.print(secret, soft_wrap=True)
    common.out.print("[yellow]store it now: it is not shown again[/]")


@app.command("list")
def list_keys(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Every key, without secrets: id, agency, name, scopes, created, revoked."""
    from xinyong.store.journal import parse_json
    from xinyong.store.schema import api_keys

    with common.engine(db) as engine, engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    keys = [
        {
            "key_id": r.key_id,
            "agency": r.agency,
            "name": r.name,
            "scopes": parse_json(r.scopes),
            "created_at": r.created_at,
            "created_by": r.created_by,
            "revoked_at": r.revoked_at,
        }
        for r in rows
    ]
    if json_out:
        common.emit_json(keys)
        return
    table = Table("key id", "agency", "name", "scopes", "created", "revoked")
    for k in keys:
        table.add_row(
            k["key_id"],
            k["agency"],
            k["name"],
            ", ".join(k["scopes"]),
            k["created_at"],
            k["revoked_at"] or "",
        )
    common.out.print(table)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="the key id (the part after xy_)")],
    db: DbOpt = None,
) -> None:
    """Revoke a key at once; requests with it are refused from then on."""
    from xinyong.registry.apikeys import revoke as do_revoke

    with common.engine(db) as engine, common.writing(engine) as conn:
        if not do_revoke(conn, key_id):
            common.fail(f"no active key {key_id}", 1)
    common.out.print(f"key {key_id} revoked")
