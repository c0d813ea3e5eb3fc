"""The joint rewards-and-punishments engine over HTTP: the point-of-decision check and a
subject's measures in force. Endpoint docstrings are the API reference (they become OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xinyong.registry import SubjectFile, read_subject_file
from xinyong.registry.checklog import Feedback
from xinyong.registry.measures import UnknownMeasure, check, measures_answer, subject_evaluation
from xinyong.registry.report import build_report
from xinyong.store import reads
from xinyong.store.reads import SubjectView
from xinyong.timeutil import today_cst
from xinyong.web.deps import ConnDep, KnownAt, StateDep, pin, resolve
from xinyong.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["engine"])


def _json(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


def _subject(conn: Any, st: Any, code: str, position: int) -> SubjectView:
    for reading in resolve(code, st.hasher, conn):
        found = reads.subject(conn, reading.subject_key, position)
        if found is not None:
            return found
    raise Problem(404, "Not Found", [f"no subject with code {code}"])


@router.get("/check", response_class=Response)
async def check_measure(
    request: Request,
    conn: ConnDep,
    st: StateDep,
    subject: Annotated[str, Query(description="the subject's USCC (or resident ID)")],
    measure: Annotated[str, Query(description="catalogue measure code, e.g. procurement.bar")],
    on: Annotated[dt.date | None, Query(description="the date asked about (default today)")] = None,
    known_at: KnownAt = None,
) -> Response:
    """Point-of-decision check: does `measure` apply to `subject` on `on`?

    Agency approval systems call this before granting something (a procurement award, a
    subsidy, a ticket). The answer is `{"subject", "measure", "on", "applies", "targets",
    "because", "checked_at", "journal_seq"}`: `targets` says whom the measure binds (the subject,
    its legal representative, responsible persons …), `because` is the chain measure ←
    memorandum ← list ← listing (decision, authority, dates) ← the decisions it rests on. An
    incentive suspended by a blacklisting does not apply, and `suspended_by` names the listing.
    Each call is recorded as feedback (who asked — the `X-Agency` header, else the client
    address — and what was answered). Unknown measure: 422; unknown subject: 404.
    """
    position = pin(conn, known_at)
    day = on or today_cst()
    found = _subject(conn, st, subject, position)
    try:
        answer = check(conn, st.rules, found, measure, day, position)
    except UnknownMeasure as exc:
        raise Problem(422, "Invalid request", [str(exc)]) from None
    asked_by = request.headers.get("x-agency") or (
        f"client:{request.client.host}" if request.client else "client:unknown"
    )
    st.check_log.add(
        Feedback(
            answer["checked_at"],
            asked_by[:200],
            found.subject_key,
            measure,
            day,
            bool(answer["applies"]),
            position,
        )
    )
    # Serialised directly: the check sits on agencies' approval paths, and FastAPI's generic
    # encoder costs more than the evaluation itself.
    return _json(answer)


@router.get("/subjects/{code}/measures", response_class=Response)
async def subject_measures(
    conn: ConnDep,
    st: StateDep,
    code: str,
    on: Annotated[dt.date | None, Query(description="the date asked about (default today)")] = None,
    known_at: KnownAt = None,
) -> Response:
    """Every list and measure in force for a subject on `on`, each measure with its chain,
    suspended incentives with the listing that suspends them, and flags: `double_jeopardy`
    (listings resting on one decision) and `pile_on` (punishments and distinct agencies in
    force)."""
    position = pin(conn, known_at)
    day = on or today_cst()
    found = _subject(conn, st, code, position)
    evaluation = subject_evaluation(conn, st.rules, found.subject_key, day, position)
    return _json(measures_answer(st.rules, found, evaluation, position, conn))


@router.get("/subjects/{code}/report", response_class=Response)
async def subject_report(
    conn: ConnDep,
    st: StateDep,
    code: str,
    as_of: Annotated[dt.date | None, Query(description="the report's date (default today)")] = None,
    known_at: KnownAt = None,
) -> Response:
    """The credit report as JSON: registration data; records in their publicity period (with
    severity, authority, legal basis, and whether they are under objection); listings in force
    with decision, authority, legal basis, end date and `how_to_get_off`; measures in force with
    the implementing agency, whom they bind and through which memorandum and list; flags; and the
    `journal_seq` (and, once the transparency log exists, the signed `checkpoint`) it reflects.
    The same report is the page `/subjects/{code}/report` and the PDF `/subjects/{code}/report.pdf`.
    Resident IDs are masked everywhere."""
    return _json(build_report(conn, st.rules, _file(conn, st, code, as_of, known_at)))


def _file(
    conn: Any, st: Any, code: str, as_of: dt.date | None, known_at: int | None
) -> SubjectFile:
    readings = resolve(code, st.hasher, conn)
    file = read_subject_file(conn, readings, as_of or today_cst(), pin(conn, known_at))
    if file is None:
        raise Problem(404, "Not Found", [f"no subject with code {readings[0].public_code}"])
    return file
