"""Server-rendered pages: work without JavaScript, in Chinese or English (see `i18n`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.registry import read_subject_file
from xinyong.registry.measures import subject_evaluation
from xinyong.registry.report import build_report
from xinyong.search import search_subjects
from xinyong.store.reads import listings_under_objection
from xinyong.web import i18n
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
        {
            "file": file,
            "subject": file.subject,
            "evaluation": evaluation,
            "disputed": listings_under_objection(
                conn, [lst.listing_id for lst, _ in evaluation.listings]
            ),
        },
    )


@router.get("/subjects/{code}/report", response_class=HTMLResponse)
async def report_page(
    request: Request,
    conn: ConnDep,
    st: StateDep,
    code: str,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> HTMLResponse:
    report = _report(conn, st, code, as_of, known_at)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "report.html", {"report": report, "code": report["subject"]["code"]}
    )


@router.get("/subjects/{code}/report.pdf")
def report_pdf(
    request: Request,
    conn: ConnDep,
    st: StateDep,
    code: str,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Response:
    """The same report as a PDF, rendered from the same HTML by WeasyPrint (a sync route: the
    rendering runs in the threadpool, not on the event loop)."""
    from weasyprint import HTML

    report = _report(conn, st, code, as_of, known_at)
    template = request.app.state.templates.get_template("report_pdf.html")
    html = template.render(report=report, **i18n.page_context(request))  # the page's language
    pdf = HTML(string=html, base_url=str(request.base_url)).write_pdf()
    name = f"credit-report-{report['subject']['code']}-{report['as_of']}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _report(conn: Any, st: Any, code: str, as_of: Any, known_at: int | None) -> dict[str, Any]:
    readings = resolve(code, st.hasher, conn)
    file = read_subject_file(conn, readings, as_of_or_today(as_of), pin(conn, known_at))
    if file is None:
        raise Problem(404, "Not Found", [f"no subject with code {readings[0].public_code}"])
    return build_report(conn, st.rules, file)
