"""Catalogue pages: every list with its legal basis, criteria, duration, removal and repair
path, and the measures it triggers through which memoranda — the rulebook in public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.catalogue.lint import lists_reached
from xinyong.timeutil import today_cst
from xinyong.web.deps import StateDep
from xinyong.web.problems import Problem

router = APIRouter(include_in_schema=False)


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request, st: StateDep) -> HTMLResponse:
    cat = st.rules.catalogue
    today = today_cst()
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "catalogue.html",
        {
            "lists": cat.lists.on(today),
            "measures": cat.measures.on(today),
            "memoranda": cat.memoranda.on(today),
            "record_kinds": cat.record_kinds.on(today),
            "today": today,
        },
    )


@router.get("/catalogue/lists/{code}", response_class=HTMLResponse)
def list_page(request: Request, st: StateDep, code: str) -> HTMLResponse:
    cat = st.rules.catalogue
    today = today_cst()
    definition = cat.list(code, today) or cat.list(code)
    if definition is None:
        raise Problem(404, "Not Found", [f"no list {code} in the catalogue"])
    routes: list[dict[str, Any]] = [
        {"memorandum": r.memorandum, "measure": r.measure}
        for r in st.rules.routes(today).get(code, [])
    ]
    versions = cat.lists.by_code.get(code, [])
    kinds = [cat.record_kind(k) for k in definition.criteria.record_kinds]
    escalates_to = [
        lst for lst in cat.lists.on(today) if code in lst.criteria.lists and lst.code != code
    ]
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "catalogue_list.html",
        {
            "list": definition,
            "routes": routes,
            "versions": versions,
            "kinds": [k for k in kinds if k is not None],
            "escalates_to": escalates_to,
            "reached_from": {
                k.code: lists_reached(cat, k.code) for k in cat.record_kinds.on(today)
            },
        },
    )
