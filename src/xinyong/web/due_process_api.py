"""Due process over HTTP: officers' entries and their review, objections, credit repair, annual
reports and notices (docs/api.md, docs/security.md). JSON in and out; a refused step is a 422
problem naming the reason, a role or agency that may not act a 403, what the caller may not see a
404. Writes go through the workflows, which go through the one apply path."""

from __future__ import annotations

import re
import urllib.parse
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.accounts import Principal
from xinyong.store.db import writing
from xinyong.web.auth import require
from xinyong.web.deps import MAX_ID, AppState, CaseId, StateDep, resolve
from xinyong.web.problems import Problem
from xinyong.workflows import annual, entries, objections, queues, repair
from xinyong.workflows import evidence as ev
from xinyong.workflows.dashboard import dashboard
from xinyong.workflows.notices import deliver

router = APIRouter(prefix="/api/v1", tags=["due process"])
MAX_ROWS = 1_000

AnySignedIn = require("subject", "officer", "reviewer", "authority", "admin", "auditor", "system")


class EntryRows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["penalty", "licence"]
    rows: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description="rows keyed by national field names (Chinese headers, CF_*/XK_* codes or "
        "English aliases), values as in the files (amounts in 万元)",
    )


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    content_base64: str
    media_type: str = "application/octet-stream"


class TargetRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record: int | None = Field(default=None, ge=1, le=MAX_ID, description="the record's id")
    listing: int | None = Field(default=None, ge=1, le=MAX_ID, description="or a listing's id")

    @model_validator(mode="after")
    def _one(self) -> TargetRef:
        if (self.record is None) == (self.listing is None):
            raise ValueError("name exactly one of record or listing")
        return self

    @property
    def target(self) -> tuple[str, int]:
        if self.record is not None:
            return "record", self.record
        assert self.listing is not None
        return "listing", self.listing


class ObjectionIn(TargetRef):
    statement: str = Field(min_length=1, max_length=20_000)
    evidence: list[Evidence] = Field(default_factory=list, max_length=ev.MAX_FILES)


class ObjectionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "rejected"]
    reason: str = Field(min_length=1)
    correction: dict[str, Any] | None = Field(
        default=None, description="national field name → corrected value (amounts in 万元)"
    )


class RepairIn(TargetRef):
    commitment: bool = Field(description="the signed credit commitment (信用承诺书)")
    evidence: list[Evidence] = Field(default_factory=list, max_length=ev.MAX_FILES)


class RepairDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["granted", "refused"]
    reason: str = Field(min_length=1)


class AnnualReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    report: dict[str, Any] = Field(default_factory=dict, description=", ".join(annual.FIELDS))


def _files(items: list[Evidence]) -> list[ev.EvidenceFile]:
    return ev.decode([i.model_dump() for i in items])


def mail_later(background: BackgroundTasks, st: AppState) -> None:
    """Notices go out after the response: a slow mail server never holds a request."""
    background.add_task(deliver, st.engine)


@router.get("/me")
def me(who: Annotated[Principal, AnySignedIn]) -> dict[str, Any]:
    """Who the token or session belongs to: name, role, agency, subject."""
    return {
        "name": who.name,
        "role": who.role,
        "agency": who.agency,
        "subject": who.subject_key,
        "via": who.via,
    }


@router.post("/records")
def enter_records(
    body: EntryRows,
    st: StateDep,
    who: Annotated[Principal, require("officer", "system", scope="records:write")],
) -> dict[str, Any]:
    """Enter penalty or licence records (an officer, or an agency system with the scope
    `records:write`). Each row becomes `pending` until a reviewer of the same agency who is not
    its author approves it — invisible publicly until then — or `quarantined` with every reason
    (kept, as a file row would be), or `duplicate` when the registry already holds it unchanged.
    A row with the natural key of a live record and different content is a pending correction.
    The `id` is the record's id: reviews, objections and repairs name the record by it."""
    with writing(st.engine) as conn:
        results = entries.submit(
            conn,
            who,
            body.kind,
            body.rows,
            hasher=st.hasher,
            catalogue=st.rules.catalogue,
            today=st.today(),
        )
    return {"results": results}


REVIEW_PAGE = 100
REVIEW_PAGE_MAX = 500


@router.get("/reviews")
def review_queue(
    st: StateDep,
    who: Annotated[Principal, require("officer", "reviewer", "admin", "auditor")],
    status: Annotated[Literal["pending", "approved", "rejected"], Query()] = "pending",
    limit: Annotated[int, Query(ge=1, le=REVIEW_PAGE_MAX)] = REVIEW_PAGE,
    after: Annotated[
        str | None, Query(max_length=41, description="`next` of the page before")
    ] = None,
) -> dict[str, Any]:
    """Entries of the caller's agency (all agencies for admin and auditor) in a status, oldest
    first, `limit` at a time; `next` is the `after` that fetches the following page (null on
    the last), `total` counts them all."""
    cursor = _review_cursor(after)
    with st.engine.connect() as conn:
        rows = entries.queue(conn, who, status, limit + 1, cursor)
        total = queues.entry_count(conn, who, status)
    page = rows[:limit]
    following = entries.cursor(page[-1]) if len(rows) > limit else None
    return {"results": [entries.as_json(r) for r in page], "total": total, "next": following}


def _review_cursor(after: str | None) -> tuple[int, int] | None:
    if after is None:
        return None
    if not re.fullmatch(r"\d{1,18}\.\d{1,18}", after, re.ASCII):
        raise Problem(
            422, "Unprocessable Entity", [f"after: {after!r} is not a `next` value of this list"]
        )
    seq, _, entry = after.partition(".")
    return int(seq), int(entry)


@router.post("/reviews/{record_id}/approve")
def approve_entry(
    record_id: CaseId,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("reviewer")],
) -> dict[str, Any]:
    """Approve a pending entry (a reviewer of its agency who did not enter it): the record is
    applied and becomes public."""
    with writing(st.engine) as conn:
        return entries.approve(conn, who, record_id)


@router.post("/reviews/{record_id}/reject")
def reject_entry(
    record_id: CaseId,
    body: Decision,
    st: StateDep,
    who: Annotated[Principal, require("reviewer")],
) -> dict[str, Any]:
    """Reject a pending entry with the reason; nothing reaches the registry."""
    with writing(st.engine) as conn:
        return entries.reject(conn, who, record_id, body.reason)


@router.post("/objections", status_code=201)
def file_objection(
    body: ObjectionIn,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
) -> dict[str, Any]:
    """Object to a record or listing of one's own organisation, with a statement and evidence
    files (base64; stored with their SHA-256 in the journal). The record shows "under
    objection" on every public view at once; `due` is the supplying agency's deadline in
    working days on the Chinese calendar (`due_warning` when the holiday data does not cover
    it)."""
    target, target_id = body.target
    with writing(st.engine) as conn:
        answer = objections.file(
            conn,
            who,
            target,
            target_id,
            body.statement,
            _files(body.evidence),
            catalogue=st.rules.catalogue,
            today=st.today(),
        )
    mail_later(background, st)
    return answer


@router.get("/objections/{objection_id}")
def get_objection(
    objection_id: CaseId,
    st: StateDep,
    who: Annotated[
        Principal, require("subject", "officer", "reviewer", "authority", "admin", "auditor")
    ],
) -> dict[str, Any]:
    """One objection: status, deadline, decision. The subject sees its own; an agency its own."""
    with st.engine.connect() as conn:
        return objections.get(conn, who, objection_id)


@router.post("/objections/{objection_id}/decision")
def decide_objection(
    objection_id: CaseId,
    body: ObjectionDecision,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("reviewer", "authority")],
) -> dict[str, Any]:
    """Answer an objection (a reviewer of the supplying agency who did not enter the record;
    for a listing also its authority). Upheld with a `correction` corrects the record through
    the apply path; upheld without one revokes it (a listing is removed); rejected keeps it."""
    with writing(st.engine) as conn:
        answer = objections.decide(
            conn,
            who,
            objection_id,
            body.outcome,
            body.reason,
            body.correction,
            catalogue=st.rules.catalogue,
            today=st.today(),
            rules=st.rules,
        )
    mail_later(background, st)
    return answer


@router.get("/subjects/{code}/repair-eligibility")
def repair_eligibility(
    code: str,
    st: StateDep,
    who: Annotated[
        Principal, require("subject", "officer", "reviewer", "authority", "admin", "auditor")
    ],
) -> dict[str, Any]:
    """Per negative record or listing in force: `{"record": id, "eligible", "earliest",
    "blockers"}` (`"listing": id` for a listing) under the catalogue rule in force today."""
    with st.engine.connect() as conn:
        readings = resolve(code, st.hasher, conn)
        key = readings[0].subject_key
        if who.role == "subject" and who.subject_key not in {r.subject_key for r in readings}:
            raise Problem(404, "Not Found", [f"no subject with code {readings[0].public_code}"])
        results = repair.eligibility(conn, key, st.rules.catalogue, st.today())
    return {"results": results, "total": len(results), "next": None}


@router.post("/repairs", status_code=201)
def apply_for_repair(
    body: RepairIn,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
) -> dict[str, Any]:
    """Apply for credit repair of a record or listing with the commitment and evidence. Before
    the earliest date (or with a blocker) the answer is a 422 naming the earliest date."""
    target, target_id = body.target
    with writing(st.engine) as conn:
        answer = repair.apply(
            conn,
            who,
            target,
            target_id,
            body.commitment,
            _files(body.evidence),
            catalogue=st.rules.catalogue,
            today=st.today(),
        )
    mail_later(background, st)
    return answer


@router.get("/repairs/{repair_id}")
def get_repair(
    repair_id: CaseId,
    st: StateDep,
    who: Annotated[
        Principal, require("subject", "officer", "reviewer", "authority", "admin", "auditor")
    ],
) -> dict[str, Any]:
    """One repair application."""
    with st.engine.connect() as conn:
        return repair.get(conn, who, repair_id)


@router.post("/repairs/{repair_id}/decision")
def decide_repair(
    repair_id: CaseId,
    body: RepairDecision,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("reviewer", "authority")],
) -> dict[str, Any]:
    """Grant or refuse a repair (a reviewer of the agency that made the record, not its author).
    Granted: publicity ends, sharing stops, the record is no longer used, listings resting on it
    end and their measures no longer apply; the record stays in the registry and the journal."""
    with writing(st.engine) as conn:
        answer = repair.decide(
            conn, who, repair_id, body.outcome, body.reason, today=st.today(), rules=st.rules
        )
    mail_later(background, st)
    return answer


@router.post("/annual-reports", status_code=201)
def file_annual_report(
    body: AnnualReportIn,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
) -> dict[str, Any]:
    """File (or amend) the organisation's annual report for a past year; due by 30 June of the
    following year, accepted late and marked so."""
    with writing(st.engine) as conn:
        answer = annual.file(conn, who, body.year, body.report, today=st.today())
    mail_later(background, st)
    return answer


@router.get("/notices")
def my_notices(st: StateDep, who: Annotated[Principal, require("subject")]) -> dict[str, Any]:
    """The subject's notices, newest first."""
    with st.engine.connect() as conn:
        rows = queues.subject_notices(conn, who.subject_key or "")
    results = [
        {
            "id": r.id,
            "topic": r.topic,
            "title": r.title,
            "body": r.body,
            "ref": r.ref,
            "on": r.sent_at,
        }
        for r in rows
    ]
    return {"results": results, "total": len(results), "next": None}


@router.get("/evidence/{sha256}")
def evidence_file(
    sha256: str,
    st: StateDep,
    who: Annotated[
        Principal, require("subject", "officer", "reviewer", "authority", "admin", "auditor")
    ],
) -> Response:
    """An evidence file of an objection or repair application, by its SHA-256, for whoever may
    see a case that cites it; always as a download, never rendered by the browser."""
    with st.engine.connect() as conn:
        name, media_type, content = ev.read(conn, who, sha256)
    quoted = urllib.parse.quote(name)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/dashboard")
def audit_dashboard(
    st: StateDep, who: Annotated[Principal, require("auditor", "admin")]
) -> dict[str, Any]:
    """Overdue objections and repairs, per-officer activity, objections upheld per agency."""
    with st.engine.connect() as conn:
        return dashboard(conn, st.today())
