"""``xinyong audit``: prove that nothing reached the registry except through the apply path.

Someone with database rights can drop the append-only triggers and edit a row. Each such edit
shows up in at least one of these checks, and the report names the row:

1. **journal ↔ log**: every journal entry has exactly one envelope whose seq, time, kind, subject
   reference and acting agency (for actors that are not users) match the entry, and whose digest
   is SHA-256(salt ‖ payload) of the payload as it stands: an edited payload no longer matches;
2. **log ↔ tree**: every stored leaf hash is the hash of its envelope, every stored node the hash
   of its two children, one node per complete subtree, and the head's size is the journal's;
3. **tree ↔ checkpoints**: every signed checkpoint's root is the stored tree's root at its size
   (and the latest one's signature verifies, when the public key is given);
4. **projections ↔ journal**: every projection is rebuilt from the journal in a scratch SQLite
   database and compared with the live tables row by row.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, insert, select, update

from xinyong.ledger.checkpoint import Checkpoint, open_checkpoint
from xinyong.ledger.envelope import (
    acting_agency,
    actor_digest,
    payload_digest,
    subject_reference,
)
from xinyong.ledger.keys import Verifier
from xinyong.ledger.merkle import leaf_hash, node_hash, root_at
from xinyong.ledger.note import NoteError, parse_note
from xinyong.ledger.store import SqlTree, tree_size
from xinyong.store.changes import ChangeRejected, parse_payload
from xinyong.store.db import make_engine
from xinyong.store.journal import parse_json
from xinyong.store.migrate import upgrade
from xinyong.store.projections import HANDLERS
from xinyong.store.replay import snapshot
from xinyong.store.schema import (
    PROJECTIONS,
    journal,
    journal_head,
    ledger_checkpoints,
    ledger_entries,
    ledger_nodes,
)

__all__ = ["AuditReport", "Finding", "audit"]

BATCH = 5000

# How a projection row is named in the report: columns that identify the row version.
_IDENTITY: dict[str, tuple[str, ...]] = {
    "agencies": ("code", "recorded_seq"),
    "subjects": ("subject_key", "recorded_seq"),
    "subject_names": ("subject_key", "name_type", "name", "recorded_seq"),
    "records": ("record_id", "recorded_seq"),
    "listings": ("listing_id", "recorded_seq"),
    "legacy_codes": ("code", "recorded_seq"),
    "entries": ("record_id", "submitted_seq"),
    "objections": ("target", "target_id", "filed_on"),
    "repairs": ("target", "target_id", "filed_on"),
    "notices": ("subject_key", "topic", "sent_at"),
}


@dataclass(frozen=True)
class Finding:
    """One row that does not match what the apply path wrote."""

    table: str
    row: dict[str, Any]
    problem: str
    differences: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "row": self.row, "problem": self.problem}
        if self.differences:
            out["differences"] = self.differences
        return out

    def __str__(self) -> str:
        name = ", ".join(f"{k}={v}" for k, v in self.row.items())
        diff = "; ".join(
            f"{column}: live {d['live']!r}, from the journal {d['journal']!r}"
            for column, d in self.differences.items()
        )
        return f"{self.table} [{name}]: {self.problem}" + (f" ({diff})" if diff else "")


@dataclass
class AuditReport:
    journal_entries: int = 0
    tree_size: int = 0
    checkpoints: int = 0
    projection_rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "journal_entries": self.journal_entries,
            "tree_size": self.tree_size,
            "checkpoints": self.checkpoints,
            "projection_rows": self.projection_rows,
            "findings": [f.as_json() for f in self.findings],
        }


Progress = Callable[[str], None]


def audit(
    engine: Engine,
    *,
    verifier: Verifier | None = None,
    scratch: Path | None = None,
    progress: Progress | None = None,
) -> AuditReport:
    """Run every check; the report's ``findings`` name every row changed outside the apply
    path (empty when the registry is intact)."""
    say = progress or (lambda _message: None)
    report = AuditReport()
    # One snapshot for every phase: a write landing between reading the journal and reading the
    # live tables would otherwise look like a row "no journal entry wrote".
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():  # SQLite: one deferred transaction, a WAL snapshot from the first read
            say("journal against the log")
            _journal_against_log(conn, report)
            say("log against the tree")
            _leaves_against_tree(conn, report)
            say("tree against the signed checkpoints")
            _tree_against_checkpoints(conn, report, verifier)
            say("projections against the journal (replay into a scratch database)")
            _projections_against_journal(conn, report, scratch)
    return report


# --- 1. journal and envelopes --------------------------------------------------------------------


def _journal_against_log(conn: Connection, report: AuditReport) -> None:
    after = 0
    while True:
        rows = conn.execute(
            select(
                journal.c.seq,
                journal.c.recorded_at,
                journal.c.actor,
                journal.c.kind,
                journal.c.payload,
                ledger_entries.c.salt,
                ledger_entries.c.envelope,
                ledger_entries.c.actor_salt,
            )
            .select_from(journal.outerjoin(ledger_entries, ledger_entries.c.seq == journal.c.seq))
            .where(journal.c.seq > after)
            .order_by(journal.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for r in rows:
            report.journal_entries += 1
            problem = _entry_problem(r)
            if problem:
                report.findings.append(Finding("journal", {"seq": int(r.seq)}, problem))
        after = int(rows[-1].seq)
    orphans = conn.execute(
        select(ledger_entries.c.seq)
        .select_from(ledger_entries.outerjoin(journal, journal.c.seq == ledger_entries.c.seq))
        .where(journal.c.seq.is_(None))
        .order_by(ledger_entries.c.seq)
    ).all()
    for (seq,) in orphans:
        report.findings.append(
            Finding("ledger_entries", {"seq": int(seq)}, "an envelope without its journal entry")
        )
    head = int(conn.execute(select(journal_head.c.seq)).scalar_one())
    if head != report.journal_entries:
        report.findings.append(
            Finding(
                "journal_head",
                {"id": 1},
                f"the head says {head} entries, the journal holds {report.journal_entries}",
            )
        )


def _entry_problem(r: Any) -> str | None:
    if r.envelope is None:
        return "the entry has no envelope in the log (written outside the apply path)"
    try:
        envelope = orjson.loads(r.envelope)
        payload = parse_json(r.payload)
    except orjson.JSONDecodeError:
        return "the entry's payload or envelope is not JSON"
    wrong = []
    if envelope.get("seq") != r.seq:
        wrong.append("seq")
    if envelope.get("time") != r.recorded_at:
        wrong.append("time")
    if envelope.get("kind") != r.kind:
        wrong.append("kind")
    if isinstance(payload, dict) and envelope.get("subject") != subject_reference(payload):
        wrong.append("subject")
    bound = envelope.get("actor_digest")  # entries appended since migration 0019
    if (
        bound is not None
        and (r.actor_salt is None or bound != actor_digest(bytes(r.actor_salt), str(r.actor)))
    ) or (
        not str(r.actor).startswith("user:") and envelope.get("agency") != acting_agency(r.actor)
    ):
        wrong.append("actor")
    if envelope.get("digest") != payload_digest(bytes(r.salt), str(r.payload)):
        wrong.insert(0, "payload")
    if wrong:
        return (
            "changed outside the apply path: its "
            + ", ".join(wrong)
            + " no longer match"
            + ("es" if len(wrong) == 1 else "")
            + " the envelope in the log"
        )
    return None


# --- 2. envelopes and tree nodes -----------------------------------------------------------------


def _level(conn: Connection, level: int) -> Iterator[tuple[int, bytes]]:
    after = -1
    while True:
        rows = conn.execute(
            select(ledger_nodes.c.idx, ledger_nodes.c.hash)
            .where(ledger_nodes.c.level == level, ledger_nodes.c.idx > after)
            .order_by(ledger_nodes.c.idx)
            .limit(BATCH * 2)
        ).all()
        if not rows:
            return
        for idx, value in rows:
            yield int(idx), bytes(value)
        after = int(rows[-1][0])


def _leaf_hashes(conn: Connection) -> Iterator[tuple[int, bytes]]:
    after = 0
    while True:
        rows = conn.execute(
            select(ledger_entries.c.seq, ledger_entries.c.envelope)
            .where(ledger_entries.c.seq > after)
            .order_by(ledger_entries.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for seq, envelope in rows:
            yield int(seq) - 1, leaf_hash(str(envelope).encode("utf-8"))
        after = int(rows[-1][0])


def _pairs(level_below: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    """Parents computed from the children of the level below (complete pairs only)."""
    pending: tuple[int, bytes] | None = None
    for idx, value in level_below:
        if idx % 2 == 0:
            pending = (idx, value)
        elif pending is not None and pending[0] == idx - 1:
            yield idx // 2, node_hash(pending[1], value)
            pending = None


def _leaves_against_tree(conn: Connection, report: AuditReport) -> None:
    size = tree_size(conn)
    report.tree_size = size
    if size != report.journal_entries:
        report.findings.append(
            Finding(
                "ledger_head",
                {"id": 1},
                f"the log has {size} leaves, the journal {report.journal_entries} entries",
            )
        )
    level = 0
    while size >> level:
        expected = _leaf_hashes(conn) if level == 0 else _pairs(_level(conn, level - 1))
        _compare_level(conn, level, size >> level, expected, report)
        level += 1
    extra = conn.execute(
        select(ledger_nodes.c.level, ledger_nodes.c.idx).where(ledger_nodes.c.level >= level)
    ).all()
    for lvl, idx in extra:
        report.findings.append(
            Finding("ledger_nodes", {"level": lvl, "idx": idx}, "a node beyond the tree")
        )


def _compare_level(
    conn: Connection,
    level: int,
    count: int,
    expected: Iterator[tuple[int, bytes]],
    report: AuditReport,
) -> None:
    """Merge the stored nodes of one level with those computed from below, both by index."""
    stored = _level(conn, level)
    s, e = next(stored, None), next(expected, None)
    while s is not None or e is not None:
        if e is None or (s is not None and s[0] < e[0]):
            assert s is not None
            problem = (
                "a node beyond the tree"
                if s[0] >= count
                else "a leaf hash without its envelope"
                if level == 0
                else "a node whose children are missing"
            )
            report.findings.append(Finding("ledger_nodes", {"level": level, "idx": s[0]}, problem))
            s = next(stored, None)
        elif s is None or e[0] < s[0]:
            if e[0] < count:
                report.findings.append(
                    Finding("ledger_nodes", {"level": level, "idx": e[0]}, "missing node")
                )
            e = next(expected, None)
        else:
            if s[1] != e[1]:
                if level == 0:
                    report.findings.append(
                        Finding(
                            "ledger_entries",
                            {"seq": s[0] + 1},
                            "the envelope is not the leaf the tree holds (the envelope or its "
                            "leaf hash was changed)",
                        )
                    )
                else:
                    report.findings.append(
                        Finding(
                            "ledger_nodes",
                            {"level": level, "idx": s[0]},
                            "the stored hash is not the hash of its two children",
                        )
                    )
            s, e = next(stored, None), next(expected, None)


def _tree_against_checkpoints(
    conn: Connection, report: AuditReport, verifier: Verifier | None
) -> None:
    """Every stored checkpoint, read from its signed note (the columns beside it are only an
    index: an insider can rewrite them, not the signature): it must verify, say what its row
    says, fit the tree as it is now, and no checkpoint may be smaller than an earlier one."""
    rows = conn.execute(select(ledger_checkpoints).order_by(ledger_checkpoints.c.id)).all()
    report.checkpoints = len(rows)
    tree = SqlTree(conn, report.tree_size)
    largest = 0
    for row in rows:
        key = {"id": int(row.id), "size": int(row.size)}
        try:
            if verifier is not None:
                signed = open_checkpoint(str(row.note), verifier)
            else:
                signed = Checkpoint.parse(parse_note(str(row.note))[0])
        except NoteError as exc:
            report.findings.append(Finding("ledger_checkpoints", key, f"does not verify: {exc}"))
            continue
        if (signed.size, signed.root_hash) != (int(row.size), bytes(row.root_hash)):
            report.findings.append(
                Finding(
                    "ledger_checkpoints",
                    key,
                    "the signed note does not say the size and root stored beside it",
                )
            )
        if signed.size < largest:
            report.findings.append(
                Finding(
                    "ledger_checkpoints",
                    key,
                    f"signs {signed.size} entries after a checkpoint of {largest}: the log shrank",
                )
            )
        largest = max(largest, signed.size)
        try:
            root = root_at(tree, signed.size)
        except ValueError as exc:
            report.findings.append(Finding("ledger_checkpoints", key, str(exc)))
            continue
        if root != signed.root_hash:
            report.findings.append(
                Finding(
                    "ledger_checkpoints",
                    key,
                    "the signed root is not the stored tree's root at that size: the tree was "
                    "rewritten after it was signed",
                )
            )


# --- 4. projections ------------------------------------------------------------------------------


def _projections_against_journal(
    conn: Connection, report: AuditReport, scratch: Path | None
) -> None:
    with tempfile.TemporaryDirectory(dir=scratch, prefix="xinyong-audit-") as folder:
        target = make_engine(f"sqlite:///{Path(folder) / 'rebuilt.db'}")
        try:
            upgrade(target)
            failures = _replay(conn, target)
            report.findings.extend(failures)
            with target.connect() as rebuilt_conn:
                live, rebuilt = snapshot(conn), snapshot(rebuilt_conn)
        finally:
            target.dispose()
    columns = {t.name: [c.name for c in t.columns if c.name != "id"] for t in PROJECTIONS}
    for table in PROJECTIONS:
        name = table.name
        report.projection_rows += len(live[name])
        report.findings.extend(_diff(name, columns[name], live[name], rebuilt[name]))


def _replay(src: Connection, target: Engine) -> list[Finding]:
    """Project every journal entry into ``target``, runs of one kind in their batch form (the
    same writes, fewer statements). An entry that no longer parses is reported, not fatal."""
    failures: list[Finding] = []
    last = 0
    with target.begin() as dst:
        after = 0
        while True:
            rows = src.execute(
                select(journal).where(journal.c.seq > after).order_by(journal.c.seq).limit(BATCH)
            ).all()
            if not rows:
                break
            dst.execute(
                insert(journal),
                [
                    {
                        "seq": r.seq,
                        "recorded_at": r.recorded_at,
                        "actor": r.actor,
                        "kind": r.kind,
                        "payload": r.payload,
                    }
                    for r in rows
                ],
            )
            run: list[tuple[int, Any]] = []
            for r in rows:
                try:
                    payload = parse_payload(r.kind, parse_json(r.payload))
                except (ChangeRejected, orjson.JSONDecodeError) as exc:
                    _flush(dst, run)
                    run = []
                    failures.append(
                        Finding(
                            "journal",
                            {"seq": int(r.seq)},
                            f"the entry no longer parses as a {r.kind} change: {exc}",
                        )
                    )
                    continue
                if run and run[0][1].kind != payload.kind:
                    _flush(dst, run)
                    run = []
                run.append((int(r.seq), payload))
            _flush(dst, run)
            after = last = int(rows[-1].seq)
        dst.execute(update(journal_head).where(journal_head.c.id == 1).values(seq=last))
    return failures


def _flush(conn: Connection, run: Sequence[tuple[int, Any]]) -> None:
    if not run:
        return
    handler = HANDLERS[run[0][1].kind]
    if handler.project_many is not None and len(run) > 1:
        handler.project_many(conn, list(run))
        return
    for seq, payload in run:
        handler.project(conn, seq, payload)


def _diff(
    table: str,
    columns: list[str],
    live: list[tuple[Any, ...]],
    rebuilt: list[tuple[Any, ...]],
) -> list[Finding]:
    extra = Counter(live)
    extra.subtract(Counter(rebuilt))
    only_live = [row for row, n in extra.items() if n > 0 for _ in range(n)]
    only_rebuilt = [row for row, n in extra.items() if n < 0 for _ in range(-n)]
    if not only_live and not only_rebuilt:
        return []
    identity = [c for c in _IDENTITY.get(table, ("recorded_seq",)) if c in columns]
    positions = [columns.index(c) for c in identity]

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[p] for p in positions)

    by_key: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in only_rebuilt:
        by_key.setdefault(key(row), []).append(row)
    findings: list[Finding] = []
    for row in only_live:
        name = dict(zip(identity, key(row), strict=True))
        partners = by_key.get(key(row))
        if partners:
            other = partners.pop(0)
            differences = {
                column: {"live": _plain(a), "journal": _plain(b)}
                for column, a, b in zip(columns, row, other, strict=True)
                if a != b
            }
            findings.append(
                Finding(table, _plain_dict(name), "changed outside the apply path", differences)
            )
        else:
            findings.append(
                Finding(
                    table,
                    _plain_dict(name),
                    "a row no journal entry wrote (inserted outside the apply path)",
                )
            )
    for rows in by_key.values():
        for row in rows:
            findings.append(
                Finding(
                    table,
                    _plain_dict(dict(zip(identity, key(row), strict=True))),
                    "a row the journal wrote is missing (deleted outside the apply path)",
                )
            )
    return findings


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _plain_dict(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items()}
