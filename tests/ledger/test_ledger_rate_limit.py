"""A registry rate-limits public clients; the verifier waits out a 429 as Retry-After says
instead of reporting the log as broken."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xinyong.ledger.verify import VerificationFailed, http_get


class Limited(BaseHTTPRequestHandler):
    refusals = 2  # per test, reset by the fixture

    def do_GET(self) -> None:
        if type(self).refusals > 0:
            type(self).refusals -= 1
            self.send_response(429)
            self.send_header("Retry-After", "7")
            self.end_headers()
            return
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Limited.refusals = 2
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Limited)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/ledger/checkpoint"
    httpd.shutdown()
    httpd.server_close()


def test_a_429_is_waited_out_as_retry_after_says(server: str) -> None:
    waits: list[float] = []
    assert http_get(server, sleep=waits.append) == b'{"ok": true}'
    assert waits == [7.0, 7.0]


def test_a_server_that_never_lets_up_is_reported(server: str) -> None:
    Limited.refusals = 10_000
    waits: list[float] = []
    with pytest.raises(VerificationFailed, match="still rate-limited"):
        http_get(server, sleep=waits.append)
    assert len(waits) == 30
