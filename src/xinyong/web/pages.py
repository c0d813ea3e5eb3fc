"""Server-rendered pages: work without JavaScript, Chinese first with English beside it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.registry import read_subject_file
from xinyong.registry.measures import subject_evaluation
from xinyong.search import search_subjects
from xinyong.web.deps import AsOf, ConnDep, KnownAt, StateDep, as_of_or_today, pin, resolve
from xinyong.web.problems import Problem

router = APIRouter(include_in_schema=False)
PAGE = 20


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    conn: ConnDep,
    st: StateDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    results = None
    if q.strip():
        results = search_subjects(conn, q, limit=PAGE, offset=(page - 1) * PAGE, hasher=st.hasher)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "search.html", {"q": q, "results": results, "page": page, "page_size": PAGE}
    )


@router.get("/subjects/{code}", response_class=HTMLResponse)
async def subject_page(
    request: Request,
    conn: ConnDep,
    st: StateDep,
    code: str,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> HTMLResponse:
    readings = resolve(code, st.hasher, conn)
    file = read_subject_file(conn, readings, as_of_or_today(as_of), pin(conn, known_at))
    if file is None:
        raise Problem(404, "Not Found", [f"no subject with code {readings[0].public_code}"])
    evaluation = subject_evaluation(
        conn, st.rules, file.subject.subject_key, file.as_of, file.known_at
    )
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "subject.html",
        {"file": file, "subject": file.subject, "evaluation": evaluation},
    )
