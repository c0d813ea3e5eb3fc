"""The log as the registry runs it: its key and origin, signed checkpoints, and reads for the API.

The log's signing key lives outside the database, like the ID key: for a SQLite registry at
``<database file>.ledger-key`` beside the file; ``XINYONG_LEDGER_KEY`` names another path. A
PostgreSQL registry has no file to sit beside: set ``XINYONG_LEDGER_KEY``, else the key is
``xinyong.ledger-key`` in the folder of the ID key file (``XINYONG_ID_KEY_FILE``, by default the
working directory), so that the registry's two secrets live together, outside the database.
``xinyong init`` creates it; everything else reuses it.

The origin (the log's name, the first line of every checkpoint and the key's name) is
``XINYONG_LEDGER_ORIGIN``, by default ``xinyong.example/registry``. A key made for one origin is
refused under another: checkpoints signed under a wrong name would verify for nobody.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.engine import make_url

from xinyong.config import id_key_path
from xinyong.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinyong.ledger.keys import Signer, load_key_file, load_or_create
from xinyong.ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    root_at,
)
from xinyong.ledger.publicity import withheld
from xinyong.ledger.store import SqlTree, tree_size
from xinyong.store.db import writing
from xinyong.store.journal import parse_json
from xinyong.store.projections.batching import chunked
from xinyong.store.schema import journal, ledger_checkpoints, ledger_entries, ledger_head
from xinyong.timeutil import utc_stamp

__all__ = [
    "DEFAULT_ORIGIN",
    "MAX_ENTRIES",
    "EntryView",
    "StoredCheckpoint",
    "entries",
    "entry",
    "key_path",
    "latest_checkpoint",
    "ledger_origin",
    "open_signer",
    "sign_after_batch",
    "sign_current",
]

log = logging.getLogger("xinyong.ledger")

DEFAULT_ORIGIN = "xinyong.example/registry"
DEFAULT_KEY_FILE = "xinyong.ledger-key"
MAX_ENTRIES = 1000
"""The most entries one request returns (a client asks again from where the answer stopped)."""


def ledger_origin(explicit: str | None = None) -> str:
    return explicit or os.environ.get("XINYONG_LEDGER_ORIGIN") or DEFAULT_ORIGIN


def key_path(url: str, explicit: str | None = None) -> Path:
    """Where the log's private key is: the argument, ``XINYONG_LEDGER_KEY``, beside a SQLite
    database file, else ``xinyong.ledger-key`` beside the ID key file."""
    chosen = explicit or os.environ.get("XINYONG_LEDGER_KEY")
    if chosen:
        return Path(chosen)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(f"{parsed.database}.ledger-key")
    return id_key_path().parent / DEFAULT_KEY_FILE


def open_signer(url: str, *, create: bool = True, origin: str | None = None) -> Signer:
    """The log's signer; created on first use when ``create`` (``xinyong init``, the server)."""
    path = key_path(url)
    if create:
        return load_or_create(path, ledger_origin(origin))
    signer = load_key_file(path)
    expected = ledger_origin(origin)
    if signer.name != expected:
        raise ValueError(f"{path} holds the key of {signer.name!r}, not of {expected!r}")
    return signer


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    signed_at: str


def latest_checkpoint(conn: Connection) -> StoredCheckpoint | None:
    row = conn.execute(
        select(ledger_checkpoints).order_by(ledger_checkpoints.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return StoredCheckpoint(int(row.size), bytes(row.root_hash), str(row.note), str(row.signed_at))


def sign_current(engine: Engine, signer: Signer, *, force: bool = False) -> StoredCheckpoint:
    """Sign the current tree head and store it, unless the latest checkpoint already says this
    size and root (then that one is returned; ``force`` signs again). One short write
    transaction; the root is a fold of at most log2(size) + 1 stored nodes."""
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Signers (the server's schedule, an ingest, another worker) take turns: without
            # this, one that read the size before a write could store an older, smaller head
            # after a newer one, and every verifier past it would cry fork. (SQLite's write
            # transaction is already exclusive.)
            conn.execute(select(ledger_head.c.size).where(ledger_head.c.id == 1).with_for_update())
        size = tree_size(conn)
        root_hash = root_at(SqlTree(conn, size), size)
        last = latest_checkpoint(conn)
        if last is not None and (last.size, last.root_hash) == (size, root_hash) and not force:
            return last
        if last is not None and last.size > size and not force:
            return last  # never publish a head smaller than one already published
        head = Checkpoint(signer.name, size, root_hash)
        note = sign_checkpoint(signer, head)
        stored = StoredCheckpoint(size, head.root_hash, note, utc_stamp())
        conn.execute(
            insert(ledger_checkpoints).values(
                size=size, root_hash=head.root_hash, note=note, signed_at=stored.signed_at
            )
        )
        return stored


def sign_after_batch(engine: Engine) -> StoredCheckpoint | None:
    """Sign a checkpoint after an ingest batch when the log's key is there; never fails the
    batch (a registry without a key, a locked database: the server's schedule signs later)."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        signer = open_signer(url, create=False)
        return sign_current(engine, signer)
    except FileNotFoundError:
        return None
    except Exception:  # the batch is committed; a checkpoint can wait for the next signer
        log.warning("no checkpoint signed after the batch", exc_info=True)
        return None


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def root_of(conn: Connection, size: int) -> bytes:
    """The stored tree's root at ``size`` (at most log2(size) + 1 nodes read)."""
    return root_at(SqlTree(conn, tree_size(conn)), size)


def inclusion(conn: Connection, index: int, size: int) -> dict[str, Any]:
    """``ValueError`` when ``index``/``size`` are outside the stored tree."""
    current = tree_size(conn)
    proof = inclusion_proof(SqlTree(conn, current), index, size)
    leaf = SqlTree(conn, current).subtree(0, index)
    return {
        "index": index,
        "size": size,
        "leaf_hash": _b64(leaf),
        "proof": [_b64(h) for h in proof],
    }


def consistency(conn: Connection, first: int, second: int) -> dict[str, Any]:
    current = tree_size(conn)
    proof = consistency_proof(SqlTree(conn, current), first, second)
    return {"first": first, "second": second, "proof": [_b64(h) for h in proof]}


@dataclass(frozen=True, slots=True)
class EntryView:
    """One leaf, and for a public entry what its digest was made from."""

    index: int
    leaf: bytes
    salt: bytes | None = None
    payload: str | None = None
    withheld: str | None = None

    def as_json(self, with_payload: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "leaf": _b64(self.leaf)}
        if with_payload:
            if self.withheld is None and self.salt is not None:
                out["salt"] = self.salt.hex()
                out["payload"] = self.payload
            else:
                out["withheld"] = self.withheld
        return out


def entries(conn: Connection, start: int, end: int, *, payloads: bool) -> list[EntryView]:
    """Leaves ``start`` to ``end`` inclusive (0-based, at most ``MAX_ENTRIES``, clipped to the
    tree); with ``payloads``, the salt and payload of each public entry."""
    first_seq, last_seq = start + 1, min(end, start + MAX_ENTRIES - 1, tree_size(conn) - 1) + 1
    if last_seq < first_seq:
        return []
    if not payloads:
        plain = conn.execute(
            select(ledger_entries.c.seq, ledger_entries.c.envelope)
            .where(ledger_entries.c.seq.between(first_seq, last_seq))
            .order_by(ledger_entries.c.seq)
        ).all()
        return [EntryView(int(r.seq) - 1, str(r.envelope).encode("utf-8")) for r in plain]
    rows = conn.execute(
        select(
            ledger_entries.c.seq,
            ledger_entries.c.envelope,
            ledger_entries.c.salt,
            journal.c.kind,
            journal.c.payload,
        )
        .select_from(ledger_entries.outerjoin(journal, journal.c.seq == ledger_entries.c.seq))
        .where(ledger_entries.c.seq.between(first_seq, last_seq))
        .order_by(ledger_entries.c.seq)
    ).all()
    parsed = [
        (int(r.seq), str(r.kind), parse_json(r.payload)) for r in rows if r.payload is not None
    ]
    hidden = withheld(conn, parsed)
    out = []
    for r in rows:
        seq = int(r.seq)
        reason = "the journal has no such entry" if r.payload is None else hidden.get(seq)
        out.append(
            EntryView(
                seq - 1,
                str(r.envelope).encode("utf-8"),
                bytes(r.salt) if reason is None else None,
                str(r.payload) if reason is None else None,
                reason,
            )
        )
    return out


def entry(conn: Connection, seq: int) -> dict[str, Any] | None:
    """One entry by journal sequence number: its envelope (parsed and as leaf bytes), its leaf
    index, and for a public entry its salt and canonical payload; None beyond the log."""
    views = entries(conn, seq - 1, seq - 1, payloads=True) if seq >= 1 else []
    if not views:
        return None
    view = views[0]
    out: dict[str, Any] = {
        "seq": seq,
        "index": view.index,
        "envelope": parse_json(view.leaf.decode("utf-8")),
        "leaf": _b64(view.leaf),
        "public": view.withheld is None,
    }
    if view.withheld is None and view.salt is not None:
        out["salt"] = view.salt.hex()
        out["payload"] = view.payload
    else:
        out["withheld"] = view.withheld
    return out


def public_payloads(conn: Connection, seqs: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(hex salt, canonical payload) of each public entry among ``seqs``, in a few queries
    whatever their number (a subject's records on one page); non-public entries are absent."""
    wanted = sorted(set(seqs))
    rows: list[Any] = []
    for part in chunked(wanted):
        rows += conn.execute(
            select(ledger_entries.c.seq, ledger_entries.c.salt, journal.c.kind, journal.c.payload)
            .join(journal, journal.c.seq == ledger_entries.c.seq)
            .where(ledger_entries.c.seq.in_(part))
        ).all()
    hidden = withheld(conn, [(int(r.seq), str(r.kind), parse_json(r.payload)) for r in rows])
    return {
        int(r.seq): (bytes(r.salt).hex(), str(r.payload)) for r in rows if int(r.seq) not in hidden
    }
