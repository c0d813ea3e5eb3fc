"""Ingest history over HTTP: a batch's files, counts and waiting rows; the history page."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.ingest.test_ingest_files import _rows, _write_csv

from xinyong.codes import IdHasher, load_or_create_key
from xinyong.ingest import ingest_files


def test_batch_shows_counts_and_waiting_rows(
    client: TestClient, seeded: Engine, tmp_path: Path
) -> None:
    hasher = IdHasher(load_or_create_key(tmp_path / "id.key"))
    summary = ingest_files(
        seeded,
        [_write_csv(tmp_path / "penalties.csv", _rows())],
        source="samr",
        actor="operator:zhang",
        hasher=hasher,
    )
    body = client.get(f"/api/v1/ingest/batches/{summary.batch}").json()
    assert body["source"] == "samr" and body["actor"] == "operator:zhang"
    assert body["status"] == "finished" and body["files"] == [str(tmp_path / "penalties.csv")]
    assert body["counts"]["rows"] == 4 and body["counts"]["quarantined"] == 1
    assert body["waiting_in_quarantine"] == 1
    listed = client.get("/api/v1/ingest/batches").json()
    assert listed["total"] == 1 and listed["results"][0]["id"] == summary.batch
    page = client.get("/ingest")
    assert (
        page.status_code == 200 and "operator:zhang" in page.text and "penalties.csv" in page.text
    )


def test_unknown_batch_is_a_404_problem(client: TestClient) -> None:
    resp = client.get("/api/v1/ingest/batches/nope")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"
