"""The registry's tables: the append-only journal and the versioned projections it feeds.

Projection rows are never overwritten. Each row version carries `recorded_seq` (the journal entry
that wrote it) and `superseded_seq` (the entry that replaced it, NULL while current), so that any
past state of the registry can be read back with `known_at` (DESIGN.md invariant 4). Operational
tables (quarantine, ingest batches) hold input residue and bookkeeping, not credit data, and are
not journaled.

The initial Alembic migration mirrors this file; `tests/store/test_migrations.py` fails when they
drift apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# SQLite only treats `INTEGER PRIMARY KEY` as the rowid alias; BIGINT keys there would be slower.
Seq = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _versioned() -> list[Column[int]]:
    return [
        Column("recorded_seq", Seq, nullable=False),
        Column("superseded_seq", Seq, nullable=True),
    ]


journal = Table(
    "journal",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("recorded_at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
)

# One row. Allocating sequence numbers by updating it takes a row lock that serialises writers and
# rolls back with a failed transaction, which is what makes the journal sequence gapless on
# PostgreSQL too (a SEQUENCE would leave holes after a rollback).
journal_head = Table(
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Seq, nullable=False),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False),
    Column("name", Text, nullable=False),
    *_versioned(),
    Index(None, "code", "superseded_seq"),
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    # USCC for organisations; the HMAC of the resident ID for natural persons.
    Column("subject_key", String(80), nullable=False),
    Column("kind", String(16), nullable=False),  # organisation | person
    Column("code", String(32), nullable=False),  # public code: USCC, or the masked resident ID
    Column("name", Text, nullable=False),
    Column("legal_representative", Text, nullable=True),
    Column("region_code", String(6), nullable=True),
    Column("industry", Text, nullable=True),
    Column("entity_type", Text, nullable=True),
    Column("registered_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("registered_capital_wan", String(32), nullable=True),
    Column("provisional", Boolean, nullable=False, server_default=text("false")),
    # Positions 9-17 of the USCC: the GB 11714 organisation code older records identify it by.
    Column("org_code", String(9), nullable=True),
    *_versioned(),
    Index(None, "subject_key", "superseded_seq"),
    Index(None, "code", "superseded_seq"),
    Index(None, "org_code", "superseded_seq"),
    Column("registration_no", String(16), nullable=True),  # legacy 工商注册号
    Index(None, "legal_representative"),  # search by legal representative
    Index(None, "registration_no"),
)

subject_names = Table(
    "subject_names",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("subject_key", String(80), nullable=False),
    Column("name", Text, nullable=False),  # as given, for display
    Column("name_key", Text, nullable=False),  # normalised, for matching
    Column("name_type", String(16), nullable=False),  # current | former | english | alternative
    # The name without region and organisational form (codes/company.py: 字节跳动科技), and its
    # pinyin initials (zjtdkj): what people type when they do not type the registered name.
    Column("core_key", Text, nullable=False, server_default=""),
    Column("initials", Text, nullable=False, server_default=""),
    *_versioned(),
    Index(None, "subject_key", "superseded_seq"),
    Index(None, "name_key"),
    Index(None, "core_key"),
    Index(None, "initials"),
)

# Character bigrams (and single characters) of every core name ever stored: the path for one- and
# two-character queries, which a trigram index cannot answer. An index over values, not a
# versioned projection: visibility is decided by joining back to subject_names.
core_grams = Table(
    "core_grams",
    metadata,
    Column("gram", String(8), primary_key=True),
    Column("core_key", Text, primary_key=True),
)

records = Table(
    "records",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    # Stable across corrections: the sequence number of the entry that first added the record.
    Column("record_id", Seq, nullable=False),
    Column("source", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("doc_no", Text, nullable=False),  # as the agency wrote it
    Column(
        "doc_key", Text, nullable=True
    ),  # its matching form: the natural key (codes.document_key)
    Column("subject_key", String(80), nullable=False),
    Column("party_name", Text, nullable=False),
    Column("decision_date", Date, nullable=False),
    Column("in_force_from", Date, nullable=False),
    Column("in_force_to", Date, nullable=True),
    Column("severity", String(16), nullable=True),
    Column("severity_rule", Text, nullable=True),  # the catalogue rule that set the severity
    Column("authority", Text, nullable=True),
    Column("legal_basis", Text, nullable=True),
    Column("fields", Text, nullable=False),  # canonical JSON of every normalised field
    Column("batch_id", String(40), nullable=True),
    Column("source_file", Text, nullable=True),
    Column("source_sheet", Text, nullable=True),
    Column("source_row", Integer, nullable=True),
    # public | repaired (credit repair granted: publicity ended, sharing stopped, measures lifted;
    # kept for the subject, the agency and the journal) | revoked (an objection upheld)
    Column("status", String(16), nullable=False, server_default="public"),
    Column("ended_on", Date, nullable=True),  # the date repair or revocation took effect
    *_versioned(),
    Index(None, "source", "kind", "doc_key", "superseded_seq"),
    Index(None, "subject_key", "superseded_seq"),
    Index(None, "record_id"),
    # Derivation asks "which subjects have records of these kinds" once per list per run.
    Index(None, "kind", "subject_key"),
)

# One subject's membership of one list (DESIGN.md glossary: listing). Natural key: source agency,
# list and decision document number. A listing is in force on every date d with
# start_date <= d <= planned_end (when there is one) and, once ended early on actual_end, only on
# dates before it; derived listings pass proposed -> notified -> in_force first.
listings = Table(
    "listings",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("listing_id", Seq, nullable=False),
    Column("source", String(64), nullable=False),
    Column("list_code", String(96), nullable=False),
    Column("decision_no", Text, nullable=False),
    Column("doc_key", Text, nullable=False),
    Column("subject_key", String(80), nullable=False),
    Column("party_name", Text, nullable=False),
    Column("authority", Text, nullable=False),
    Column("legal_basis", Text, nullable=True),
    Column("start_date", Date, nullable=False),
    Column("planned_end", Date, nullable=True),
    Column("actual_end", Date, nullable=True),
    Column("end_decision_no", Text, nullable=True),
    Column("end_doc_key", Text, nullable=True),
    Column("end_reason", Text, nullable=True),
    Column("state", String(16), nullable=False),  # proposed | notified | in_force | ended
    Column("derived", Text, nullable=True),  # the criterion that derived it; NULL: decided
    Column("notified_on", Date, nullable=True),
    Column("reminded_on", Date, nullable=True),  # escalation reminder published
    Column("basis", Text, nullable=False),  # JSON list: decisions (records) it rests on
    Column("batch_id", String(40), nullable=True),
    Column("source_file", Text, nullable=True),
    Column("source_sheet", Text, nullable=True),
    Column("source_row", Integer, nullable=True),
    *_versioned(),
    Index(None, "subject_key", "superseded_seq"),
    Index(None, "list_code", "superseded_seq"),
    Index(None, "source", "list_code", "doc_key", "superseded_seq"),
    Index(None, "listing_id"),  # notices, removals and reminders find their listing by it
)

# Every point-of-decision check an agency system made, and what the registry answered (the
# feedback loop of FACTS.md §3: "逢办必查"). Bookkeeping, not credit data: not journaled.
check_log = Table(
    "check_log",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("checked_at", String(32), nullable=False),
    Column("asked_by", String(200), nullable=False),
    Column("subject_key", String(80), nullable=False),
    Column("measure_code", String(96), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("applies", Boolean, nullable=False),
    Column("journal_seq", Seq, nullable=False),
    Index(None, "subject_key"),
)

# `xinyong recompute`: every subject's state on one date, for fast reads and statistics. Only
# subjects with a listing in force have a row; every other subject's state is empty.
subject_state = Table(
    "subject_state",
    metadata,
    Column("subject_key", String(80), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("lists", Text, nullable=False),  # JSON list of list codes in force
    Column("measures", Text, nullable=False),  # JSON list of measure codes in force
    Column("suspended", Text, nullable=False),  # JSON list of incentives suspended
    Column("flags", Text, nullable=False),  # JSON object: double jeopardy, pile-on
    Column("journal_seq", Seq, nullable=False),
)

ingest_batches = Table(
    "ingest_batches",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32), nullable=True),
    Column("status", String(16), nullable=False),
    Column("files", Text, nullable=False),  # JSON list
    Column("counts", Text, nullable=False),  # JSON object, kept current chunk by chunk
    # sha256 over source, kind and the files' bytes: an interrupted batch with the same key
    # is resumed rather than started again.
    Column("content_key", String(64), nullable=True),
    Index(None, "content_key", "status"),
)

# How far each file (and sheet) of a batch got: the last row committed.
ingest_progress = Table(
    "ingest_progress",
    metadata,
    Column("batch_id", String(40), primary_key=True),
    Column("part", String(200), primary_key=True),  # file sha256 + sheet
    Column("last_row", Integer, nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("batch_id", String(40), nullable=False),
    Column("source", String(64), nullable=False),
    Column("kind", String(32), nullable=True),
    Column("file", Text, nullable=False),
    Column("sheet", Text, nullable=True),
    Column("row", Integer, nullable=False),  # 1-based, as a person sees it in the sheet
    Column("reasons", Text, nullable=False),  # JSON list of strings
    Column("data", Text, nullable=False),  # JSON object: the row verbatim, header -> cell text
    Column("status", String(16), nullable=False),  # open | closed
    Column("resolved_record_id", Seq, nullable=True),
    Column("created_at", String(32), nullable=False),
    # sha256 over source, kind, file name, sheet, row and cells: a rerun files nothing twice.
    Column("fingerprint", String(64), nullable=True),
    Column("closed_at", String(32), nullable=True),
    Column("closed_reason", Text, nullable=True),
    Index(None, "status", "id"),
    Index(None, "batch_id"),
    Index(None, "fingerprint", "status"),
)

# USCCs that fail their check character but that an officer accepted as issued (FACTS.md §7:
# some legacy-issued codes do not validate). Journaled: `code.legacy_accepted`.
legacy_codes = Table(
    "legacy_codes",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    *_versioned(),
    Index(None, "code", "superseded_seq"),
)

# Every unmasked view of personal data (an export for the agency to fix its rows): who, when,
# why. Not credit data, so not journaled; never updated.
access_log = Table(
    "access_log",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

# Keys agency systems use on the API: stored as SHA-256 of the key (a random 256-bit secret, so a
# fast hash suffices; passwords, which people choose, get argon2), bound to one agency and to the
# scopes it may use. Not credit data: not journaled; revoked, never deleted.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("key_id", String(16), nullable=False, unique=True),  # public prefix, shown in logs
    Column("key_hash", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("scopes", Text, nullable=False),  # JSON list, e.g. ["listings:write"]
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

# --- Due process (workflows/): projections of journaled workflow steps. Each row is the current
# state of one case; the journal holds every step with its actor, and replay rebuilds the rows.

# Records and corrections an officer entered, waiting for a second pair of eyes. The id is the
# record's id: the journal sequence of the submission for a new record, the record's own for a
# correction, so it stays valid through approval and later corrections.
entries = Table(
    "entries",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=False),
    Column("record_id", Seq, nullable=False),
    Column("agency", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # record kind
    Column("doc_no", Text, nullable=False),
    Column("doc_key", Text, nullable=False),
    Column("subject_key", String(80), nullable=True),
    Column("party_name", Text, nullable=False),
    Column("correction", Boolean, nullable=False),
    Column("draft", Text, nullable=False),  # JSON: the parsed row (IDs already masked/keyed)
    Column("status", String(16), nullable=False),  # pending | approved | rejected
    Column("author", String(200), nullable=False),
    Column("submitted_seq", Seq, nullable=False),
    Column("submitted_at", String(32), nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_seq", Seq, nullable=True),
    Column("decided_at", String(32), nullable=True),
    Column("reason", Text, nullable=True),
    Index(None, "agency", "status"),
    Index(None, "record_id"),
)


def _case(name: str, own: Column[Any]) -> Table:
    """An objection or a repair application: about a record or listing of one subject, filed
    with evidence, due by a date in working days, decided with reasons — and `own`, the column
    only this kind has."""
    return Table(
        name,
        metadata,
        Column("id", Seq, primary_key=True, autoincrement=False),  # the filing's journal seq
        Column("target", String(16), nullable=False),  # record | listing
        Column("target_id", Seq, nullable=False),
        Column("subject_key", String(80), nullable=False),
        # who answers: the agency that supplied (objection) or made (repair) the record
        Column("agency", String(64), nullable=False),
        own,
        Column("evidence", Text, nullable=False),  # JSON list of {name, sha256, size}
        Column("filed_by", String(200), nullable=False),
        Column("filed_on", Date, nullable=False),
        Column("due", Date, nullable=False),
        Column("due_warning", Text, nullable=True),  # the holiday calendar did not cover it
        Column("status", String(16), nullable=False),  # objections and repairs: see below
        Column("escalated_on", Date, nullable=True),
        Column("outcome_reason", Text, nullable=True),
        Column("decided_by", String(200), nullable=True),
        Column("decided_on", Date, nullable=True),
        Column("decided_seq", Seq, nullable=True),
        Index(None, "target", "target_id", "status"),
        Index(None, "subject_key"),
        Index(None, "agency", "status"),
    )


# Objections (异议) against a record or a listing, and credit repair (信用修复) applications.
# Which case cites which evidence file, so that a download finds the cases it may be shown for
# by index, not by scanning every case's evidence list.
case_evidence = Table(
    "case_evidence",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("case_id", Seq, primary_key=True, autoincrement=False),  # objection or repair id
    Column("name", Text, nullable=False),
)

# states: open | upheld | rejected
objections = _case("objections", Column("statement", Text, nullable=False))
# states: pending | granted | refused
repairs = _case("repairs", Column("commitment", Boolean, nullable=False))

# Notices to a subject: delivered in the portal at once and by e-mail when it has an address.
notices = Table(
    "notices",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=False),  # the notice's journal sequence
    Column("subject_key", String(80), nullable=False),
    Column("topic", String(48), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("ref", String(64), nullable=True),  # e.g. objection:12, listing:40
    Column("sent_at", String(32), nullable=False),
    Index(None, "subject_key"),
)

# Operational tables of due process (not credit data, not journaled).

# Evidence files: content addressed; the journal holds each file's SHA-256, name and size.
evidence_files = Table(
    "evidence_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", String(32), nullable=False),
)

# E-mail delivery of notices: tried after the notice is journaled, retried until it goes.
notice_mail = Table(
    "notice_mail",
    metadata,
    Column("notice_id", Seq, primary_key=True, autoincrement=False),
    Column("address", Text, nullable=False),
    Column("sent_at", String(32), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
)

# People who sign in. Passwords are argon2id hashes; a user may also hold API tokens.
users = Table(
    "users",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("agency", String(64), nullable=True),
    Column("subject_key", String(80), nullable=True),
    Column("email", Text, nullable=True),
    Column("password_hash", Text, nullable=True),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
)

user_tokens = Table(
    "user_tokens",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("token_id", String(16), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False),
    Column("user_id", Seq, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

# Web sessions: the cookie carries the signed session id; expiry and logout are decided here.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Seq, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

# --- The transparency log (ledger/, docs/ledger.md). Not projections: written by the apply path
# beside the journal, never rebuilt, and append-only in the database itself (migration 0014).

# One public envelope per journal entry (leaf index = seq - 1): the envelope's canonical JSON is
# the Merkle leaf; the salt is what lets anyone recompute the digest of a public payload.
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("salt", LargeBinary, nullable=False),
    Column("envelope", Text, nullable=False),  # the leaf bytes, UTF-8 canonical JSON
    # Salt of the envelope's actor_digest (migration 0019): never published, so the digest
    # binds the journal's actor without letting anyone test guesses of an officer's login.
    # NULL for entries appended between 0014 and 0019 (their envelopes carry no actor_digest).
    Column("actor_salt", LargeBinary, nullable=True),
)

# Complete subtrees of the Merkle tree (ledger/merkle.py): level 0 the leaf hashes; about two
# rows per leaf, only ever inserted. Every proof reads at most 2·log2(n) of them.
ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

# One row: the number of leaves, moved in the same transaction as the journal head.
ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
)

# Signed tree heads (C2SP checkpoints) in the order they were signed.
ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Seq, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),  # the signed note, served as text/plain
    Column("signed_at", String(32), nullable=False),
    Index(None, "size"),
)

# Settings that travel with the database (the ID-key fingerprint, demo seeding state).
registry_meta = Table(
    "registry_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Tables rebuilt from the journal; `replay` and `audit` compare exactly these.
PROJECTIONS: tuple[Table, ...] = (
    agencies,
    subjects,
    subject_names,
    records,
    listings,
    legacy_codes,
    entries,
    objections,
    repairs,
    case_evidence,
    notices,
)
