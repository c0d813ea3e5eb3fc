"""The ASGI application: API, pages, health, one error shape, rate limits on public routes."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from xinyong import __version__
from xinyong.accounts.sessions import SessionKeys
from xinyong.catalogue import load_catalogue
from xinyong.config import db_url, id_key_path
from xinyong.evaluate import Rules
from xinyong.registry.checklog import CheckLog
from xinyong.store import make_engine
from xinyong.store.meta import open_hasher
from xinyong.store.reads import journal_seq
from xinyong.web import (
    api,
    auth,
    catalogue_pages,
    due_process_api,
    engine_api,
    i18n,
    ingest,
    ledger_api,
    listings_api,
    pages,
    portal_pages,
    problems,
    reconcile,
    screen,
)
from xinyong.web.deps import AppState, ConnDep
from xinyong.web.models import Health
from xinyong.web.ratelimit import RateLimit, parse_limit

HERE = Path(__file__).parent
CHECK_FLUSH_SECONDS = float(os.environ.get("XINYONG_CHECK_FLUSH_SECONDS", "1"))
log = logging.getLogger("xinyong.web")


def create_app(
    database: str | None = None,
    key_file: str | None = None,
    rate_limit: int | str | None = None,
    catalogue: str | Path | None = None,
) -> FastAPI:
    """Build the app. Settings come from arguments, else XINYONG_DB / XINYONG_ID_KEY_FILE /
    XINYONG_RATE_LIMIT (per client: `120/minute`, `10/second`, a bare number per minute; `off`
    or 0 turns it off) /
    XINYONG_CATALOGUE. A catalogue that fails its lint stops the server from starting."""
    limit = (
        rate_limit if rate_limit is not None else os.environ.get("XINYONG_RATE_LIMIT", "600/minute")
    )
    parse_limit(limit)  # a malformed setting stops the server at start, with the reason
    engine = make_engine(db_url(database))
    hasher = open_hasher(engine, id_key_path(key_file))
    rules = Rules(load_catalogue(catalogue))
    check_log = CheckLog(engine)
    checkpoints = ledger_api.CheckpointSchedule(engine, db_url(database))

    async def flush_checks() -> None:
        while True:
            await asyncio.sleep(CHECK_FLUSH_SECONDS)
            try:
                await asyncio.to_thread(check_log.flush)
            except Exception:  # a locked database: the feedback waits for the next flush
                log.warning("check feedback not written yet; retrying", exc_info=True)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        flusher = asyncio.create_task(flush_checks())
        signer = await checkpoints.start()  # a signed tree head now, then while it grows
        # What start-up allocated (catalogue, templates, name tables) lives as long as the
        # worker: keep it out of the collector, whose full passes over it cost 90-160 ms.
        gc.freeze()
        yield
        flusher.cancel()
        signer.cancel()
        check_log.flush()
        engine.dispose()  # close pooled connections cleanly when the worker stops

    app = FastAPI(
        lifespan=lifespan,
        title="xinyong",
        version=__version__,
        summary="An accountable credit registry",
        description="Subjects, their credit records and their names, each answer as of a date "
        "and as known at a journal position. Errors are RFC 9457 problem documents.",
    )
    app.state.xinyong = AppState(engine, hasher, rules, check_log)
    app.state.templates = i18n.Templates(HERE / "templates")  # Chinese and English
    # Cookies and CSRF tokens are signed with a key derived from the ID key: never in the
    # repository or the database, and the same for every worker of one registry.
    app.state.session_keys = SessionKeys(hasher.derive("web sessions v1"))
    app.add_middleware(RateLimit, limit=limit)
    problems.install(app)
    auth.install(app)
    app.include_router(api.router)
    app.include_router(engine_api.router)
    app.include_router(listings_api.router)
    app.include_router(due_process_api.router)
    app.include_router(screen.router)
    app.include_router(screen.pages)
    app.include_router(ingest.router)
    app.include_router(reconcile.router)
    app.include_router(pages.router)
    app.include_router(catalogue_pages.router)
    app.include_router(ingest.pages)
    app.include_router(portal_pages.router)
    app.include_router(ledger_api.router)
    app.include_router(ledger_api.pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", response_model=Health, tags=["operations"])
    async def healthz(conn: ConnDep) -> Health:
        """Liveness and readiness: the database answers, and how far the journal has come."""
        conn.execute(text("SELECT 1"))
        return Health(status="ok", database=conn.dialect.name, journal_seq=journal_seq(conn))

    return app
