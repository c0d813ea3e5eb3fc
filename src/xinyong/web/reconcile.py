"""W3C Reconciliation Service API v0.2 at /api/v1/reconcile, so that OpenRefine (or any client of
the protocol) can match a spreadsheet of organisation names against the registry.

Entities are organisations, identified as `cn-uscc-<code>`. Natural persons are never
reconciliation entities: their only public code is masked, so it cannot identify them, and their
subject key is a keyed hash that must not become a pseudonym others can join on. Every route here
answers with `Access-Control-Allow-Origin: *`, errors and preflights included, as the
specification requires (section "Cross-Origin Access"). See docs/reconcile.md.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import Connection, select

from xinyong import __version__
from xinyong.codes import mask_id_like, normalise_code, normalise_name
from xinyong.search import SearchHit, search_subjects
from xinyong.search.subjects import Query as NameQuery
from xinyong.search.subjects import score as name_score
from xinyong.store import reads
from xinyong.store.schema import subject_names, subjects
from xinyong.store.versions import visible
from xinyong.web.deps import ConnDep, pin
from xinyong.web.problems import Problem, problem_response

log = logging.getLogger("xinyong.web.reconcile")

PREFIX = "/api/v1/reconcile"
ID_PREFIX = "cn-uscc-"
IDENTIFIER_SPACE = "https://xinyong.example/ns/uscc"
SCHEMA_SPACE = "https://xinyong.example/ns/schema"
BATCH_SIZE = 50
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
MAX_QUERY_LENGTH = 200
SUGGEST_LIMIT = 10
PREVIEW_WIDTH = 400
PREVIEW_HEIGHT = 200

ORGANISATION = {"id": "organisation", "name": "Organisation (法人和其他组织)"}
TYPES = [ORGANISATION]
PROPERTIES = [
    {
        "id": "code",
        "name": "Code (统一社会信用代码)",
        "description": "unified social credit code (USCC) or organisation code (12345678-9): "
        "an exact code decides the match",
    },
    {
        "id": "legal_representative",
        "name": "Legal representative (法定代表人)",
        "description": "the legal representative's name; agreeing raises the score, "
        "disagreeing lowers it",
    },
    {
        "id": "region",
        "name": "Region (行政区划)",
        "description": "a 2, 4 or 6-digit administrative division code (330106, 3301, 33) or a "
        "region name (浙江省, 杭州, 浙江省杭州市西湖区)",
    },
]
_PROPERTY_IDS = frozenset(str(p["id"]) for p in PROPERTIES)

# Score adjustments (points out of 100) for properties that agree or disagree with a candidate.
REP_AGREES, REP_DISAGREES = 5.0, -15.0
REGION_AGREES, REGION_DISAGREES = 5.0, -25.0
CODE_DISAGREES = -30.0
# `match` is true for the top candidate only when it scores at least MATCH_SCORE, the next one is
# at least MATCH_GAP below it, and no supplied property disagrees with it; or by an exact code.
MATCH_SCORE = 95.0
MATCH_GAP = 10.0

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


class CorsRoute(APIRoute):
    """A route whose every answer, error or not, carries the CORS header.

    Errors raised inside the handler (problems, validation errors, HTTP errors) are rendered here
    by the app's own exception handlers, so they keep the one problem shape and gain the header;
    an unexpected exception becomes a 500 problem with the header too.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                response = await _error_response(request, exc)
            response.headers.update(CORS_HEADERS)
            return response

        return with_cors


async def _error_response(request: Request, exc: Exception) -> Response:
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None and cls is not Exception:
            return await handler(request, exc)  # type: ignore[no-any-return]
    log.exception("reconciliation request failed", exc_info=exc)
    return problem_response(request, Problem(500, "Internal Server Error", ["unexpected error"]))


router = APIRouter(prefix=PREFIX, tags=["reconciliation"], route_class=CorsRoute)


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def entity_id(code: str) -> str:
    return ID_PREFIX + code


def code_of(entity: str) -> str | None:
    """The code inside an entity id (`cn-uscc-<code>`), or None when it is not one of ours."""
    if not entity.startswith(ID_PREFIX):
        return None
    code = normalise_code(entity[len(ID_PREFIX) :])
    return code or None


# --- manifest and queries -------------------------------------------------------------------


def manifest(request: Request) -> dict[str, Any]:
    base = _base(request)
    return {
        "versions": ["0.2"],
        "name": "xinyong credit registry (信用主体)",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}/docs#/reconciliation",
        "serviceVersion": __version__,
        "defaultTypes": TYPES,
        "view": {"url": f"{base}{PREFIX}/view/{{{{id}}}}"},
        "preview": {
            "url": f"{base}{PREFIX}/preview?id={{{{id}}}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            kind: {"service_url": f"{base}{PREFIX}", "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "property", "type")
        },
        "batchSize": BATCH_SIZE,
    }


QueriesParam = Annotated[
    str | None, Query(description="a reconciliation query batch, serialised in JSON")
]


@router.get("", response_class=Response)
def reconcile_get(request: Request, conn: ConnDep, queries: QueriesParam = None) -> Response:
    """Without parameters: the service manifest. With `queries`: reconcile the batch.

    The manifest declares the id scheme (`cn-uscc-<code>`), the one type (`organisation`), the
    view, preview and suggest services, and `batchSize`. `queries` is a JSON object of
    reconciliation queries `{"q0": {"query": "…", "limit": 5, "properties": [{"pid": "region",
    "v": "浙江"}]}}`, answered `{"q0": {"result": [candidates]}}`; more than `batchSize` queries is
    a 413. Properties: `code`, `legal_representative`, `region`. See docs/reconcile.md.
    """
    if queries is None:
        return _json(manifest(request))
    return _json(reconcile_batch(conn, request, queries))


@router.post("", response_class=Response)
def reconcile_post(
    request: Request,
    conn: ConnDep,
    queries: Annotated[
        str | None, Form(description="a reconciliation query batch, serialised in JSON")
    ] = None,
) -> Response:
    """Reconcile a batch sent as the form field `queries` (application/x-www-form-urlencoded or
    multipart/form-data), as OpenRefine sends it. Same answer as `GET ?queries=`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Problem(
            415,
            "Unsupported Media Type",
            ["send the batch as the form field `queries` (application/x-www-form-urlencoded)"],
        )
    if queries is None:
        raise Problem(422, "Invalid request", ["queries: the form field is required"])
    return _json(reconcile_batch(conn, request, queries))


# Without a trailing slash redirect (which would lack the CORS header): the same endpoint at "/".
router.add_api_route("/", reconcile_get, methods=["GET"], include_in_schema=False)
router.add_api_route("/", reconcile_post, methods=["POST"], include_in_schema=False)


@dataclass(frozen=True)
class RecQuery:
    key: str
    text: str
    limit: int
    codes: list[str] = field(default_factory=list)
    representatives: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def parse_batch(raw: str) -> list[RecQuery]:
    """The batch, checked as the v0.2 query batch schema says; 422 listing every reason."""
    try:
        batch = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise Problem(422, "Invalid request", ["queries: not valid JSON"]) from None
    if not isinstance(batch, dict):
        raise Problem(422, "Invalid request", ["queries: must be a JSON object of queries"])
    if len(batch) > BATCH_SIZE:
        raise Problem(
            413,
            "Content Too Large",
            [f"queries: {len(batch)} queries in one batch; at most {BATCH_SIZE} (batchSize)"],
        )
    errors: list[str] = []
    parsed = [_parse_query(str(key), value, errors) for key, value in batch.items()]
    if errors:
        raise Problem(422, "Invalid request", errors)
    return [q for q in parsed if q is not None]


_QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})


def _parse_query(key: str, value: Any, errors: list[str]) -> RecQuery | None:
    where = f"queries.{mask_id_like(key)}"
    if not isinstance(value, dict):
        errors.append(f"{where}: must be an object")
        return None
    unknown = sorted(set(value) - _QUERY_FIELDS)
    if unknown:
        errors.append(f"{where}: unknown field(s) {', '.join(map(mask_id_like, unknown))}")
    if "query" not in value and not value.get("properties"):
        errors.append(f"{where}: needs `query` or non-empty `properties`")
    text = value.get("query", "")
    if not isinstance(text, str):
        errors.append(f"{where}.query: must be a string")
        text = ""
    elif len(text) > MAX_QUERY_LENGTH:
        errors.append(f"{where}.query: longer than {MAX_QUERY_LENGTH} characters")
    limit = value.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1:
        errors.append(f"{where}.limit: must be a positive integer")
        limit = DEFAULT_LIMIT
    query = RecQuery(key, text.strip(), min(int(limit), MAX_LIMIT))
    properties = value.get("properties", [])
    if not isinstance(properties, list):
        errors.append(f"{where}.properties: must be an array")
        properties = []
    for i, prop in enumerate(properties):
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            errors.append(f"{where}.properties[{i}]: must be an object with `pid` and `v`")
            continue
        pid = prop["pid"]
        if pid not in _PROPERTY_IDS:
            errors.append(
                f"{where}.properties[{i}].pid: unknown property; "
                f"known: {', '.join(sorted(_PROPERTY_IDS))}"
            )
            continue
        values = _values(prop["v"])
        if values is None:
            errors.append(f"{where}.properties[{i}].v: must be a string or an array of strings")
            continue
        {"code": query.codes, "legal_representative": query.representatives}.get(
            pid, query.regions
        ).extend(values)
    return query


def _values(v: Any) -> list[str] | None:
    items = v if isinstance(v, list) else [v]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            item = code_of(item["id"]) or item.get("name") or item["id"]
        if isinstance(item, float) and item.is_integer():
            item = int(item)  # a numeric cell: 330106.0
        if isinstance(item, bool) or not isinstance(item, str | int):
            return None
        text = str(item).strip()
        if text:
            out.append(text)
    return out


# --- matching ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    hit: SearchHit
    score: float
    features: list[dict[str, Any]]
    disagrees: bool = False
    by_code: bool = False


def reconcile_batch(conn: Connection, request: Request, raw: str) -> dict[str, Any]:
    queries = parse_batch(raw)
    position = pin(conn, None)  # the whole batch reads the registry at one journal position
    return {q.key: {"result": reconcile_one(conn, q, position)} for q in queries}


def reconcile_one(conn: Connection, q: RecQuery, position: int) -> list[dict[str, Any]]:
    found_code = False
    candidates: list[Candidate] = []
    for code in q.codes:
        hits = _by_code(conn, code, position)
        found_code = found_code or bool(hits)
        candidates += [_code_candidate(conn, hit, q, position) for hit in hits]
    if not found_code:
        hits = _by_name(conn, q, position)
        candidates = [_name_candidate(hit, q) for hit in hits]
    _apply_properties(conn, candidates, q, position)
    candidates.sort(key=lambda c: (-c.score, c.hit.code))
    unique: dict[str, Candidate] = {}
    for c in candidates:
        unique.setdefault(c.hit.code, c)
    ranked = list(unique.values())[: q.limit]
    return [_render(c, i == 0 and _is_match(ranked)) for i, c in enumerate(ranked)]


def _organisations(hits: Iterable[SearchHit]) -> list[SearchHit]:
    return [h for h in hits if h.kind == "organisation"]


def _by_code(conn: Connection, raw: str, position: int) -> list[SearchHit]:
    """Subjects with exactly this USCC or organisation code (a `cn-uscc-` id works too)."""
    code = code_of(raw) or raw
    # No hasher: a resident ID is never read as a person here (persons are not entities).
    page = search_subjects(conn, code, limit=MAX_LIMIT, known_at=position, hasher=None)
    exact = ("code:exact", "org_code:exact")
    return _organisations(h for h in page.results if h.matched_on in exact)


def _by_name(conn: Connection, q: RecQuery, position: int) -> list[SearchHit]:
    text = q.text
    if text.startswith(ID_PREFIX):  # an entity id as the query finds that entity
        text = code_of(text) or text
    if not text and q.representatives:  # no name: the legal representative's companies
        text = q.representatives[0]
    if not text:
        return []
    wanted = max(q.limit * 4, 20)  # properties may reorder: rank more than are returned
    page = search_subjects(conn, text, limit=wanted, known_at=position, hasher=None)
    return _organisations(page.results)


def _name_candidate(hit: SearchHit, q: RecQuery) -> Candidate:
    field_, _, how = hit.matched_on.partition(":")
    features: list[dict[str, Any]] = []
    if field_ in ("code", "org_code"):
        features.append({"id": "code_exact", "value": True})
        value = 100.0
    elif field_ == "legal_representative" and not q.text:
        value = 60.0  # found by the legal representative alone: never a match by itself
    else:
        features.append({"id": "name_score", "value": hit.score})
        value = 100.0 * hit.score
    features.append({"id": f"matched_on_{field_}_{how}", "value": True})
    return Candidate(hit, value, features)


def _code_candidate(conn: Connection, hit: SearchHit, q: RecQuery, position: int) -> Candidate:
    features: list[dict[str, Any]] = [
        {"id": "code_exact", "value": True},
        {"id": f"matched_on_{hit.matched_on.replace(':', '_')}", "value": True},
    ]
    if q.text:
        features.insert(0, {"id": "name_score", "value": _name_score(conn, hit, q.text, position)})
    return Candidate(hit, 100.0, features, by_code=True)


def _name_score(conn: Connection, hit: SearchHit, text: str, position: int) -> float:
    """How well the query names this subject (0..1), as the search would score it."""
    nq = NameQuery.of(text)
    if not nq.key:
        return 0.0
    rows = conn.execute(
        select(
            subject_names.c.name_key,
            subject_names.c.core_key,
            subject_names.c.initials,
            subject_names.c.name_type,
        ).where(subject_names.c.subject_key == hit.subject_key, visible(subject_names, position))
    ).all()
    best = 0.0
    for r in rows:
        value, _ = name_score(nq, r.name_key, r.core_key, r.initials)
        best = max(best, value if r.name_type == "current" else value * 0.98)
    return round(best, 4)


def _apply_properties(
    conn: Connection, candidates: list[Candidate], q: RecQuery, position: int
) -> None:
    if not candidates:
        return
    facts = _facts(conn, [c.hit.subject_key for c in candidates], position)
    reps = {normalise_name(r) for r in q.representatives}
    regions = [p for v in q.regions for p in region_prefixes(v)]
    codes = {normalise_code(code_of(c) or c) for c in q.codes}
    for c in candidates:
        rep, region = facts.get(c.hit.subject_key, (None, None))
        region = region or _uscc_region(c.hit.code)
        if codes and not c.by_code:
            # A code was given but is not in the registry: a candidate by name has another code.
            agrees = c.hit.code in codes or (c.hit.code[8:17] in codes)
            c.features.append({"id": "code_match", "value": agrees})
            if not agrees:
                c.score += CODE_DISAGREES
                c.disagrees = True
        if reps and rep:
            agrees = normalise_name(rep) in reps
            c.features.append({"id": "legal_representative_match", "value": agrees})
            c.score += REP_AGREES if agrees else REP_DISAGREES
            c.disagrees = c.disagrees or not agrees
        if q.regions and region:
            if regions:
                agrees = any(region.startswith(p) for p in regions)
                c.features.append({"id": "region_match", "value": agrees})
                c.score += REGION_AGREES if agrees else REGION_DISAGREES
                c.disagrees = c.disagrees or not agrees
            else:
                c.features.append({"id": "region_unknown", "value": True})
        # An exact code decides: the other properties are reported but do not move its score.
        c.score = 100.0 if c.by_code else round(max(0.0, min(100.0, c.score)), 2)


def _facts(
    conn: Connection, keys: list[str], position: int
) -> dict[str, tuple[str | None, str | None]]:
    rows = conn.execute(
        select(
            subjects.c.subject_key, subjects.c.legal_representative, subjects.c.region_code
        ).where(subjects.c.subject_key.in_(sorted(set(keys))), visible(subjects, position))
    ).all()
    return {r.subject_key: (r.legal_representative, r.region_code) for r in rows}


def _uscc_region(code: str) -> str | None:
    """Positions 3-8 of a USCC: the division of the authority that registered it."""
    part = code[2:8]
    return part if len(code) == 18 and part.isdigit() else None


def _is_match(ranked: list[Candidate]) -> bool:
    if not ranked:
        return False
    top = ranked[0]
    if top.by_code:
        return (
            sum(c.by_code for c in ranked) == 1
        )  # one subject has the code (not a shared org code)
    if top.disagrees or top.score < MATCH_SCORE:
        return False
    return len(ranked) == 1 or ranked[1].score <= top.score - MATCH_GAP


def _render(c: Candidate, match: bool) -> dict[str, Any]:
    return {
        "id": entity_id(c.hit.code),
        "name": c.hit.name,
        "description": _description(c.hit),
        "score": c.score,
        "match": match,
        "type": TYPES,
        "features": c.features,
    }


def _description(hit: SearchHit) -> str:
    parts = [hit.code, f"status {hit.status}"]
    if hit.provisional:
        parts.append("provisional (临时, not yet confirmed by the registry file)")
    if hit.matched_name != hit.name:
        parts.append(f"matched {hit.matched_name_type} name {hit.matched_name}")
    return " · ".join(parts)


# --- regions ----------------------------------------------------------------------------------

_SHORT_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
)


def _trim(code: str) -> str:
    """A division code as a prefix: 330000 → 33, 330100 → 3301, 330106 → 330106."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


@functools.cache
def _regions() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """(name → code prefixes, code → name) from the GB/T 2260 table python-stdnum ships.

    Current names only, normalised; provinces and prefecture-level cities also by their short
    names (浙江, 杭州). A county name can be several places (西湖区): all of them.
    """
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    by_name: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    province = ""
    for line in text.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        head, _, value = line.partition("=")
        digits = head.split()[0]
        if not line.startswith(" "):
            province = digits
            code = province + "0000"
        else:
            code = province + digits
        raw = value.strip('"')
        # Tagged periods ("[-1991]东郊区,[1992-]东丽区"): only the one still open is current.
        current = re.findall(r"\[\d{4}-\]([^,]+)", raw) if "[" in raw else [raw]
        for name in current:
            if name in ("市辖区", "县", "市区", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            names.setdefault(code, name)
            prefix = _trim(code)
            forms = {normalise_name(name)}
            if len(prefix) <= 4:
                for suffix in _SHORT_SUFFIXES:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        forms.add(normalise_name(name[: -len(suffix)]))
                        break
            for form in forms:
                by_name.setdefault(form, set()).add(prefix)
    return {k: frozenset(v) for k, v in by_name.items()}, names


def region_prefixes(value: str) -> list[str]:
    """Division code prefixes a region value stands for; empty when it is not recognised.

    A code (2, 4 or 6 digits) is its own prefix; a name is looked up, and a composite name
    (浙江省杭州市西湖区) is read left to right, each part narrowing the one before.
    """
    raw = value.strip()
    if re.fullmatch(r"\d{2}|\d{4}|\d{6}", raw):
        return [_trim(raw)]
    by_name, _ = _regions()
    key = normalise_name(raw)
    if key in by_name:
        return sorted(by_name[key])
    allowed: list[str] | None = None
    rest = key
    while rest:
        part = next((rest[:n] for n in range(len(rest), 1, -1) if rest[:n] in by_name), None)
        if part is None:
            return []
        prefixes = sorted(by_name[part])
        if allowed is not None:
            prefixes = [p for p in prefixes if any(p.startswith(a) for a in allowed)] or allowed
        allowed = prefixes
        rest = rest[len(part) :]
    return allowed or []


def region_label(code: str | None) -> str:
    """浙江省 杭州市 西湖区 (330106) for a 6-digit division code; the code alone if unknown."""
    if not code:
        return ""
    _, names = _regions()
    parts = [names.get(c) for c in (code[:2] + "0000", code[:4] + "00", code)]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return f"{' '.join(seen)} ({code})" if seen else code


# --- view, preview, suggest -------------------------------------------------------------------


def _subject(conn: Connection, entity: str, position: int) -> reads.SubjectView:
    code = code_of(entity)
    found = reads.subject(conn, code, position) if code else None
    if found is None or found.kind != "organisation":
        raise Problem(404, "Not Found", [f"no entity with id {mask_id_like(entity)}"])
    return found


@router.get("/view/{id}", response_class=RedirectResponse, status_code=303)
def view(conn: ConnDep, id: str) -> RedirectResponse:
    """The view template's target: redirects (303) an entity id `cn-uscc-<code>` to the subject
    page `/subjects/<code>`. An id that is not an organisation in the registry is a 404."""
    found = _subject(conn, id, pin(conn, None))
    return RedirectResponse(f"/subjects/{found.code}", status_code=303)


@router.get("/preview", response_class=Response)
def preview(
    conn: ConnDep,
    id: Annotated[str, Query(description="entity id, cn-uscc-<code>")],
) -> Response:
    """A small HTML summary of an entity for the client's preview frame (the size is in the
    manifest): name, code, status, region, legal representative and other names."""
    position = pin(conn, None)
    s = _subject(conn, id, position)
    e = html.escape
    rows = [
        ("统一社会信用代码 Code", s.code),
        ("状态 Status", s.status + (" · provisional 临时" if s.provisional else "")),
        ("地区 Region", region_label(s.region_code or _uscc_region(s.code))),
        ("法定代表人 Legal representative", s.legal_representative or ""),
        ("类型 Type", s.entity_type or ""),
        ("成立日期 Registered", s.registered_on.isoformat() if s.registered_on else ""),
    ]
    others = [f"{n.name} ({n.type})" for n in s.names if n.name != s.name]
    if others:
        rows.append(("其他名称 Other names", "; ".join(others)))
    cells = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows if v)
    body = (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{e(s.name)}</title><style>"
        "body{font:13px/1.4 sans-serif;margin:6px}h1{font-size:15px;margin:0 0 4px}"
        "dl{display:grid;grid-template-columns:auto 1fr;gap:1px 8px;margin:0}dt{color:#555}"
        f"dd{{margin:0}}</style></head><body><h1>{e(s.name)}</h1><dl>{cells}</dl>"
        "</body></html>"
    )
    return Response(body, media_type="text/html; charset=utf-8")


def _matches(prefix: str, item: dict[str, str]) -> bool:
    key = prefix.strip().lower()
    return not key or any(key in str(item.get(f, "")).lower() for f in ("id", "name"))


PrefixParam = Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="what was typed")]
CursorParam = Annotated[int, Query(ge=0, le=1000, description="suggestions to skip")]


@router.get("/suggest/entity", response_class=Response)
def suggest_entity(conn: ConnDep, prefix: PrefixParam = "", cursor: CursorParam = 0) -> Response:
    """Suggest organisations for what was typed (a name in any script, a short name, pinyin
    initials, a code or an entity id): `{"result": [{"id", "name", "description", "notable"}]}`."""
    text = prefix.strip()
    if text.startswith(ID_PREFIX):
        text = code_of(text) or text
    if not text:
        return _json({"result": []})
    page = search_subjects(
        conn, text, limit=SUGGEST_LIMIT, offset=cursor, known_at=pin(conn, None), hasher=None
    )
    result = [
        {"id": entity_id(h.code), "name": h.name, "description": _description(h), "notable": TYPES}
        for h in _organisations(page.results)
    ]
    return _json({"result": result})


@router.get("/suggest/property", response_class=Response)
def suggest_property(prefix: PrefixParam = "", cursor: CursorParam = 0) -> Response:
    """Suggest the properties queries can carry (`code`, `legal_representative`, `region`):
    `{"result": [{"id", "name", "description"}]}`."""
    found = [p for p in PROPERTIES if _matches(prefix, p)]
    return _json({"result": found[cursor:]})


@router.get("/suggest/type", response_class=Response)
def suggest_type(prefix: PrefixParam = "", cursor: CursorParam = 0) -> Response:
    """Suggest types: there is one, `organisation`. `{"result": [{"id", "name"}]}`."""
    found = [t for t in TYPES if _matches(prefix, t)]
    return _json({"result": found[cursor:]})


def preflight(request: Request) -> Response:
    """CORS preflight: any origin may call these routes with GET or POST."""
    headers = dict(PREFLIGHT_HEADERS)
    asked = request.headers.get("access-control-request-headers")
    headers["Access-Control-Allow-Headers"] = asked or "Content-Type"
    if asked:
        headers["Vary"] = "Access-Control-Request-Headers"
    return Response(status_code=204, headers=headers)


for _path in (
    "",
    "/",
    "/view/{id}",
    "/preview",
    "/suggest/entity",
    "/suggest/property",
    "/suggest/type",
):
    router.add_api_route(_path, preflight, methods=["OPTIONS"], include_in_schema=False)
