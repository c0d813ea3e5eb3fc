"""The transparency log's public endpoints, /api/v1/ledger, and the page that explains them.

Anyone can check the registry with these alone: the latest signed checkpoint, the leaves (exact
bytes, base64), inclusion and consistency proofs (hashes base64), and for public entries the salt
and payload their digest was made from. docs/ledger.md describes every step.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import Engine

from xinyong.ledger import service
from xinyong.ledger.keys import Signer
from xinyong.ledger.store import tree_size
from xinyong.web.deps import ConnDep
from xinyong.web.problems import Problem

log = logging.getLogger("xinyong.web.ledger")
router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
pages = APIRouter(include_in_schema=False)

Index = Annotated[int, Query(ge=0, description="0-based leaf index (journal seq - 1)")]
Size = Annotated[int, Query(ge=1, description="tree size (number of leaves)")]


@router.get("/checkpoint", response_class=PlainTextResponse)
def get_checkpoint(conn: ConnDep) -> PlainTextResponse:
    """The latest signed checkpoint (c2sp.org/tlog-checkpoint) as a `text/plain` signed note:
    origin, tree size, base64 root hash, a blank line, and the signature line. The server signs
    one on a schedule and after every ingest batch."""
    stored = service.latest_checkpoint(conn)
    if stored is None:
        raise Problem(404, "Not Found", ["no checkpoint has been signed yet"])
    return PlainTextResponse(stored.note, headers={"Cache-Control": "no-cache"})


@router.get("/entries")
def get_entries(
    conn: ConnDep,
    start: Index,
    end: Annotated[int, Query(ge=0, description="last leaf index wanted (inclusive)")],
    payloads: Annotated[
        bool, Query(description="add salt and payload of public entries (else `withheld`)")
    ] = False,
) -> dict[str, Any]:
    """Leaves `start` to `end` inclusive, as `{"entries": [{"index", "leaf"}], "size"}` where
    `leaf` is the base64 of the exact leaf bytes (the envelope's canonical JSON) and `size` the
    current tree size. At most 1,000 entries per answer: ask again from the last index + 1.
    With `payloads=true`, each public entry also carries `salt` (hex) and `payload` (the canonical
    JSON text whose UTF-8 bytes, after the salt, SHA-256 to the envelope's `digest`); any other
    says why in `withheld`."""
    if end < start:
        raise Problem(422, "Invalid request", [f"end {end} is before start {start}"])
    size = tree_size(conn)
    if start >= size:
        raise Problem(
            422, "Invalid request", [f"start {start} is beyond the log, which has {size} leaves"]
        )
    views = service.entries(conn, start, end, payloads=payloads)
    return {"entries": [v.as_json(payloads) for v in views], "size": size}


@router.get("/entries/{seq}")
def get_entry(conn: ConnDep, seq: int) -> dict[str, Any]:
    """One journal entry's envelope (parsed, and `leaf` as base64 bytes), its leaf `index`, and —
    when it is public — its `salt` (hex) and canonical `payload`, so that anyone can recompute
    `digest` = SHA-256(salt ‖ payload) and check the leaf's inclusion. A non-public entry (a
    natural person's, a repaired record's, a workflow step) shows its envelope and `withheld`."""
    found = service.entry(conn, seq)
    if found is None:
        raise Problem(404, "Not Found", [f"no journal entry {seq} in the log"])
    return found


@router.get("/proof/inclusion")
def get_inclusion(conn: ConnDep, index: Index, size: Size) -> dict[str, Any]:
    """Audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3):
    `{"index", "size", "leaf_hash", "proof": [base64 hashes, leaf upwards]}`. Check it against
    the root of a signed checkpoint of that size."""
    try:
        return service.inclusion(conn, index, size)
    except (ValueError, LookupError) as exc:
        raise Problem(422, "Invalid request", [str(exc)]) from None


@router.get("/proof/consistency")
def get_consistency(conn: ConnDep, first: Size, second: Size) -> dict[str, Any]:
    """Proof that the tree of `second` leaves extends the tree of `first` leaves (RFC 9162
    §2.1.4): `{"first", "second", "proof": [base64 hashes]}`. Sizes from 1; `first` <= `second`."""
    try:
        return service.consistency(conn, first, second)
    except (ValueError, LookupError) as exc:
        raise Problem(422, "Invalid request", [str(exc)]) from None


@pages.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, conn: ConnDep) -> HTMLResponse:
    stored = service.latest_checkpoint(conn)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "verify.html",
        {
            "checkpoint": stored.note if stored else None,
            "size": tree_size(conn),
            "origin": service.ledger_origin(),
            "base": str(request.base_url).rstrip("/"),
        },
    )


class CheckpointSchedule:
    """The server's signer: a checkpoint at start and then every
    ``XINYONG_LEDGER_CHECKPOINT_SECONDS`` (default 60) when the tree has grown.

    It never creates the log's key (``xinyong init`` does): a server started without one serves
    the checkpoints already stored and says once, in the log, that it cannot sign.
    """

    def __init__(self, engine: Engine, url: str, interval: float | None = None) -> None:
        self._engine = engine
        self._url = url
        self._interval = interval or float(
            os.environ.get("XINYONG_LEDGER_CHECKPOINT_SECONDS", "60")
        )
        self._signer: Signer | None = None

    def signer(self) -> Signer | None:
        if self._signer is None:
            try:
                self._signer = service.open_signer(self._url, create=False)
            except (OSError, ValueError) as exc:
                log.warning("not signing checkpoints: %s (run `xinyong init`)", exc)
        return self._signer

    def sign_now(self) -> None:
        signer = self.signer()
        if signer is not None:
            service.sign_current(self._engine, signer)

    async def _sign(self) -> None:
        try:
            await asyncio.to_thread(self.sign_now)
        except Exception:  # a locked database: the next round signs
            log.warning("checkpoint not signed yet; retrying", exc_info=True)

    async def start(self) -> asyncio.Task[None]:
        """Sign the current head before the server answers, then keep signing in a task."""
        await self._sign()
        return asyncio.create_task(self._run())

    async def _run(self) -> None:
        if self._signer is None:
            return
        while True:
            await asyncio.sleep(self._interval)
            await self._sign()
