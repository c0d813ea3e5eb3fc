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


PERIODS = {"second": 1, "minute": 60, "hour": 3600}
CORS_PATHS = ("/api/v1/reconcile",)


def parse_limit(raw: str | int | None, default: str = "600/minute") -> tuple[int, int]:
    """(requests, seconds) from `120/minute`, `10/second`, `5000/hour`, a bare number (per
    minute), or `off` / `0` (no limit: (0, 60)). ValueError names what is wrong."""
    value = default if raw is None else str(raw).strip().lower()
    if value in ("off", "0", "none", ""):
        return 0, 60
    count, _, period = value.partition("/")
    period = period or "minute"
    if not count.isdigit() or period not in PERIODS:
        raise ValueError(
            f"XINYONG_RATE_LIMIT {raw!r}: write requests/period, e.g. 120/minute, 10/second, "
            "5000/hour, or off"
        )
    return int(count), PERIODS[period]


class RateLimit(BaseHTTPMiddleware):
    def __init__(
        self, app: ASGIApp, limit: str | int | None = None, per_minute: int | None = None
    ) -> None:
        super().__init__(app)
        self.allowed, self.seconds = parse_limit(per_minute if per_minute is not None else limit)
        self.window = 0
        self.counts: dict[str, int] = {}

    @property
    def per_minute(self) -> int:  # kept for callers of the first version
        return self.allowed

    async def dispatch(self, request: Request, call_next: Call) -> Response:
        if self.allowed <= 0 or request.url.path == "/healthz":
            return await call_next(request)
        now = time.monotonic()
        window = int(now // self.seconds)
        if window != self.window:
            self.window, self.counts = window, {}
        client = request.client.host if request.client else "unknown"
        count = self.counts.get(client, 0) + 1
        self.counts[client] = count
        if count > self.allowed:
            retry = str(max(1, self.seconds - int(now % self.seconds)))
            period = next(k for k, v in PERIODS.items() if v == self.seconds)
            problem = Problem(
                429,
                "Too Many Requests",
                [f"more than {self.allowed} requests a {period} from {client}"],
            )
            headers = {"Retry-After": retry}
            if request.url.path.startswith(CORS_PATHS):  # the reconciliation spec requires CORS
                headers["Access-Control-Allow-Origin"] = "*"
            return problem_response(request, problem, headers=headers)
        return await call_next(request)
