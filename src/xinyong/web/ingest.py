"""Ingest history: the JSON routes and the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.ingest.batches import get_batch, recent_batches
from xinyong.web.deps import ConnDep
from xinyong.web.models import IngestBatch, IngestBatchList
from xinyong.web.problems import Problem

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"])
pages = APIRouter(include_in_schema=False)


def _offset(token: str | None) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise Problem(422, "Invalid request", ["next: not a token this server issued"])
    return int(token)


@router.get("/batches", response_model=IngestBatchList)
def list_batches(
    conn: ConnDep,
    source: Annotated[str | None, Query(description="only this agency's batches")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    next: Annotated[str | None, Query(description="token from a previous page")] = None,
) -> IngestBatchList:
    """Ingest batches, newest first: source agency, actor, files, and the fate of their rows."""
    offset = _offset(next)
    batches, total = recent_batches(conn, limit, offset, source)
    more = offset + limit < total
    return IngestBatchList(
        results=[IngestBatch(**b.as_json()) for b in batches],
        total=total,
        next=str(offset + limit) if more else None,
    )


@router.get("/batches/{batch_id}", response_model=IngestBatch)
def show_batch(conn: ConnDep, batch_id: str) -> IngestBatch:
    """One ingest batch: its files, its counts, and how many of its rows still wait in
    quarantine. 404 for an unknown id."""
    batch = get_batch(conn, batch_id)
    if batch is None:
        raise Problem(404, "Not Found", [f"no ingest batch {batch_id}"])
    return IngestBatch(**batch.as_json())


@pages.get("/ingest", response_class=HTMLResponse)
def history_page(
    request: Request,
    conn: ConnDep,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> HTMLResponse:
    batches, total = recent_batches(conn, 50, (page - 1) * 50)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "ingest.html", {"batches": batches, "total": total, "page": page}
    )
