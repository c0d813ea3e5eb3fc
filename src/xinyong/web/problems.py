"""One error shape everywhere: RFC 9457 problem details whose `errors` lists every reason."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.codes import mask_id_like

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(
        self, status: int, title: str, errors: list[str] | None = None, detail: str | None = None
    ) -> None:
        self.status = status
        self.title = title
        self.errors = errors or []
        self.detail = detail or (self.errors[0] if len(self.errors) == 1 else title)
        super().__init__(self.detail)


def problem_response(
    request: Request, problem: Problem, headers: Mapping[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": mask_id_like(request.url.path),  # a resident ID in the path stays masked
        "errors": problem.errors,
    }
    if _wants_html(request):
        templates = request.app.state.templates
        return templates.TemplateResponse(  # type: ignore[no-any-return]
            request, "error.html", {"problem": body}, status_code=problem.status, headers=headers
        )
    return Response(
        orjson.dumps(body), status_code=problem.status, media_type=PROBLEM_TYPE, headers=headers
    )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and request.url.path != "/healthz"


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            errors.append(f"{where}: {err.get('msg', 'invalid')}")
        return problem_response(request, Problem(422, "Invalid request", errors))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            request, Problem(exc.status_code, title, [detail]), headers=exc.headers
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
