"""Planning listing-decision rows: new decision, duplicate, correction, or removal.

Natural key of a listing decision: source agency + list + decision document number (as its
matching form). A removal row carries its own decision number and ends the subject's listing on
that list in force on its date; sending it again changes nothing, sending it with another date
corrects the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.codes import document_key
from xinyong.ingest.resolve import Resolver, _restore
from xinyong.ingest.rows import Draft
from xinyong.store.apply import Change
from xinyong.store.changes import ChangeRejected, Payload, parse_payload
from xinyong.store.journal import parse_json
from xinyong.store.projections import listings as listing_store
from xinyong.store.projections.subjects import existing as existing_subjects

_CONTENT = ("subject_key", "party_name", "authority", "legal_basis", "start", "planned_end")


class ListingPlanner(Resolver):
    def __init__(self, conn: Connection, source: str, kind: str) -> None:
        super().__init__(conn, source, kind)
        # Decisions planned earlier in this chunk, not yet applied: key -> content.
        self.planned: dict[tuple[str, str], dict[str, Any]] = {}
        # Removals planned in this chunk: (subject, list) -> removal dates.
        self.removed: dict[tuple[str, str], list[str]] = {}

    def prefetch(self, drafts: Sequence[Draft]) -> None:
        self._prefetch_identities(drafts)
        keys = {d.subject.key for d in drafts if d.subject.resolved} - set(self.subjects)
        known = existing_subjects(self.conn, keys)
        for key in keys:
            self.subjects[key] = {"subject_key": key, "names": []} if key in known else None

    def plan(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        planned: list[Change] = []
        skey = draft.subject.key
        before = (skey in self.subjects, self.subjects.get(skey))
        try:
            draft = self.identify(draft)
            if draft.payload["action"] == "remove":
                outcome = self._plan_removal(draft, origin, planned)
            else:
                outcome = self._plan_decision(draft, origin, planned)
            typed = [
                c if isinstance(c.payload, Payload) else Change.of(parse_payload(c.kind, c.payload))
                for c in planned
            ]
        except ChangeRejected:
            _restore(self.subjects, skey, before[0], before[1])
            raise
        changes.extend(typed)
        return outcome

    def _plan_decision(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        p = draft.payload
        key = (p["list_code"], document_key(p["decision_no"]))
        content = {k: p.get(k) for k in _CONTENT} | {"basis": _basis_keys(p["basis"])}
        stored = self.planned.get(key)
        if stored is None:
            row = listing_store.current_by_key(
                self.conn, self.source, p["list_code"], p["decision_no"]
            )
            stored = _stored_content(row) if row is not None else None
        payload = {k: v for k, v in p.items() if k not in ("action", "doc_no")}
        payload.update(source=self.source, origin=origin)
        if stored is None:
            self._ensure_subject(draft, changes)
            changes.append(Change("listing.decided", payload))
            self.planned[key] = content
            return "accepted"
        if stored == content:
            return "duplicate"
        reason = f"resubmitted with changes ({origin['file']} row {origin['row']})"
        changes.append(Change("listing.corrected", {**payload, "reason": reason}))
        self.planned[key] = content
        return "corrected"

    def _plan_removal(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        p = draft.payload
        if self.subjects.get(p["subject_key"]) is None:
            raise ChangeRejected(
                "listing.removed", [f"subject {draft.subject.code} is not in the registry"]
            )
        day = dt.date.fromisoformat(p["date"])
        doc = document_key(p["decision_no"])
        rows = listing_store.of_subject_on_list(self.conn, p["subject_key"], p["list_code"])
        payload = {
            "subject_key": p["subject_key"],
            "list_code": p["list_code"],
            "source": self.source,
            "decision_no": p["decision_no"],
            "authority": p["authority"],
            "date": p["date"],
            "reason": p["reason"],
            "origin": origin,
        }
        done = [r for r in rows if r.end_doc_key == doc]
        if done:
            if done[0].actual_end == day:
                return "duplicate"
            fixed = {**payload, "listing_id": done[0].listing_id}
            fixed["reason"] = (
                f"{p['reason']}; date corrected ({origin['file']} row {origin['row']})"
            )
            changes.append(Change("listing.removed", fixed))
            return "corrected"
        pending = (p["subject_key"], p["list_code"])
        in_chunk = any(
            c["subject_key"] == p["subject_key"] and key[0] == p["list_code"]
            for key, c in self.planned.items()
        )
        if not in_chunk and not listing_store.removable(
            self.conn, p["subject_key"], p["list_code"], day
        ):
            raise ChangeRejected(
                "listing.removed",
                [
                    f"date: no listing of {draft.subject.code} on {p['list_code']} is in force "
                    f"on {day}"
                ],
            )
        if p["date"] in self.removed.get(pending, []):
            return "duplicate"
        self.removed.setdefault(pending, []).append(p["date"])
        changes.append(Change("listing.removed", payload))
        return "accepted"


def _basis_keys(basis: list[dict[str, Any]]) -> list[str]:
    return sorted(document_key(str(b["doc_no"])) for b in basis if b.get("doc_no"))


def _stored_content(row: Any) -> dict[str, Any]:
    return {
        "subject_key": row.subject_key,
        "party_name": row.party_name,
        "authority": row.authority,
        "legal_basis": row.legal_basis,
        "start": row.start_date.isoformat(),
        "planned_end": row.planned_end.isoformat() if row.planned_end else None,
        "basis": _basis_keys(parse_json(row.basis)),
    }
