"""kill -9 at any point, run again: the same live records, subjects and quarantine as a run that
was never interrupted (sequence numbers and batch ids may differ)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.factories import make_uscc
from tests.ingest.test_ingest_files import HEADERS

from xinyong.codes import IdHasher, load_or_create_key
from xinyong.ingest.quarantine import QuarantineCipher
from xinyong.store import make_engine
from xinyong.store.schema import (
    ingest_progress,
    quarantine,
    records,
    subject_names,
    subjects,
)

ROWS = 4000
pytestmark = pytest.mark.slow


def _penalties(path: Path) -> Path:
    codes = [make_uscc(f"{i:08d}") for i in range(600)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(ROWS):
            code = codes[i % len(codes)]
            if i % 97 == 0:  # a broken check character: quarantined
                code = code[:-1] + ("1" if code[-1] != "1" else "2")
            fine = "-1" if i % 151 == 0 else f"{i % 40 + 0.5}"  # a negative amount: quarantined
            writer.writerow(
                [
                    f"公司{i % len(codes)}",
                    "法人及非法人组织",
                    code,
                    "",
                    "",
                    f"罚〔2024〕{i}号",
                    "罚款",
                    fine,
                    "2024-03-01",
                    "",
                    "某局",
                    "",
                ]
            )
        for i in range(0, ROWS, 500):  # a few corrections later in the same file
            writer.writerow(
                [
                    f"公司{i % len(codes)}",
                    "法人及非法人组织",
                    codes[i % len(codes)],
                    "",
                    "",
                    f"罚〔2024〕{i}号",
                    "罚款",
                    "99",
                    "2024-03-01",
                    "",
                    "某局",
                    "",
                ]
            )
    return path


def _command(db_url: str, file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "xinyong",
        "ingest",
        str(file),
        "--source",
        "samr",
        "--kind",
        "penalty",
        "--db",
        db_url,
        "--json",
    ]


def _run(db_url: str, file: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(
        _command(db_url, file), env=env, capture_output=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()


def _progress(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.coalesce(func.max(ingest_progress.c.last_row), 0))
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _kill_after_progress(db_url: str, file: Path, env: dict[str, str], beyond: int) -> bool:
    """Start an ingest and SIGKILL it as soon as it has committed a chunk past row `beyond`:
    a kill in mid-file, wherever the chunk boundaries fall. False if it finished first."""
    proc = subprocess.Popen(
        _command(db_url, file), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if _progress(db_url) > beyond:
            time.sleep(0.02)  # land inside the next chunk's transaction, not between chunks
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return proc.returncode == -signal.SIGKILL
        time.sleep(0.01)
    proc.wait(timeout=30)
    return False


def _state(db_url: str, hasher: IdHasher) -> dict[str, Any]:
    engine = make_engine(db_url)
    cipher = QuarantineCipher(hasher)
    with engine.connect() as conn:
        live = sorted(
            (r.source, r.kind, r.doc_no, r.subject_key, r.party_name, r.fields, str(r.in_force_to))
            for r in conn.execute(select(records).where(records.c.superseded_seq.is_(None)))
        )
        versions = conn.execute(select(records)).all()
        subj = sorted(
            (r.subject_key, r.name, r.provisional)
            for r in conn.execute(select(subjects).where(subjects.c.superseded_seq.is_(None)))
        )
        names = sorted(
            (r.subject_key, r.name, r.name_type)
            for r in conn.execute(
                select(subject_names).where(subject_names.c.superseded_seq.is_(None))
            )
        )
        held = sorted(
            (r.row, r.status, r.reasons, tuple(sorted(cipher.open(r.data).items())))
            for r in conn.execute(select(quarantine))
        )
    engine.dispose()
    return {
        "records": live,
        "versions": len(versions),
        "subjects": subj,
        "names": names,
        "quarantine": held,
    }


def test_killed_ingests_rerun_to_the_same_state(
    db_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from tests.conftest import _fresh_db

    file = _penalties(tmp_path / "penalties.csv")
    key = tmp_path / "id.key"
    hasher = IdHasher(load_or_create_key(key))
    env = {
        **os.environ,
        "XINYONG_ID_KEY_FILE": str(key),
        "XINYONG_INGEST_CHUNK_ROWS": "250",
        "XINYONG_INGEST_WORKERS": "0",
    }

    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    (tmp_path / "ref").mkdir()
    reference = _fresh_db(backend, request, tmp_path / "ref")
    reference_url = next(reference)
    _run(reference_url, file, env)
    expected = _state(reference_url, hasher)
    next(reference, None)  # run the fixture's clean-up: a PostgreSQL reference is dropped
    assert len(expected["records"]) > ROWS * 0.95 and expected["quarantine"]

    killed = 0
    for _ in range(4):
        if _kill_after_progress(db_url, file, env, _progress(db_url)):
            killed += 1
    _run(db_url, file, env)
    assert killed >= 3, "the ingests finished before they could be killed"
    assert _progress(db_url) > 0
    assert _state(db_url, hasher) == expected
