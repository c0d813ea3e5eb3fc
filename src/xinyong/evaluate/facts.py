"""The facts evaluation works on: plain values read from the projections, no database handles,
so the engine stays a pure function that batch and point paths share and tests can feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Listing:
    listing_id: int
    source: str
    list_code: str
    decision_no: str
    subject_key: str
    party_name: str
    authority: str
    legal_basis: str | None
    start: dt.date
    planned_end: dt.date | None
    actual_end: dt.date | None
    state: str  # proposed | notified | in_force | ended
    basis: tuple[dict[str, Any], ...] = ()
    end_decision_no: str | None = None
    end_reason: str | None = None
    derived: str | None = None
    notified_on: dt.date | None = None
    reminded_on: dt.date | None = None
    origin: dict[str, Any] = field(default_factory=dict)
    recorded_seq: int = 0

    def in_force(self, day: dt.date) -> bool:
        """DESIGN.md invariant 4: start <= d <= planned end; ended early on D, in force before D
        only. Proposed and notified listings are not in force yet, whatever the date."""
        if self.state not in ("in_force", "ended"):
            return False
        if day < self.start:
            return False
        if self.planned_end is not None and day > self.planned_end:
            return False
        return self.actual_end is None or day < self.actual_end

    @property
    def ends(self) -> dt.date | None:
        """The last day in force, as far as is known now."""
        if self.actual_end is not None:
            last = self.actual_end - dt.timedelta(days=1)
            return last if self.planned_end is None else min(last, self.planned_end)
        return self.planned_end

    def as_dict(self) -> dict[str, Any]:
        return {
            "listing_id": self.listing_id,
            "list": self.list_code,
            "decision": self.decision_no,
            "authority": self.authority,
            "legal_basis": self.legal_basis,
            "source": self.source,
            "start": self.start.isoformat(),
            "planned_end": self.planned_end.isoformat() if self.planned_end else None,
            "ended_on": self.actual_end.isoformat() if self.actual_end else None,
            "end_decision": self.end_decision_no,
            "end_reason": self.end_reason,
            "state": self.state,
            "derived": self.derived,
            "basis": list(self.basis),
            "origin": self.origin,
            "journal_seq": self.recorded_seq,
        }


@dataclass(frozen=True, slots=True)
class Record:
    """What derivation and explanations need of a credit record."""

    record_id: int
    source: str
    kind: str
    doc_no: str
    subject_key: str
    decision_date: dt.date
    in_force_from: dt.date
    in_force_to: dt.date | None
    severity: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, Any] = field(default_factory=dict)

    def in_force(self, day: dt.date) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day <= self.in_force_to)

    def as_ref(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "kind": self.kind,
            "doc_no": self.doc_no,
            "source": self.source,
            "decision_date": self.decision_date.isoformat(),
            "severity": self.severity,
            "origin": self.origin,
        }


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """One subject as derivation sees it."""

    subject_key: str
    code: str
    name: str
    kind: str  # organisation | person
    status: str
    registered_on: dt.date | None
    legal_representative: str | None = None
