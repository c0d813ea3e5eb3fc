"""A per-client fixed-window rate limit for the public endpoints.

In-process and per worker: enough to stop one client from monopolising a small deployment. A
multi-host deployment puts a shared limiter (the load balancer's) in front; see docs/operations.md.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from xinyong.web.problems import Problem, problem_response

Call = Callable[[Request], Awaitable[Response]]


class RateLimit(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        super().__init__(app)
        self.per_minute = per_minute
        self.window = 0
        self.counts: dict[str, int] = {}

    async def dispatch(self, request: Request, call_next: Call) -> Response:
        if self.per_minute <= 0 or request.url.path == "/healthz":
            return await call_next(request)
        window = int(time.monotonic() // 60)
        if window != self.window:
            self.window, self.counts = window, {}
        client = request.client.host if request.client else "unknown"
        count = self.counts.get(client, 0) + 1
        self.counts[client] = count
        if count > self.per_minute:
            retry = str(60 - int(time.monotonic() % 60))
            problem = Problem(
                429,
                "Too Many Requests",
                [f"more than {self.per_minute} requests a minute from {client}"],
            )
            return problem_response(request, problem, headers={"Retry-After": retry})
        return await call_next(request)
