"""The due-process pages (docs/security.md): sign-in, the subject's portal, the officer's
console, the reviewers' queue and the auditor's dashboard. Server-rendered, working without
JavaScript, every form carrying its CSRF token. Steps go through the same workflows as
`due_process_api`, so the rules are the API's; a refused step shows its reasons on the page.

After a step that worked the browser is sent back (303) to the page with a short message in the
query (`?done=…`); a refused one re-renders the page with the reasons and the HTTP status of the
refusal (422, or 403/404)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import FormData, UploadFile

from xinyong.accounts import Principal, authenticate
from xinyong.accounts.sessions import SESSION_COOKIE, end_session, start_session
from xinyong.ingest.mapping import load_mapping
from xinyong.ingest.readers import UnreadableFile, read_tables
from xinyong.store import reads
from xinyong.store.db import writing
from xinyong.store.journal import parse_json
from xinyong.store.listing_reads import subject_listings
from xinyong.web.auth import (
    LoginRequired,
    anonymous_form,
    keys,
    principal,
    require,
)
from xinyong.web.deps import AppState, CaseId, StateDep
from xinyong.web.due_process_api import mail_later as _mail
from xinyong.workflows import Refused, WorkflowError, annual, entries, objections, queues, repair
from xinyong.workflows import evidence as ev
from xinyong.workflows.dashboard import dashboard
from xinyong.workflows.targets import find

router = APIRouter(include_in_schema=False)

# Where each role works; sign-in goes there unless the form names a page to return to.
HOME: Final = {
    "subject": "/portal",
    "officer": "/console",
    "reviewer": "/reviews",
    "authority": "/reviews",
    "admin": "/audit",
    "auditor": "/audit",
}
PEOPLE: Final = ("subject", "officer", "reviewer", "authority", "admin", "auditor")
MAX_UPLOAD_BYTES: Final = 20_000_000
MAX_ROWS: Final = 1_000
# Items a queue page shows at once (the oldest first), so that a page stays far below 200 kB
# after a bulk upload; deciding them brings the next ones up.
PAGE_ITEMS: Final = 50
# The national fields an officer types one penalty into: the mapping's first alias (the Chinese
# header of the 双公示 format) is the form field's name, so a row goes through `entries.submit`
# exactly as a file row with those headers would.
REQUIRED_FIELDS: Final = frozenset({"party_name", "decision_no", "decision_date"})
DATE_FIELDS: Final = frozenset({"decision_date", "valid_until", "publicity_end"})
LONG_FIELDS: Final = frozenset({"facts", "penalty_content", "remarks"})
# Messages a page shows after a step, by the code in `?done=`.
DONE: Final = frozenset(
    {
        "objection",
        "repair",
        "annual",
        "entered",
        "approved",
        "rejected",
        "objection_decided",
        "repair_decided",
    }
)


# --- forms


async def form_data(request: Request) -> AsyncIterator[FormData]:
    """The posted form (already parsed and cached when `principal` checked its CSRF token);
    its uploaded files are closed when the request is done."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(form_data)]


def _number(raw: str, digits: int, *, exactly: bool = False) -> bool:
    """ASCII digits only: `str.isdigit` also accepts ² and other digits `int` refuses."""
    low = digits if exactly else 1
    return re.fullmatch(rf"[0-9]{{{low},{digits}}}", raw) is not None


def _text(form: FormData, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _uploads(form: FormData, name: str) -> list[ev.EvidenceFile]:
    """The files of a file input; an input left empty sends a part without a name."""
    files: list[ev.EvidenceFile] = []
    for item in form.getlist(name):
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        content = item.file.read(ev.MAX_BYTES + 1)
        if len(content) > ev.MAX_BYTES:
            raise Refused(f"evidence {item.filename!r} is over {ev.MAX_BYTES // (1024 * 1024)} MiB")
        media = item.content_type or "application/octet-stream"
        files.append(ev.EvidenceFile(Path(item.filename).name, content, media))
    return files


def _target(raw: str) -> tuple[str, int]:
    """`record:12` or `listing:5`, as the portal's forms send a record or listing."""
    kind, _, number = raw.partition(":")
    if kind not in ("record", "listing") or not _number(number, 18):
        raise Refused("target: choose a record or listing")
    return kind, int(number)


def safe_next(target: str) -> str | None:
    """A page of this site to return to after sign-in: a path, never another site's address
    (`//host`, `/\\host` and anything with a scheme or control character are refused)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return None
    return target


# Where a form's page is, for a sign-in that was asked for by posting the form (a session that
# expired while the page was open): going back to a POST-only address would answer 405.
# None: the signed-in person's own page.
FORM_PAGES: Final[tuple[tuple[str, str | None], ...]] = (
    ("/portal/", "/portal"),
    ("/console/", "/console"),
    ("/reviews/", "/reviews"),
    ("/objections/", "/reviews"),
    ("/repairs/", "/reviews"),
    ("/logout", None),
    ("/login", None),
)


def return_to(target: str) -> str | None:
    """The page to go to after sign-in: `next` when it is a page of this site, the form's page
    when `next` is a form's address, else None (the person's own page)."""
    page = safe_next(target)
    if page is None:
        return None
    for prefix, form_page in FORM_PAGES:
        if page.startswith(prefix):
            return form_page
    return page


def _done(path: str, done: str, anchor: str = "", **values: object) -> RedirectResponse:
    query = urlencode({"done": done, **{k: str(v) for k, v in values.items()}})
    return RedirectResponse(f"{path}?{query}{anchor}", status_code=303)


def _flash(request: Request) -> dict[str, Any] | None:
    """The message of `?done=`: a known code, an id and a date, nothing echoed as given."""
    done = request.query_params.get("done", "")
    if done not in DONE:
        return None
    raw_id = request.query_params.get("id", "")
    raw_year = request.query_params.get("year", "")
    try:
        due: dt.date | None = dt.date.fromisoformat(request.query_params.get("due", ""))
    except ValueError:
        due = None
    flash: dict[str, Any] = {
        "done": done,
        "id": int(raw_id) if _number(raw_id, 18) else None,
        "year": int(raw_year) if _number(raw_year, 4, exactly=True) else None,
        "due": due,
    }
    return flash


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, name, context, status_code)
    response.headers["Cache-Control"] = "no-store"  # a person's own file, never cached
    return response


def _refusal(exc: WorkflowError) -> dict[str, Any]:
    """The reasons of a refused step; a repair refused for time names its earliest date apart."""
    earliest = None
    reasons = []
    for reason in exc.reasons:
        if reason.startswith("earliest: "):
            try:
                earliest = dt.date.fromisoformat(reason.removeprefix("earliest: "))
                continue
            except ValueError:
                pass
        reasons.append(reason)
    return {"status": exc.status, "reasons": reasons, "earliest": earliest}


# --- sign-in and sign-out


@router.get("/login")
async def login_page(request: Request) -> Response:
    try:
        who = await principal(request)
    except LoginRequired:
        # The session ended or expired: forget the cookie and show the form to a fresh browser.
        query = request.url.query
        response = RedirectResponse("/login" + (f"?{query}" if query else ""), status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    return _login(request, who, request.query_params.get("next", ""))


def _login(
    request: Request, who: Principal, next_page: str, error: bool = False, status: int = 200
) -> Response:
    return _render(
        request,
        "login.html",
        {
            "who": who,
            "next": return_to(next_page) or "",
            "expired": request.query_params.get("expired") == "1",
            "error": error,
            "home": HOME.get(who.role),
        },
        status,
    )


@router.post("/login")
def login(
    request: Request,
    st: StateDep,
    who: Annotated[Principal, Depends(anonymous_form)],
    form: FormDep,
) -> Response:
    """Check the password (argon2id; as slow for unknown names) and start a session: a signed,
    HttpOnly, SameSite=Lax cookie naming a server-side session row."""
    name = _text(form, "name", 120)
    password = form.get("password")
    next_page = _text(form, "next", 2000)
    if not isinstance(password, str) or len(password) > 1024:
        password = ""
    with writing(st.engine) as conn:
        user = authenticate(conn, name, password) if name and password else None
        if user is None or user.role not in HOME:
            session_id = None
        else:
            old = getattr(request.state, "session_id", None)
            if old:
                end_session(conn, old)  # a new id for a new sign-in, never the old one reused
            session_id = start_session(conn, user.id)
    if user is None or session_id is None:
        return _login(request, who, next_page, error=True, status=401)
    response = RedirectResponse(return_to(next_page) or HOME[user.role], status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        keys(request).sign(session_id),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout")
def logout(request: Request, st: StateDep, who: Annotated[Principal, require(*PEOPLE)]) -> Response:
    """End the session on the server (the cookie stops working at once) and forget the cookie."""
    session_id = getattr(request.state, "session_id", None)
    if session_id:
        with writing(st.engine) as conn:
            end_session(conn, session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the subject's portal


@router.get("/portal")
def portal(
    request: Request, st: StateDep, who: Annotated[Principal, require("subject")]
) -> Response:
    """The subject's own file: records (repaired ones marked), listings, what can be repaired
    and from when, its objections, repairs, notices, and the annual report form."""
    return _portal(request, st, who)


def _portal(
    request: Request,
    st: AppState,
    who: Principal,
    refused: WorkflowError | None = None,
) -> Response:
    today = st.today()
    key = who.subject_key or ""
    catalogue = st.rules.catalogue
    with st.engine.connect() as conn:
        subject = reads.subject(conn, key)
        records = reads.subject_records(conn, key, today, include_ended=True)
        held = [h for h in subject_listings(conn, key) if h.state != "ended"]
        disputed = reads.listings_under_objection(conn, [h.listing_id for h in held])
        eligibility = repair.eligibility(conn, key, catalogue, today) if subject else []
        mine = [objections.as_json(r) for r in queues.subject_cases(conn, key, "objections")]
        applied = [repair.as_json(r) for r in queues.subject_cases(conn, key, "repairs")]
        sent = queues.subject_notices(conn, key)
    docs = {("record", r.record_id): r.doc_no for r in records}
    docs |= {("listing", h.listing_id): h.decision_no for h in held}
    names = {}
    for h in held:
        definition = catalogue.list(h.list_code, today)
        names[h.listing_id] = (definition.name, definition.name_en) if definition else None
    objectable = [
        (f"record:{r.record_id}", r.doc_no)
        for r in records
        if r.status == "public" and not r.under_objection
    ] + [(f"listing:{h.listing_id}", h.decision_no) for h in held if h.listing_id not in disputed]
    return _render(
        request,
        "portal.html",
        {
            "who": who,
            "today": today,
            "subject": subject,
            "records": records,
            "listings": held,
            "list_names": names,
            "disputed": disputed,
            "eligibility": eligibility,
            "objectable": objectable,
            "objections": mine,
            "repairs": applied,
            "docs": docs,
            "notices": sent,
            "annual_fields": annual.FIELDS,
            "report_year": today.year - 1,
            "flash": _flash(request),
            "refused": _refusal(refused) if refused else None,
        },
        refused.status if refused else 200,
    )


@router.post("/portal/objections")
def portal_objection(
    request: Request,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
    form: FormDep,
) -> Response:
    """Object to one's own record or listing with a statement and evidence files."""
    try:
        target, target_id = _target(_text(form, "target"))
        files = _uploads(form, "evidence")
        with writing(st.engine) as conn:
            answer = objections.file(
                conn,
                who,
                target,
                target_id,
                _text(form, "statement"),
                files,
                catalogue=st.rules.catalogue,
                today=st.today(),
            )
    except WorkflowError as exc:
        return _portal(request, st, who, exc)
    _mail(background, st)
    return _done("/portal", "objection", "#objections", id=answer["id"], due=answer["due"])


@router.post("/portal/repairs")
def portal_repair(
    request: Request,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
    form: FormDep,
) -> Response:
    """Apply for credit repair with the signed commitment and evidence; before the earliest date
    the page says which date that is."""
    try:
        target, target_id = _target(_text(form, "target"))
        files = _uploads(form, "evidence")
        with writing(st.engine) as conn:
            answer = repair.apply(
                conn,
                who,
                target,
                target_id,
                bool(_text(form, "commitment")),
                files,
                catalogue=st.rules.catalogue,
                today=st.today(),
            )
    except WorkflowError as exc:
        return _portal(request, st, who, exc)
    _mail(background, st)
    return _done("/portal", "repair", "#repairs", id=answer["id"], due=answer["due"])


@router.post("/portal/annual-report")
def portal_annual_report(
    request: Request,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("subject")],
    form: FormDep,
) -> Response:
    """File (or amend) the annual report of a past year."""
    try:
        raw_year = _text(form, "year", 8)
        if not _number(raw_year, 4, exactly=True):
            raise Refused("year: give the year the report is for, e.g. 2025")
        report = {f: _text(form, f, 2000) for f in annual.FIELDS if _text(form, f, 2000)}
        with writing(st.engine) as conn:
            answer = annual.file(conn, who, int(raw_year), report, today=st.today())
    except WorkflowError as exc:
        return _portal(request, st, who, exc)
    _mail(background, st)
    return _done("/portal", "annual", "#annual", id=answer["id"], year=answer["year"])


# --- the officer's console


def _penalty_fields() -> list[dict[str, Any]]:
    mapping = load_mapping("penalty")
    out = []
    for name, aliases in mapping.fields.items():
        english = next((a for a in aliases if " " in a and a.isascii()), name.replace("_", " "))
        out.append(
            {
                "name": name,
                "header": aliases[0],
                "english": english,
                "required": name in REQUIRED_FIELDS,
                "type": "date" if name in DATE_FIELDS else "text",
                "long": name in LONG_FIELDS,
            }
        )
    return out


@router.get("/console")
def console(
    request: Request, st: StateDep, who: Annotated[Principal, require("officer")]
) -> Response:
    """Enter a penalty, upload a file of rows, and follow one's own entries."""
    return _console(request, st, who)


def _console(
    request: Request,
    st: AppState,
    who: Principal,
    results: list[dict[str, Any]] | None = None,
    refused: WorkflowError | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    with st.engine.connect() as conn:
        mine: dict[str, Any] = {"pending_total": queues.authored_entry_count(conn, who, "pending")}
        for status_ in ("pending", "approved", "rejected"):
            pending = status_ == "pending"
            rows = queues.authored_entries(
                conn, who, status_, PAGE_ITEMS if pending else 20, newest_first=not pending
            )
            mine[status_] = [entries.as_json(r) for r in rows]
    return _render(
        request,
        "console.html",
        {
            "who": who,
            "today": st.today(),
            "fields": _penalty_fields(),
            "values": values or {},
            "mine": mine,
            "results": results,
            "flash": _flash(request),
            "refused": _refusal(refused) if refused else None,
        },
        refused.status if refused else status,
    )


def _submit(
    st: AppState, who: Principal, kind: str, rows: list[dict[str, Any]], file_name: str
) -> list[dict[str, Any]]:
    with writing(st.engine) as conn:
        return entries.submit(
            conn,
            who,
            kind,
            rows,
            hasher=st.hasher,
            catalogue=st.rules.catalogue,
            today=st.today(),
            file_name=file_name,
        )


def _after_entry(
    request: Request, st: AppState, who: Principal, results: list[dict[str, Any]], **kw: Any
) -> Response:
    if results and all(r["status"] == "pending" for r in results):
        first = results[0]["id"] if len(results) == 1 else None
        extra = {"id": first} if first is not None else {}
        return _done("/console", "entered", "#mine", **extra)
    return _console(request, st, who, results=results, **kw)


@router.post("/console/entries")
def console_entry(
    request: Request,
    st: StateDep,
    who: Annotated[Principal, require("officer")],
    form: FormDep,
) -> Response:
    """One penalty typed into the form: pending until another reviewer approves it, or
    quarantined with every reason, exactly as a file row."""
    row = {}
    for f in _penalty_fields():
        value = _text(form, f["header"], 20_000)
        if value:
            row[f["header"]] = value
    if not row:
        return _console(request, st, who, refused=Refused("the form is empty"))
    try:
        results = _submit(st, who, "penalty", [row], "console entry")
    except WorkflowError as exc:
        return _console(request, st, who, refused=exc, values=row)
    return _after_entry(request, st, who, results, values=row)


@router.post("/console/upload")
def console_upload(
    request: Request,
    st: StateDep,
    who: Annotated[Principal, require("officer")],
    form: FormDep,
) -> Response:
    """A CSV or XLSX file of penalty or licence rows in the national format, each row entered
    as if typed in: pending, duplicate or quarantined with its reasons."""
    try:
        kind = _text(form, "kind", 16) or "penalty"
        if kind not in entries.ENTRY_KINDS:
            raise Refused(f"kind: {kind!r} is not one of {', '.join(entries.ENTRY_KINDS)}")
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Refused("file: choose a CSV or XLSX file")
        name = Path(upload.filename).name
        rows = _read_rows(name, upload.file.read(MAX_UPLOAD_BYTES + 1))
        results = _submit(st, who, kind, rows, f"console upload {name}")
    except WorkflowError as exc:
        return _console(request, st, who, refused=exc)
    return _after_entry(request, st, who, results)


def _read_rows(name: str, data: bytes) -> list[dict[str, Any]]:
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise Refused(f"file: upload .csv or .xlsx files, not {name!r}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(f"file: larger than {MAX_UPLOAD_BYTES:,} bytes")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="xinyong-console-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            tables = read_tables(path)
            for table in tables:
                for sheet_row in table.rows():
                    if any(v for v in sheet_row.cells.values()):
                        rows.append(dict(sheet_row.cells))
                    if len(rows) > MAX_ROWS:
                        raise Refused(f"file: more than {MAX_ROWS:,} rows; split it")
        except UnreadableFile as exc:
            raise Refused(str(exc).replace(str(path), name)) from None
        except Refused:
            raise
        except Exception as exc:  # a corrupt spreadsheet
            raise Refused(f"file: cannot be read ({exc})") from None
    if not rows:
        raise Refused(f"file: {name} has no rows under its header")
    return rows


# --- the reviewers' queue


@router.get("/reviews")
def reviews(
    request: Request, st: StateDep, who: Annotated[Principal, require("reviewer", "authority")]
) -> Response:
    """Entries of the agency waiting for a second pair of eyes, and the objections and repair
    applications the agency must answer, each with its deadline."""
    return _reviews(request, st, who)


def _case(conn: Connection, row: Any, who: Principal) -> dict[str, Any]:
    t = find(conn, row.target, row.target_id)
    allowed = ("reviewer",) if t.target == "record" else ("reviewer", "authority")
    fields: list[str] = []
    if t.target == "record" and t.code in ("penalty", "licence"):
        fields = [aliases[0] for aliases in load_mapping(t.code).fields.values()]
    return {
        "doc_no": t.doc_no,
        "code": t.code,
        "party": t.row.party_name,
        "fine": parse_json(t.row.fields).get("fine_wan") if t.target == "record" else None,
        "may_decide": who.role in allowed and who.actor not in t.authors,
        "own": who.actor in t.authors,
        "fields": fields,
    }


def _reviews(
    request: Request,
    st: AppState,
    who: Principal,
    refused: WorkflowError | None = None,
) -> Response:
    today = st.today()
    agency = who.agency or ""
    with st.engine.connect() as conn:
        reviewer = who.role == "reviewer"
        waiting = entries.queue(conn, who, "pending", PAGE_ITEMS) if reviewer else []
        pending = [entries.as_json(r) for r in waiting]
        open_objections = [
            {**objections.as_json(r), **_case(conn, r, who)}
            for r in queues.agency_cases(conn, agency, "objections", PAGE_ITEMS)
        ]
        open_repairs = [
            {**repair.as_json(r), **_case(conn, r, who)}
            for r in queues.agency_cases(conn, agency, "repairs", PAGE_ITEMS)
        ]
        totals = {name: queues.agency_case_count(conn, agency, name) for name in queues.OPEN}
        totals["pending"] = queues.entry_count(conn, who, "pending") if reviewer else 0
    return _render(
        request,
        "reviews.html",
        {
            "who": who,
            "today": today.isoformat(),
            "pending": pending,
            "totals": totals,
            "page_items": PAGE_ITEMS,
            "objections": open_objections,
            "repairs": open_repairs,
            "flash": _flash(request),
            "refused": _refusal(refused) if refused else None,
        },
        refused.status if refused else 200,
    )


@router.post("/reviews/{record_id}/approve")
def review_approve(
    request: Request,
    record_id: CaseId,
    st: StateDep,
    who: Annotated[Principal, require("reviewer")],
) -> Response:
    try:
        with writing(st.engine) as conn:
            entries.approve(conn, who, record_id)
    except WorkflowError as exc:
        return _reviews(request, st, who, exc)
    return _done("/reviews", "approved", id=record_id)


@router.post("/reviews/{record_id}/reject")
def review_reject(
    request: Request,
    record_id: CaseId,
    st: StateDep,
    who: Annotated[Principal, require("reviewer")],
    form: FormDep,
) -> Response:
    try:
        with writing(st.engine) as conn:
            entries.reject(conn, who, record_id, _text(form, "reason"))
    except WorkflowError as exc:
        return _reviews(request, st, who, exc)
    return _done("/reviews", "rejected", id=record_id)


@router.post("/objections/{objection_id}/decision")
def objection_decision(
    request: Request,
    objection_id: CaseId,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("reviewer", "authority")],
    form: FormDep,
) -> Response:
    """Uphold (with an optional correction: one national field and its value) or reject."""
    try:
        field = _text(form, "correction_field", 200)
        value = _text(form, "correction_value", 20_000)
        if field and not value:
            raise Refused("correction: give the corrected value, or choose no field")
        if value and not field:
            raise Refused("correction: choose the field the value corrects")
        with writing(st.engine) as conn:
            objections.decide(
                conn,
                who,
                objection_id,
                _text(form, "outcome", 16),
                _text(form, "reason"),
                {field: value} if field else None,
                catalogue=st.rules.catalogue,
                today=st.today(),
                rules=st.rules,
            )
    except WorkflowError as exc:
        return _reviews(request, st, who, exc)
    _mail(background, st)
    return _done("/reviews", "objection_decided", id=objection_id)


@router.post("/repairs/{repair_id}/decision")
def repair_decision(
    request: Request,
    repair_id: CaseId,
    st: StateDep,
    background: BackgroundTasks,
    who: Annotated[Principal, require("reviewer", "authority")],
    form: FormDep,
) -> Response:
    """Grant or refuse a repair application, with reasons."""
    try:
        with writing(st.engine) as conn:
            repair.decide(
                conn,
                who,
                repair_id,
                _text(form, "outcome", 16),
                _text(form, "reason"),
                today=st.today(),
                rules=st.rules,
            )
    except WorkflowError as exc:
        return _reviews(request, st, who, exc)
    _mail(background, st)
    return _done("/reviews", "repair_decided", id=repair_id)


# --- the auditor's dashboard


@router.get("/audit")
def audit(
    request: Request, st: StateDep, who: Annotated[Principal, require("auditor", "admin")]
) -> Response:
    """Overdue objections and repairs, per-officer and per-reviewer activity, objections upheld
    per agency."""
    with st.engine.connect() as conn:
        board = dashboard(conn, st.today())
    return _render(request, "audit.html", {"who": who, "board": board})
