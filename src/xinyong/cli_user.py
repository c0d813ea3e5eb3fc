"""`xinyong user …`: accounts for people (officers, reviewers, authorities, subjects, auditors,
admins). Passwords are read from a prompt or XINYONG_PASSWORD, never from the command line, where
they would end up in shell history and process lists."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from xinyong import cli_common as common
from xinyong.cli_common import ActorOpt, DbOpt, JsonOpt

app = typer.Typer(help="User accounts and roles (see docs/security.md for what each role may do).")

RoleArg = Annotated[
    str,
    typer.Option("--role", help="subject | officer | reviewer | authority | admin | auditor"),
]


def _subject_key(engine: object, code: str | None) -> str | None:
    """The registry key of the organisation a subject account is bound to."""
    if code is None:
        return None
    from sqlalchemy import Engine

    from xinyong.codes import CodeError
    from xinyong.registry import resolve_code
    from xinyong.store import reads

    assert isinstance(engine, Engine)
    with engine.connect() as conn:
        try:
            readings = resolve_code(code, common.hasher(engine), conn)
        except CodeError as exc:
            common.fail(f"--subject: {'; '.join(exc.reasons)}", 2)
        found = [r.subject_key for r in readings if reads.subject(conn, r.subject_key)]
    if not found:
        common.fail(f"--subject: no subject with code {code} in the registry", 2)
    return found[0]


def _user_json(user: object) -> dict[str, object]:
    from xinyong.accounts import User

    assert isinstance(user, User)
    return {
        "name": user.name,
        "role": user.role,
        "agency": user.agency,
        "subject": user.subject_key,
        "email": user.email,
        "disabled": user.disabled,
    }


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the sign-in name")],
    role: RoleArg,
    agency: Annotated[
        str | None, typer.Option("--agency", help="agency code (officer, reviewer, authority)")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="the USCC a subject account is bound to")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="where notices are mailed")] = None,
    token: Annotated[
        bool, typer.Option("--token", help="also issue an API bearer token and print it")
    ] = False,
    password: Annotated[
        bool,
        typer.Option(
            "--password/--no-password",
            help="set a password for web sign-in (prompted, or XINYONG_PASSWORD)",
        ),
    ] = False,
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create an account. With --token prints {"user": …, "token": …}: the token is shown once.

    Example: xinyong user add alice --role officer --agency samr.bj --token
    """
    from xinyong.accounts import AccountError, add_user, issue_token

    secret = None
    if password:
        secret = os.environ.get("XINYONG_PASSWORD") or typer.prompt(
            "password", hide_input=True, confirmation_prompt=True
        )
    with common.engine(db) as engine:
        subject_key = _subject_key(engine, subject)
        with common.writing(engine) as conn:
            try:
                user = add_user(
                    conn,
                    name,
                    role,
                    created_by=common.actor(actor),
                    agency=agency,
                    subject_key=subject_key,
                    email=email,
                    password=secret,
                )
            except AccountError as exc:
                common.fail(str(exc), 2)
            issued = issue_token(conn, user) if token else None
    if json_out or token:
        common.emit_json({"user": user.name, "role": user.role, "token": issued})
        return
    common.out.print(f"user {user.name} ({user.role}) created")


@app.command("role")
def role(
    name: Annotated[str, typer.Argument()],
    new_role: RoleArg,
    agency: Annotated[str | None, typer.Option("--agency")] = None,
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Change an account's role (and its agency or subject binding)."""
    from xinyong.accounts import AccountError, set_role

    with common.engine(db) as engine:
        subject_key = _subject_key(engine, subject)
        with common.writing(engine) as conn:
            try:
                user = set_role(
                    conn,
                    name,
                    new_role,
                    by=common.actor(actor),
                    agency=agency,
                    subject_key=subject_key,
                )
            except AccountError as exc:
                common.fail(str(exc), 2)
    if json_out:
        common.emit_json(_user_json(user))
        return
    common.out.print(f"user {user.name} is now {user.role}")


@app.command("disable")
def disable(
    name: Annotated[str, typer.Argument()],
    actor: ActorOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Disable an account: its sessions and tokens stop working at once; history stays."""
    from xinyong.accounts import AccountError, disable_user

    with common.engine(db) as engine, common.writing(engine) as conn:
        try:
            user = disable_user(conn, name, by=common.actor(actor))
        except AccountError as exc:
            common.fail(str(exc), 2)
    if json_out:
        common.emit_json(_user_json(user))
        return
    common.out.print(f"user {user.name} disabled")


@app.command("password")
def password(
    name: Annotated[str, typer.Argument()],
    actor: ActorOpt = None,
    db: DbOpt = None,
) -> None:
    """Set or reset an account's web sign-in password (prompted, or XINYONG_PASSWORD). Its
    sessions end: whoever was signed in with the old password must sign in again."""
    from xinyong.accounts import AccountError
    from xinyong.accounts.users import set_password

    secret = os.environ.get("XINYONG_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    with common.engine(db) as engine, common.writing(engine) as conn:
        try:
            set_password(conn, name, secret, by=common.actor(actor))
        except AccountError as exc:
            common.fail(str(exc), 2)
    common.out.print(f"password of {name} set; its sessions ended")
