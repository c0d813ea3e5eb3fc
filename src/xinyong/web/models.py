"""Wire shapes of the API, pinned here so that OpenAPI documents them and tests can hold them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from xinyong.registry import SubjectFile
from xinyong.search import SearchHit


class SubjectSummary(BaseModel):
    code: str = Field(description="USCC, or the masked resident ID of a natural person")
    name: str
    kind: str = Field(description="organisation | person")
    status: str = Field(description="active | revoked | cancelled | unknown")
    provisional: bool = Field(description="known only from a record, not yet from the registry")
    matched_name: str = Field(description="the name (current, former, English) the query matched")
    matched_name_type: str
    score: float = Field(description="how well it matched, 0..1 (1: the name exactly)")
    matched_on: str = Field(
        description="field:how — field is code, org_code, name, former_name, english_name, "
        "other_name or legal_representative; how is exact, without_region_or_form, short_name, "
        "part_of_name, pinyin_initials or similar"
    )

    @classmethod
    def of(cls, hit: SearchHit) -> SubjectSummary:
        return cls(
            code=hit.code,
            name=hit.name,
            kind=hit.kind,
            status=hit.status,
            provisional=hit.provisional,
            matched_name=hit.matched_name,
            matched_name_type=hit.matched_name_type,
            score=hit.score,
            matched_on=hit.matched_on,
        )


class SubjectList(BaseModel):
    results: list[SubjectSummary]
    total: int
    capped: bool = Field(description="more candidates matched than were ranked; total is a floor")
    known_at: int = Field(description="journal position every page of this search is read at")
    next: str | None = Field(description="opaque token for the next page, or null")


class Name(BaseModel):
    name: str
    type: str


class Origin(BaseModel):
    batch: str | None
    file: str | None
    sheet: str | None
    row: int | None


class Record(BaseModel):
    id: int = Field(description="stable across corrections")
    source: str = Field(description="code of the agency that sent it")
    kind: str
    doc_no: str
    party_name: str
    decision_date: dt.date
    in_force_from: dt.date
    in_force_to: dt.date | None
    severity: str | None = Field(description="minor | general | serious, by the catalogue's rules")
    severity_rule: str | None = Field(description="the catalogue rule that set the severity")
    authority: str | None
    legal_basis: str | None
    fields: dict[str, Any]
    origin: Origin
    recorded_seq: int = Field(description="journal entry that recorded this version")
    journal_seq: int = Field(
        description="the same journal entry, in the transparency log: its envelope, salt and "
        "payload are at /api/v1/ledger/entries/{journal_seq}, its leaf index is journal_seq - 1"
    )
    under_objection: bool = Field(
        default=False, description="the subject has objected and the agency has not answered yet"
    )
    salt: str | None = Field(
        default=None,
        description="hex salt of the journal entry: SHA-256(salt ‖ payload) is the envelope's "
        "digest (null when the entry is not public)",
    )
    payload: str | None = Field(
        default=None, description="the journal entry's canonical payload, exactly as digested"
    )


class SubjectDetail(BaseModel):
    code: str
    kind: str
    name: str
    names: list[Name]
    status: str
    provisional: bool
    legal_representative: str | None
    region_code: str | None
    industry: str | None
    entity_type: str | None
    registered_on: dt.date | None
    registered_capital_wan: str | None
    as_of: dt.date
    known_at: int = Field(description="journal sequence number this answer reflects")
    records: list[Record]

    @classmethod
    def of(cls, f: SubjectFile) -> SubjectDetail:
        s = f.subject
        return cls(
            code=s.code,
            kind=s.kind,
            name=s.name,
            names=[Name(name=n.name, type=n.type) for n in s.names],
            status=s.status,
            provisional=s.provisional,
            legal_representative=s.legal_representative,
            region_code=s.region_code,
            industry=s.industry,
            entity_type=s.entity_type,
            registered_on=s.registered_on,
            registered_capital_wan=s.registered_capital_wan,
            as_of=f.as_of,
            known_at=f.known_at,
            records=[
                Record(
                    id=r.record_id,
                    source=r.source,
                    kind=r.kind,
                    doc_no=r.doc_no,
                    party_name=r.party_name,
                    decision_date=r.decision_date,
                    in_force_from=r.in_force_from,
                    in_force_to=r.in_force_to,
                    severity=r.severity,
                    severity_rule=r.severity_rule,
                    authority=r.authority,
                    legal_basis=r.legal_basis,
                    fields=r.fields,
                    origin=Origin(**r.origin),
                    recorded_seq=r.recorded_seq,
                    journal_seq=r.recorded_seq,
                    under_objection=r.under_objection,
                )
                for r in f.records
            ],
        )


class Health(BaseModel):
    status: str
    database: str
    journal_seq: int


class IngestBatch(BaseModel):
    id: str
    source: str = Field(description="code of the agency whose files were read")
    actor: str = Field(description="who ran the ingest (accountable in the journal)")
    started_at: str
    finished_at: str | None
    status: str = Field(description="finished, or running (an interrupted run stays running)")
    files: list[str]
    counts: dict[str, int] = Field(
        description="rows, accepted, corrected, duplicates, quarantined, skipped_empty, closed"
    )
    waiting_in_quarantine: int = Field(description="its rows still waiting to be fixed")


class IngestBatchList(BaseModel):
    results: list[IngestBatch]
    total: int
    next: str | None
