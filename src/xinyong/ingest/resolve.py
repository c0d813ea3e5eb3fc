"""Subject and record resolution for a chunk of parsed rows: new, duplicate, or correction.

The chunk's stored subjects and records are fetched up front in a few IN queries (a query per row
would cost more than everything else the row needs), then each row is planned against them and
against the rows before it in the same chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select

from xinyong.codes import document_key, normalise_name
from xinyong.ingest.rows import Draft, SubjectRef
from xinyong.store.apply import Change
from xinyong.store.changes import ChangeRejected, Payload, parse_payload
from xinyong.store.journal import parse_json
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.projections.subjects import existing as existing_subjects
from xinyong.store.schema import records, subject_names, subjects

_SUBJECTS = InList(
    lambda member: select(subjects).where(
        member(subjects.c.subject_key, "keys"), subjects.c.superseded_seq.is_(None)
    )
)
_NAMES = InList(
    lambda member: (
        select(subject_names.c.subject_key, subject_names.c.name, subject_names.c.name_type)
        .where(
            member(subject_names.c.subject_key, "keys"), subject_names.c.superseded_seq.is_(None)
        )
        .order_by(subject_names.c.id)
    )
)
_BY_ORG = InList(
    lambda member: select(subjects.c.org_code, subjects.c.subject_key, subjects.c.code).where(
        member(subjects.c.org_code, "orgs"), subjects.c.superseded_seq.is_(None)
    )
)
_BY_NAME = InList(
    lambda member: (
        select(subject_names.c.name_key, subjects.c.subject_key, subjects.c.code)
        .join(subjects, subjects.c.subject_key == subject_names.c.subject_key)
        .where(
            member(subject_names.c.name_key, "names"),
            subject_names.c.superseded_seq.is_(None),
            subjects.c.superseded_seq.is_(None),
            subjects.c.kind == "organisation",
        )
    )
)
_VERSIONS_FROM = select(records).where(
    records.c.source == bindparam("source"),
    records.c.kind == bindparam("kind"),
    records.c.doc_key == bindparam("doc_key"),
    records.c.source_file == bindparam("file"),
    records.c.source_row == bindparam("row"),
)
_RECORDS = InList(
    lambda member: select(records).where(
        records.c.source == bindparam("source"),
        records.c.kind == bindparam("kind"),
        member(records.c.doc_key, "docs"),
        records.c.superseded_seq.is_(None),
    )
)

# Differences in these keys do not make a resubmitted row a correction.
# The document number's writing (bracket style, width) is not content either: the key matches.
_NOT_CONTENT = {"origin", "reason", "severity", "severity_rule", "doc_no"}


def same_content(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal in every stated field; a None in the draft and a missing key are the same thing;
    names compare as a set (their order is not content)."""
    keys = (set(stored) | set(new)) - _NOT_CONTENT
    return all(_comparable(k, stored.get(k)) == _comparable(k, new.get(k)) for k in keys)


def _comparable(key: str, value: Any) -> Any:
    if key == "names" and isinstance(value, list):
        return sorted((n["name"], n["type"]) for n in value)
    return value


class NeedsReview(Exception):
    """A row whose subject could be any of several: an officer decides, the registry never
    guesses."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


class Resolver:
    """Plans the changes for a chunk's rows against the registry and against each other."""

    def __init__(self, conn: Connection, source: str, kind: str) -> None:
        self.conn = conn
        self.source = source
        self.kind = kind
        self.subjects: dict[str, dict[str, Any] | None] = {}  # key -> state (None: not there)
        self.records: dict[str, dict[str, Any] | None] = {}  # document key -> content
        self.by_org_code: dict[str, list[tuple[str, str]]] = {}  # org code -> [(key, code)]
        self.by_name: dict[str, list[tuple[str, str]]] = {}  # name key -> [(key, code)]

    def _prefetch_identities(self, drafts: Sequence[Draft]) -> None:
        """Subjects for rows that gave an old organisation code or only a name."""
        orgs = {d.subject.org_code for d in drafts if not d.subject.resolved and d.subject.org_code}
        names = {
            normalise_name(d.subject.name)
            for d in drafts
            if not d.subject.resolved and not d.subject.org_code
        }
        for part in chunked(sorted(orgs - set(self.by_org_code))):
            for code in part:
                self.by_org_code[code] = []
            for r in self.conn.execute(_BY_ORG.on(self.conn), {"orgs": part}):
                self.by_org_code[r.org_code].append((r.subject_key, r.code))
        for part in chunked(sorted(names - set(self.by_name))):
            for key in part:
                self.by_name[key] = []
            for r in self.conn.execute(_BY_NAME.on(self.conn), {"names": part}):
                found = self.by_name[r.name_key]
                if (r.subject_key, r.code) not in found:
                    found.append((r.subject_key, r.code))

    def identify(self, draft: Draft) -> Draft:
        """The draft with its subject found by organisation code or exact name; ChangeRejected
        when nothing matches, NeedsReview when several do."""
        ref = draft.subject
        if ref.resolved:
            return draft
        if ref.org_code:
            found = self.by_org_code.get(ref.org_code, [])
            what = f"organisation code {ref.org_code}"
        else:
            found = self.by_name.get(normalise_name(ref.name), [])
            what = f"the name {ref.name!r} (no code given)"
        if not found:
            raise ChangeRejected("record", [f"no subject in the registry matches {what}"])
        if len(found) > 1:
            codes = ", ".join(code for _, code in found[:10])
            raise NeedsReview(
                [f"{len(found)} subjects match {what}: {codes}; an officer must choose"]
            )
        key, code = found[0]
        # Found in the registry, so it exists: no provisional subject may be created for it.
        self.subjects.setdefault(key, {"subject_key": key, "names": []})
        subject = SubjectRef(key, "organisation", code, ref.name)
        return Draft(subject, {**draft.payload, "subject_key": key}, doc_key=draft.doc_key)

    def prefetch(self, drafts: Sequence[Draft]) -> None:
        self._prefetch_identities(drafts)
        wanted = {d.subject.key for d in drafts if d.subject.resolved}
        keys = [k for k in wanted if k not in self.subjects]
        if self.kind != "registry":
            # Records only need to know their subject exists; its state matters to registry rows.
            known = existing_subjects(self.conn, set(keys))
            for key in keys:
                self.subjects[key] = {"subject_key": key, "names": []} if key in known else None
            keys = []
        for part in chunked(keys):
            found = {
                r.subject_key: r for r in self.conn.execute(_SUBJECTS.on(self.conn), {"keys": part})
            }
            names: dict[str, list[dict[str, str]]] = {}
            if found:
                for n in self.conn.execute(_NAMES.on(self.conn), {"keys": list(found)}):
                    names.setdefault(n.subject_key, []).append(
                        {"name": n.name, "type": n.name_type}
                    )
            for key in part:
                row = found.get(key)
                self.subjects[key] = None if row is None else _subject_state(row, names[key])
        if self.kind == "registry":
            return
        wanted_docs = {_doc_key(d) for d in drafts}
        docs = [d for d in wanted_docs if d not in self.records]
        for part in chunked(docs):
            params = {"source": self.source, "kind": self.kind, "docs": part}
            found_docs = {
                r.doc_key: _record_content(r)
                for r in self.conn.execute(_RECORDS.on(self.conn), params)
            }
            for doc in part:
                self.records[doc] = found_docs.get(doc)

    def plan(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        """Append this row's changes, each validated as the apply path will validate it
        (ChangeRejected names every reason), and say what the row amounts to."""
        planned: list[Change] = []
        # Planning touches at most this row's subject and document; keep them to undo.
        skey, doc = draft.subject.key, _doc_key(draft)
        before = (
            skey in self.subjects,
            self.subjects.get(skey),
            doc in self.records,
            self.records.get(doc),
        )
        try:
            draft = self.identify(draft)
            if self.kind == "registry":
                outcome = self._plan_subject(draft, origin, planned)
            else:
                outcome = self._plan_record(draft, origin, planned)
            typed = [
                c
                if isinstance(c.payload, Payload) or c.prepared is not None
                else Change.of(parse_payload(c.kind, c.payload), c.journal_json)
                for c in planned
            ]
        except ChangeRejected:
            _restore(self.subjects, skey, before[0], before[1])
            _restore(self.records, doc, before[2], before[3])
            raise
        changes.extend(typed)
        return outcome

    def _plan_subject(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        new = draft.payload
        stored = self.subjects.get(draft.subject.key)
        if stored is None:
            changes.append(Change("subject.registered", new))
            self.subjects[draft.subject.key] = new
            return "accepted"
        if same_content(stored, new):
            return "duplicate"
        # A changed current name is kept as a former name: searches by the old name still find
        # it. A provisional subject's name is only how some record spelled it, so it is kept as
        # an alternative name instead: the registry never said it was ever the official name.
        # Names the registry already knows stay known: a file that lists fewer former names than
        # the registry holds does not erase history (sending it twice must change nothing).
        old_current = next(n["name"] for n in stored["names"] if n["type"] == "current")
        names = list(new["names"])
        listed = {n["name"] for n in names}
        for known in stored["names"]:
            if known["type"] != "current" and known["name"] not in listed:
                names.append(known)
                listed.add(known["name"])
        if old_current not in listed:
            kept = "alternative" if stored["provisional"] else "former"
            names.append({"name": old_current, "type": kept})
        amended = {**new, "names": names}
        if same_content(stored, amended):
            return "duplicate"
        where = f"{origin['file']} row {origin['row']}"
        why = "confirmed by the registry" if stored["provisional"] else "registry update"
        changes.append(Change("subject.amended", {**amended, "reason": f"{why} ({where})"}))
        self.subjects[draft.subject.key] = amended
        return "corrected"

    def _applied_before(self, doc_no: str, content: dict[str, Any], origin: dict[str, Any]) -> bool:
        rows = self.conn.execute(
            _VERSIONS_FROM,
            {
                "source": self.source,
                "kind": self.kind,
                "doc_key": document_key(doc_no),
                "file": origin["file"],
                "row": origin["row"],
            },
        )
        return any(same_content(_record_content(r), content) for r in rows)

    def _ensure_subject(self, draft: Draft, changes: list[Change]) -> None:
        ref = draft.subject
        if self.subjects.get(ref.key) is not None:
            return
        # A valid code the registry has not seen yet: create the subject, marked provisional for
        # organisations until the registry file confirms it. Persons have no registry to wait for.
        payload = {
            "subject_key": ref.key,
            "subject_kind": ref.kind,
            "code": ref.code,
            "names": [{"name": ref.name, "type": "current"}],
            "status": "active" if ref.kind == "organisation" else "unknown",
            "provisional": ref.kind == "organisation",
        }
        changes.append(Change("subject.registered", payload))
        self.subjects[ref.key] = payload

    def _plan_record(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        doc_no = draft.payload["doc_no"]
        doc = _doc_key(draft)
        content = {**draft.payload, "source": self.source}
        stored = self.records.get(doc)
        if stored is not None and same_content(stored, content):
            return "duplicate"
        if stored is not None and self._applied_before(doc_no, content, origin):
            # This very row (same file, same row, same content) was applied before and a later
            # row has corrected it since: sending the file again must not undo that correction.
            return "duplicate"
        self._ensure_subject(draft, changes)
        payload = {**content, "origin": origin}
        self.records[doc] = content
        if stored is None:
            # The worker's journal JSON and row stand only for exactly the payload it validated:
            # the draft's own fields, plus the same source and origin. Then the change is not
            # validated again (the apply path still checks it against the registry).
            made_for = {"source": payload["source"], "origin": payload["origin"]}
            if draft.validated == made_for and draft.journal_json and draft.prepared:
                changes.append(Change("record.added", payload, draft.journal_json, draft.prepared))
            else:
                changes.append(Change("record.added", payload))
            return "accepted"
        where = f"{origin['file']} row {origin['row']}"
        reason = f"resubmitted with changes ({where})"
        changes.append(Change("record.corrected", {**payload, "reason": reason}))
        return "corrected"


def _doc_key(draft: Draft) -> str:
    if draft.doc_key is not None:
        return draft.doc_key
    return document_key(draft.payload.get("doc_no", ""))


def _restore(cache: dict[str, Any], key: str, present: bool, value: Any) -> None:
    if present:
        cache[key] = value
    else:
        cache.pop(key, None)


def _subject_state(row: Any, names: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "subject_key": row.subject_key,
        "subject_kind": row.kind,
        "code": row.code,
        "names": names,
        "legal_representative": row.legal_representative,
        "region_code": row.region_code,
        "industry": row.industry,
        "entity_type": row.entity_type,
        "registered_on": row.registered_on.isoformat() if row.registered_on else None,
        "status": row.status,
        "registered_capital_wan": row.registered_capital_wan,
        "provisional": bool(row.provisional),
        "registration_no": row.registration_no,
    }


def _record_content(row: Any) -> dict[str, Any]:
    return {
        "source": row.source,
        "record_kind": row.kind,
        "doc_no": row.doc_no,
        "subject_key": row.subject_key,
        "party_name": row.party_name,
        "decision_date": row.decision_date.isoformat(),
        "in_force_from": row.in_force_from.isoformat(),
        "in_force_to": row.in_force_to.isoformat() if row.in_force_to else None,
        "authority": row.authority,
        "legal_basis": row.legal_basis,
        "fields": parse_json(row.fields),
    }
