"""`xinyong ledger …` and `xinyong audit`: the transparency log from the command line.

`public-key`, `checkpoint` and local `prove` read this registry's database and key file;
`verify` and `prove --url` trust nothing but a site's HTTP API and the key they are given.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from xinyong import cli_common as common
from xinyong.cli_common import DbOpt, JsonOpt
from xinyong.config import db_url

app = typer.Typer(
    help="The transparency log: public key, signed checkpoints, proofs, independent verification.",
    no_args_is_help=True,
)

UrlOpt = Annotated[str, typer.Option("--url", help="the registry's site root, e.g. https://…")]
KeyOpt = Annotated[
    str,
    typer.Option(
        "--public-key", help="the log's verifier key (origin+id+base64) or a file with it"
    ),
]


def _signer(db: str | None) -> Any:
    from xinyong.ledger import KeyFormatError
    from xinyong.ledger.service import key_path, open_signer

    url = db_url(db)
    try:
        return open_signer(url, create=False)
    except FileNotFoundError:
        common.fail(
            f"no ledger key at {key_path(url)}: run `xinyong init` (or set XINYONG_LEDGER_KEY)"
        )
    except (KeyFormatError, ValueError) as exc:
        common.fail(str(exc))


def ensure_key(db: str | None) -> dict[str, str]:
    """The log's key for `xinyong init`: made once beside the database, then reused."""
    from xinyong.ledger import KeyFormatError
    from xinyong.ledger.service import key_path, open_signer

    url = db_url(db)
    try:
        signer = open_signer(url, create=True)
    except (KeyFormatError, OSError, ValueError) as exc:
        common.fail(f"the ledger key at {key_path(url)}: {exc}")
    return {"path": str(key_path(url)), "verifier": str(signer.verifier)}


@app.command("public-key")
def public_key(db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Print the log's verifier key (C2SP note format: origin+key id+base64 key) to publish.

    Example: xinyong ledger public-key > registry.pub
    """
    signer = _signer(db)
    if json_out:
        common.emit_json({"origin": signer.name, "verifier": str(signer.verifier)})
        return
    sys.stdout.write(f"{signer.verifier}\n")


@app.command("checkpoint")
def checkpoint(
    force: Annotated[
        bool, typer.Option("--force", help="sign even if the size is unchanged")
    ] = False,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Sign the current tree head as a C2SP checkpoint, store it (served at
    /api/v1/ledger/checkpoint) and print it. The latest one is reused while the log has not grown.

    Example: xinyong ledger checkpoint
    """
    from xinyong.ledger.service import sign_current

    signer = _signer(db)
    with common.engine(db) as engine:
        stored = sign_current(engine, signer, force=force)
    if json_out:
        common.emit_json(
            {
                "size": stored.size,
                "root": base64.b64encode(stored.root_hash).decode("ascii"),
                "signed_at": stored.signed_at,
                "checkpoint": stored.note,
            }
        )
        return
    sys.stdout.write(stored.note)


@app.command("verify")
def verify(
    url: UrlOpt,
    public_key_: KeyOpt,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="file keeping the last verified checkpoint (made if missing)"),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Verify a registry's log over HTTP with nothing but its public key: the checkpoint's
    signature, consistency with the checkpoint in --state, the root recomputed from every
    envelope, and the digest of every public payload. Exits 1 naming the first index that does
    not match; on success the state file moves to the new checkpoint.

    Example: xinyong ledger verify --url https://registry.example --public-key registry.pub
             --state seen.json
    """
    from xinyong.ledger.verify import (
        VerificationFailed,
        load_state,
        load_verifier,
        save_state,
        verify_log,
    )

    try:
        verifier = load_verifier(public_key_)
        previous = load_state(state)
        with common.err.status("verifying…") as status:

            def progress(done: int, total: int) -> None:
                status.update(f"verifying: {done:,} of {total:,} entries")

            result = verify_log(url, verifier, previous, progress=progress)
    except VerificationFailed as exc:
        if json_out:
            common.emit_json({"ok": False, "index": exc.index, "error": str(exc)})
            raise typer.Exit(1) from None
        common.fail(str(exc))
    if state is not None:
        save_state(state, result)
    if json_out:
        common.emit_json({"ok": True, **result.as_json()})
        return
    since = (
        f", consistent with the checkpoint of {result.previous_size:,} entries seen before"
        if result.previous_size is not None
        else ""
    )
    common.out.print(
        f"[green]ok[/]: {result.checkpoint.origin} signed {result.checkpoint.size:,} entries"
        f"{since}; root recomputed from every envelope; {result.public_checked:,} public "
        f"payload(s) match their digests, {result.withheld:,} entries show only their envelope"
    )


@app.command("prove")
def prove(
    seq: Annotated[int, typer.Argument(help="journal sequence number (leaf index + 1)", min=1)],
    url: Annotated[
        str | None, typer.Option("--url", help="check a site over HTTP instead of --db")
    ] = None,
    public_key_: Annotated[
        str | None, typer.Option("--public-key", help="with --url: the verifier key or its file")
    ] = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Inclusion proof of one journal entry in the latest signed checkpoint, checked; for a
    public entry also its payload against the envelope's digest.

    Example: xinyong ledger prove 42 (or add --url https://registry.example --public-key key.pub)
    """
    from xinyong.ledger.verify import VerificationFailed, load_verifier, prove_entry

    try:
        if url is not None:
            if public_key_ is None:
                common.fail("--url needs --public-key", 2)
            answer = prove_entry(url, load_verifier(public_key_), seq)
        else:
            answer = _prove_local(db, seq)
    except VerificationFailed as exc:
        common.fail(str(exc))
    if json_out:
        common.emit_json(answer)
        return
    common.out.print(
        f"[green]included[/]: journal entry {seq} is leaf {seq - 1} of the signed tree of "
        f"{answer['size']:,} entries (root {answer['root']}); "
        + (
            "its public payload matches the digest"
            if answer["payload_checked"]
            else f"its payload is not public ({answer.get('withheld')})"
        )
    )
    for step in answer["proof"]:
        common.out.print(f"  {step}")


def _prove_local(db: str | None, seq: int) -> dict[str, Any]:
    """The same checks against this registry's database and its own key."""
    from xinyong.ledger import open_checkpoint
    from xinyong.ledger.service import entry, inclusion, latest_checkpoint
    from xinyong.ledger.verify import VerificationFailed, check_entry_proof

    signer = _signer(db)
    with common.engine(db) as engine, engine.connect() as conn:
        stored = latest_checkpoint(conn)
        if stored is None:
            common.fail("no checkpoint signed yet: run `xinyong ledger checkpoint`")
        head = open_checkpoint(stored.note, signer.verifier)
        if not 1 <= seq <= head.size:
            raise VerificationFailed(
                f"journal entry {seq} is not in the latest checkpoint ({head.size} entries)"
            )
        found = entry(conn, seq)
        proof = inclusion(conn, seq - 1, head.size)
    assert found is not None
    return check_entry_proof(head, seq, found, proof)


def audit(
    db: DbOpt = None,
    json_out: JsonOpt = False,
    scratch: Annotated[
        Path | None, typer.Option("--scratch", help="folder for the scratch database")
    ] = None,
) -> None:
    """Rebuild every projection from the journal in a scratch database and compare it with the
    live tables; check every payload against its digest, every leaf against the tree, and every
    signed checkpoint against the tree. Names every row changed outside the apply path; exits 1
    if there is one.

    Example: xinyong audit --json
    """
    from xinyong.ledger.audit import audit as run_audit
    from xinyong.ledger.service import key_path, open_signer

    url = db_url(db)
    verifier = None
    if key_path(url).exists():
        try:
            verifier = open_signer(url, create=False).verifier
        except (OSError, ValueError) as exc:
            common.err.print(f"[yellow]warning:[/] checkpoint signatures not checked: {exc}")
    with common.engine(db) as engine, common.err.status("auditing…") as status:
        report = run_audit(
            engine,
            verifier=verifier,
            scratch=scratch,
            progress=lambda step: status.update(f"auditing: {step}"),
        )
    if json_out:
        common.emit_json(report.as_json())
    else:
        for finding in report.findings:
            common.out.print(f"[red]✗[/] {finding}", soft_wrap=True)
        verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.findings)} finding(s)[/]"
        common.out.print(
            f"{verdict}: {report.journal_entries:,} journal entries, {report.tree_size:,} leaves, "
            f"{report.checkpoints:,} checkpoints, {report.projection_rows:,} projection rows"
        )
    if not report.ok:
        raise typer.Exit(1)
