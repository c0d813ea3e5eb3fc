"""Listing decisions pushed by an authority's system: `POST /api/v1/listings` with an API key.

The rows go through exactly the path a listing file takes (`xinyong ingest --kind listing`):
the same due-process checks, the same natural key (so a retried request adds nothing), the same
quarantine for rows that fail. The key's agency is the source; the key is the accountable actor.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, ConfigDict, Field

from xinyong.ingest import ingest_files
from xinyong.ingest.quarantine import Filter, QuarantineCipher, list_entries
from xinyong.registry.apikeys import ApiKey, verify
from xinyong.web.deps import AppState, StateDep
from xinyong.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["listings"])
MAX_ROWS = 10_000


def api_key(st: StateDep, authorization: Annotated[str | None, Header()] = None) -> ApiKey:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Problem(401, "Unauthorized", ["an API key is required: Authorization: Bearer <key>"])
    with st.engine.connect() as conn:
        key = verify(conn, authorization[7:])
    if key is None:
        raise Problem(401, "Unauthorized", ["the API key is not valid or was revoked"])
    return key


def scoped(scope: str) -> Any:
    def check(key: Annotated[ApiKey, Depends(api_key)]) -> ApiKey:
        if scope not in key.scopes:
            raise Problem(403, "Forbidden", [f"the API key lacks the scope {scope}"])
        return key

    return check


class ListingRows(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description="listing decisions in the JSON Lines format of docs/formats.md: subject, "
        "subject_name, list, decision, authority, start, end, action, date, records",
    )


@router.post("/listings")
def push_listings(
    body: ListingRows,
    st: StateDep,
    key: Annotated[ApiKey, Depends(scoped("listings:write"))],
) -> dict[str, Any]:
    """Apply listing decisions and removals from an authority's system.

    Needs an API key with the scope `listings:write` (`xinyong apikey add`); the key's agency is
    the source and the key is the journal's actor. Answers the ingest summary (`rows`,
    `accepted`, `corrected`, `duplicates`, `quarantined`, `batch`) and `rejected`: every row that
    failed, `{"row", "reasons"}` (rows numbered from 1 in the order sent). Sending the same
    rows again adds nothing.
    """
    return _ingest(st, key, body.rows)


def _ingest(st: AppState, key: ApiKey, rows: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="xinyong-api-") as tmp:
        path = Path(tmp) / f"api-{key.agency}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        summary = ingest_files(
            st.engine,
            [path],
            source=key.agency,
            actor=key.actor,
            hasher=st.hasher,
            kind="listing",
            catalogue=st.rules.catalogue,
        )
    with st.engine.connect() as conn:
        entries, _ = list_entries(
            conn,
            QuarantineCipher(st.hasher),
            Filter(status="all", batch=summary.batch),
            limit=None,
        )
    result = {k: v for k, v in summary.as_dict().items() if k != "kinds"}
    result["rejected"] = [{"row": e.row, "reasons": e.reasons} for e in entries]
    return result
