"""The changes the one apply path accepts, as typed payload models.

Each change kind is a pydantic model, so a malformed change is refused with every reason at once
(DESIGN.md: errors list every reason), before anything is written. The model's JSON form is what
the journal stores.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SubjectKind = Literal["organisation", "person"]
NameType = Literal["current", "former", "english", "alternative"]
SubjectStatus = Literal["active", "revoked", "cancelled", "unknown"]


class ChangeRejected(Exception):
    """A change failed validation; nothing was written. `reasons` names every problem."""

    def __init__(self, kind: str, reasons: list[str]) -> None:
        self.kind = kind
        self.reasons = reasons
        super().__init__(f"{kind} refused: " + "; ".join(reasons))


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    kind: ClassVar[str]

    def journal_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class AgencyRegistered(Payload):
    kind: ClassVar[str] = "agency.registered"
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = Field(min_length=1)


class SubjectName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    type: NameType


class _SubjectState(Payload):
    subject_key: str = Field(min_length=1, max_length=80)
    subject_kind: SubjectKind
    code: str = Field(min_length=1, max_length=32)
    names: tuple[SubjectName, ...]
    legal_representative: str | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    industry: str | None = None
    entity_type: str | None = None
    registered_on: dt.date | None = None
    status: SubjectStatus = "active"
    registered_capital_wan: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?$")
    provisional: bool = False
    # The legacy 工商注册号 of a subject registered before the unified code (13 or 15 digits).
    registration_no: str | None = Field(default=None, pattern=r"^(\d{13}|\d{15})$")

    @field_validator("names")
    @classmethod
    def _one_current_name(cls, names: tuple[SubjectName, ...]) -> tuple[SubjectName, ...]:
        current = [n for n in names if n.type == "current"]
        if len(current) != 1:
            raise ValueError(f"exactly one current name is required, got {len(current)}")
        return names

    @property
    def current_name(self) -> str:
        return next(n.name for n in self.names if n.type == "current")


class SubjectRegistered(_SubjectState):
    kind: ClassVar[str] = "subject.registered"


class SubjectAmended(_SubjectState):
    kind: ClassVar[str] = "subject.amended"
    reason: str = Field(min_length=1)


class Origin(BaseModel):
    """Where a record came from: the explanation chain ends at a file row."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    batch_id: str | None = None
    file: str | None = None
    sheet: str | None = None
    row: int | None = Field(default=None, ge=1)


class _RecordState(Payload):
    source: str = Field(min_length=1, max_length=64)
    record_kind: str = Field(min_length=1, max_length=32)
    doc_no: str = Field(min_length=1)
    subject_key: str = Field(min_length=1, max_length=80)
    party_name: str = Field(min_length=1)
    decision_date: dt.date
    in_force_from: dt.date
    in_force_to: dt.date | None = None
    severity: str | None = None
    severity_rule: str | None = None
    authority: str | None = None
    legal_basis: str | None = None
    fields: dict[str, str | None] = Field(default_factory=dict)
    origin: Origin = Field(default_factory=Origin)

    @field_validator("in_force_to")
    @classmethod
    def _period_ordered(cls, end: dt.date | None, info: Any) -> dt.date | None:
        start = info.data.get("in_force_from")
        if end is not None and start is not None and end < start:
            raise ValueError(f"in_force_to {end} is before in_force_from {start}")
        return end


class RecordAdded(_RecordState):
    kind: ClassVar[str] = "record.added"
    # The record's stable id when a workflow promised it before the record existed (an officer's
    # entry answers with its id at submission); otherwise the adding entry's sequence number.
    record_id: int | None = Field(default=None, ge=1)


class RecordCorrected(_RecordState):
    kind: ClassVar[str] = "record.corrected"
    reason: str = Field(min_length=1)


class _RecordEnd(Payload):
    source: str = Field(min_length=1, max_length=64)
    record_kind: str = Field(min_length=1, max_length=32)
    doc_no: str = Field(min_length=1)
    on: dt.date
    reason: str = Field(min_length=1)


class RecordRepaired(_RecordEnd):
    """Credit repair granted: publicity ends, sharing stops and the record is no longer used
    from `on`; it stays in the registry (a new version with status `repaired`)."""

    kind: ClassVar[str] = "record.repaired"
    repair_id: int


class RecordRevoked(_RecordEnd):
    """An objection upheld without a correction: the record was wrong and is withdrawn."""

    kind: ClassVar[str] = "record.revoked"
    objection_id: int | None = None


class LegacyCodeAccepted(Payload):
    """An officer's deliberate acceptance of a USCC that fails its check character (or its
    organisation-code check) as one really issued by a registration authority."""

    kind: ClassVar[str] = "code.legacy_accepted"
    code: str = Field(pattern=r"^[0-9A-Z]{18}$")
    reason: str = Field(min_length=5)
    quarantine_id: int | None = None


class BasisRef(BaseModel):
    """A decision a listing rests on: a record of the registry (by its stable id) or, for a
    decision the registry does not hold (a court judgment), its document number alone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doc_no: str | None = Field(default=None, min_length=1)
    record_id: int | None = None
    kind: str | None = None
    source: str | None = None
    # An escalation rests on another listing, not on a decision of its own.
    listing_id: int | None = None
    listing_decision: str | None = None

    @model_validator(mode="after")
    def _names_something(self) -> BasisRef:
        if self.doc_no is None and self.listing_id is None:
            raise ValueError("a basis names a decision (doc_no) or a listing (listing_id)")
        return self


class _ListingState(Payload):
    source: str = Field(min_length=1, max_length=64)
    list_code: str = Field(min_length=1, max_length=96)
    decision_no: str = Field(min_length=1)
    subject_key: str = Field(min_length=1, max_length=80)
    party_name: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    legal_basis: str | None = None
    start: dt.date
    planned_end: dt.date | None = None
    basis: tuple[BasisRef, ...] = ()
    origin: Origin = Field(default_factory=Origin)

    @field_validator("planned_end")
    @classmethod
    def _period_ordered(cls, end: dt.date | None, info: Any) -> dt.date | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"planned_end {end} is before start {start}")
        return end


class ListingDecided(_ListingState):
    """An authority's listing decision, in force from `start`."""

    kind: ClassVar[str] = "listing.decided"


class ListingCorrected(_ListingState):
    kind: ClassVar[str] = "listing.corrected"
    reason: str = Field(min_length=1)


class ListingProposed(_ListingState):
    """A listing the registry derived from the list's criteria: not in force until notified and
    its notice period has passed."""

    kind: ClassVar[str] = "listing.proposed"
    derived: str = Field(min_length=1)  # the criterion, in words


class ListingNotified(Payload):
    """Notice served on the subject (reasons, basis, rights): in force from `start` unless an
    objection or a removal stops it."""

    kind: ClassVar[str] = "listing.notified"
    listing_id: int
    notified_on: dt.date
    start: dt.date
    planned_end: dt.date | None = None


class ListingTookEffect(Payload):
    kind: ClassVar[str] = "listing.took_effect"
    listing_id: int
    on: dt.date


class ListingRemoved(Payload):
    """A removal decision: the listing is in force on dates before `date`, not from it."""

    kind: ClassVar[str] = "listing.removed"
    subject_key: str = Field(min_length=1, max_length=80)
    list_code: str = Field(min_length=1, max_length=96)
    # Which listing: named by the registry's own workflows; a removal decision from a file names
    # only subject, list and date, and ends the listing of that subject on that list in force
    # on that date (found when the change applies, identically on replay).
    listing_id: int | None = None
    source: str = Field(min_length=1, max_length=64)
    decision_no: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    date: dt.date
    reason: str = Field(min_length=1)
    origin: Origin = Field(default_factory=Origin)


class ListingReminded(Payload):
    """A reminder published before an escalation (SAMR: within 60 days before three years on
    the abnormal operations list)."""

    kind: ClassVar[str] = "listing.reminded"
    listing_id: int
    on: dt.date
    escalates_to: str = Field(min_length=1)
    escalates_on: dt.date


# --- Due process (workflows/). Each names its actor in `by` as well as the journal's actor
# column, because the projections that show who decided must be rebuilt from payloads alone.


class EntrySubmitted(Payload):
    """An officer's record or correction, waiting for a reviewer of the same agency."""

    kind: ClassVar[str] = "entry.submitted"
    record_id: int | None = Field(default=None, ge=1)  # a correction's record; new: the entry's seq
    # A correction's view of the record: the journal entry of the live version it corrects, so
    # that approval refuses an entry the registry has moved past (another correction since).
    base_seq: int | None = Field(default=None, ge=1)
    agency: str = Field(min_length=1, max_length=64)
    record_kind: str = Field(min_length=1, max_length=32)
    doc_no: str = Field(min_length=1)
    subject_key: str | None = None
    party_name: str = Field(min_length=1)
    correction: bool = False
    draft: dict[str, Any]
    on: dt.date
    by: str = Field(min_length=1, max_length=200)


class EntryApproved(Payload):
    kind: ClassVar[str] = "entry.approved"
    id: int
    by: str = Field(min_length=1, max_length=200)


class EntryRejected(Payload):
    kind: ClassVar[str] = "entry.rejected"
    id: int
    reason: str = Field(min_length=1)
    by: str = Field(min_length=1, max_length=200)


class EvidenceRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=255)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str = "application/octet-stream"


Target = Literal["record", "listing"]


class _CaseFiled(Payload):
    target: Target
    target_id: int
    subject_key: str = Field(min_length=1, max_length=80)
    agency: str = Field(min_length=1, max_length=64)
    evidence: tuple[EvidenceRef, ...] = ()
    filed_on: dt.date
    due: dt.date
    due_warning: str | None = None
    by: str = Field(min_length=1, max_length=200)


class ObjectionFiled(_CaseFiled):
    kind: ClassVar[str] = "objection.filed"
    statement: str = Field(min_length=1)


class ObjectionDecided(Payload):
    kind: ClassVar[str] = "objection.decided"
    id: int
    outcome: Literal["upheld", "rejected"]
    reason: str = Field(min_length=1)
    on: dt.date
    by: str = Field(min_length=1, max_length=200)


class RepairApplied(_CaseFiled):
    kind: ClassVar[str] = "repair.applied"
    commitment: bool


class RepairDecided(Payload):
    kind: ClassVar[str] = "repair.decided"
    id: int
    outcome: Literal["granted", "refused"]
    reason: str = Field(min_length=1)
    on: dt.date
    by: str = Field(min_length=1, max_length=200)


class CaseEscalated(Payload):
    """An objection or repair not answered by its deadline, raised to the auditor."""

    kind: ClassVar[str] = "case.escalated"
    case: Literal["objection", "repair"]
    id: int
    on: dt.date


class NoticeSent(Payload):
    """A notice to a subject (pre-listing notice, objection received or answered, repair
    decided, a deadline nearing): shown in its portal and mailed."""

    kind: ClassVar[str] = "notice.sent"
    subject_key: str = Field(min_length=1, max_length=80)
    topic: str = Field(min_length=1, max_length=48)
    title: str = Field(min_length=1)
    body: str = Field(min_length=1)
    ref: str | None = Field(default=None, max_length=64)
    on: dt.date


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    t.kind: t
    for t in (
        AgencyRegistered,
        SubjectRegistered,
        SubjectAmended,
        RecordAdded,
        RecordCorrected,
        LegacyCodeAccepted,
        ListingDecided,
        ListingCorrected,
        ListingProposed,
        ListingNotified,
        ListingTookEffect,
        ListingRemoved,
        ListingReminded,
        RecordRepaired,
        RecordRevoked,
        EntrySubmitted,
        EntryApproved,
        EntryRejected,
        ObjectionFiled,
        ObjectionDecided,
        RepairApplied,
        RepairDecided,
        CaseEscalated,
        NoticeSent,
    )
}


def parse_payload(kind: str, data: dict[str, Any]) -> Payload:
    """Build the typed payload for a kind, or raise ChangeRejected with every reason."""
    model = PAYLOAD_TYPES.get(kind)
    if model is None:
        raise ChangeRejected(kind, [f"unknown change kind {kind!r}"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ChangeRejected(kind, _reasons(exc)) from None


def _reasons(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        out.append(f"{where}: {err['msg']}")
    return out
