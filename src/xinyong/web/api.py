"""The JSON API, /api/v1. Endpoint docstrings are the API reference (they become OpenAPI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.ledger.service import public_payloads
from xinyong.registry import read_subject_file
from xinyong.search import search_subjects
from xinyong.web.deps import (
    AsOf,
    ConnDep,
    KnownAt,
    PageToken,
    StateDep,
    as_of_or_today,
    decode_token,
    encode_token,
    pin,
    query_digest,
    resolve,
)
from xinyong.web.models import SubjectDetail, SubjectList, SubjectSummary
from xinyong.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["subjects"])


@router.get("/subjects", response_model=SubjectList)
def list_subjects(
    conn: ConnDep,
    st: StateDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="name (any script) or code")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    next: Annotated[str | None, Query(description="token from a previous page")] = None,
    known_at: KnownAt = None,
) -> SubjectList:
    """Search subjects by name or code.

    A USCC or resident ID finds its subject directly. Anything else is matched as a name
    fragment after normalisation (full-width, traditional characters, brackets, spaces), against
    current, former and English names. Results are ranked: exact name, prefix, current before
    former, then closeness. At most 2,000 candidates are ranked; `capped` says when more matched
    (then `total` is a lower bound: refine the query). Pages follow `next`, which pins every page
    to the journal position of the first.
    """
    token = decode_token(next, q, limit)
    position = pin(conn, token.known_at if token else known_at)
    offset = token.offset if token else 0
    page = search_subjects(conn, q, limit=limit, offset=offset, known_at=position, hasher=st.hasher)
    more = offset + limit < page.total
    following = PageToken(offset + limit, position, query_digest(q), limit)
    return SubjectList(
        results=[SubjectSummary.of(h) for h in page.results],
        total=page.total,
        capped=page.capped,
        known_at=position,
        next=encode_token(following) if more else None,
    )


@router.get("/subjects/{code}", response_model=SubjectDetail)
async def get_subject(
    conn: ConnDep, st: StateDep, code: str, as_of: AsOf = None, known_at: KnownAt = None
) -> SubjectDetail:
    """One subject: its names and its records in force on `as_of` (default today, Beijing time).

    `known_at` answers as the registry stood after that journal entry, so a later correction does
    not change an earlier answer; a `known_at` beyond the newest entry is a 422. Every answer
    reports the `known_at` it reflects. A malformed code is a 422 problem listing every reason; a
    well-formed code the registry does not know is a 404.
    """
    readings = resolve(code, st.hasher, conn)
    file = read_subject_file(conn, readings, as_of_or_today(as_of), pin(conn, known_at))
    if file is None:
        raise Problem(404, "Not Found", [f"no subject with code {readings[0].public_code}"])
    detail = SubjectDetail.of(file)
    # What anyone needs to recompute each record's digest and prove its inclusion in the log.
    shown = public_payloads(conn, [record.journal_seq for record in detail.records])
    for record in detail.records:
        if record.journal_seq in shown:
            record.salt, record.payload = shown[record.journal_seq]
    return detail
