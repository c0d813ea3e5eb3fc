"""Bulk screening over HTTP: JSON rows or an uploaded file, and an upload page that works
without JavaScript. Screened names are not logged (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from xinyong.screen import ScreenInput, read_screen_file, screen_rows, write_screen_file
from xinyong.screen.files import ScreenFileError
from xinyong.store import reads
from xinyong.timeutil import today_cst
from xinyong.web.auth import anonymous_form
from xinyong.web.deps import AppState, StateDep
from xinyong.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["screening"])
pages = APIRouter(include_in_schema=False)
MAX_ROWS = 10_000
MAX_BYTES = 20_000_000


class ScreenRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    code: str = ""
    legal_representative: str = ""


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[ScreenRow] = Field(min_length=1, max_length=MAX_ROWS)
    on: dt.date | None = None


@router.post("/screen", response_class=Response)
def screen_json(body: ScreenRequest, st: StateDep) -> Response:
    """Screen up to 10,000 rows `{"name", "code", "legal_representative"}` (any may be empty; a
    row needs a name or a code). Answers `{"results": [...], "total", "on", "journal_seq"}`,
    one result per row in input order: `{"row", "name", "code", "legal_representative",
    "matched_code", "matched_name", "confidence", "explanation", "candidates": [{"code", "name",
    "score", "matched_on"}], "provisional", "lists", "measures", "report", "error"}`. A match is
    claimed only when clear (confidence ≥ 0.85 and no other candidate within 0.05); otherwise
    `matched_code` is null and `candidates` lists the close ones. A bad row gets `error`.
    To screen a file, use `POST /api/v1/screen/file`."""
    day = body.on or today_cst()
    inputs = [
        ScreenInput(i, r.name, r.code, r.legal_representative)
        for i, r in enumerate(body.rows, start=1)
    ]
    with st.engine.connect() as conn:
        position = reads.journal_seq(conn)
        results = [r.as_dict() for r in screen_rows(conn, st.rules, inputs, day, st.hasher)]
    payload = {
        "results": results,
        "total": len(results),
        "on": day.isoformat(),
        "journal_seq": position,
    }
    return Response(orjson.dumps(payload), media_type="application/json")


@router.post("/screen/file", response_class=Response)
def screen_file(
    st: StateDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX with a name and/or code column")],
    on: Annotated[dt.date | None, Query(description="date (default today)")] = None,
    format: Annotated[str | None, Query(pattern="^(json|file)$")] = None,
) -> Response:
    """Screen an uploaded CSV or XLSX (columns found by header: 企业名称/name,
    统一社会信用代码/code, 法定代表人/legal_representative). Answers the same file with the
    screening columns added (`format=file`, the default) or the JSON of `POST /api/v1/screen`
    (`format=json`). A file that cannot be read is a 422 problem saying why."""
    return _screen_upload(st, file, on or today_cst(), format or "file")


def _screen_upload(st: AppState, upload: UploadFile, day: dt.date, fmt: str) -> Response:
    name = Path(upload.filename or "upload.csv").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise Problem(422, "Invalid request", [f"file: screen .csv or .xlsx files, not {name!r}"])
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Problem(413, "Payload too large", [f"file: larger than {MAX_BYTES:,} bytes"])
    with tempfile.TemporaryDirectory(prefix="xinyong-screen-") as tmp:
        source = Path(tmp) / f"in{suffix}"
        source.write_bytes(data)
        try:
            header, raw, inputs = read_screen_file(source)
        except ScreenFileError as exc:
            raise Problem(422, "Invalid request", [str(exc).replace("in" + suffix, name)]) from None
        except Exception as exc:  # a corrupt spreadsheet
            raise Problem(422, "Invalid request", [f"file: cannot be read ({exc})"]) from None
        if len(inputs) > MAX_ROWS:
            raise Problem(413, "Payload too large", [f"file: more than {MAX_ROWS:,} rows"])
        with st.engine.connect() as conn:
            position = reads.journal_seq(conn)
            results = list(screen_rows(conn, st.rules, inputs, day, st.hasher))
        if fmt == "json":
            payload: dict[str, Any] = {
                "results": [r.as_dict() for r in results],
                "total": len(results),
                "on": day.isoformat(),
                "journal_seq": position,
            }
            return Response(orjson.dumps(payload), media_type="application/json")
        target = Path(tmp) / f"out{suffix}"
        write_screen_file(target, header, raw, results)
        body = target.read_bytes()
    stem = Path(name).stem
    media = (
        "text/csv; charset=utf-8"
        if suffix == ".csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(stem)}.screened{suffix}"'},
    )


def _ascii(stem: str) -> str:
    clean = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in stem)
    return clean or "screening"


@pages.get("/screen", response_class=HTMLResponse)
def screen_page(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "screen.html", {})  # type: ignore[no-any-return]


# Anyone may post the upload form, so it carries a token bound to the browser's own cookie: a
# page on another site cannot make a visitor's browser post to it.
@pages.post("/screen", dependencies=[Depends(anonymous_form)])
def screen_upload_page(
    st: StateDep,
    file: Annotated[UploadFile, File()],
    on: Annotated[str, Form()] = "",
) -> Response:
    try:
        day = dt.date.fromisoformat(on) if on else today_cst()
    except ValueError:
        raise Problem(422, "Invalid request", [f"on: {on!r} is not a date"]) from None
    return _screen_upload(st, file, day, "file")
