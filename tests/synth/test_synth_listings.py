"""Synthetic listing decisions match the generated registry and ingest cleanly: every row is a
valid decision or removal, so the demo shows lists, measures and removals in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, func, select

from xinyong.catalogue import load_catalogue
from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.registry.recompute import recompute
from xinyong.store.schema import listings, subjects
from xinyong.synth import generate
from xinyong.synth.listings import generate_listings


def test_listing_files_ingest_without_quarantine_against_the_registry(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    generate(tmp_path, 3000, 5)
    entries = generate_listings(tmp_path, 3000, 5)
    assert {e["source"] for e in entries} >= {"court", "tax"}
    ingest_files(
        engine,
        [tmp_path / "registry.csv"],
        source="samr",
        actor="t",
        hasher=hasher,
        kind="registry",
    )
    with engine.connect() as conn:
        registered = conn.execute(select(func.count()).select_from(subjects)).scalar_one()
    catalogue = load_catalogue()
    total = 0
    for e in entries:
        s = ingest_files(
            engine,
            [tmp_path / e["path"]],
            source=e["source"],
            actor="t",
            hasher=hasher,
            kind="listing",
            catalogue=catalogue,
            today=dt.date(2026, 9, 30),
        )
        assert s.quarantined == 0 and s.rows == e["rows"]
        total += s.rows
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(subjects)).scalar_one() == registered
        ended = conn.execute(
            select(func.count())
            .select_from(listings)
            .where(listings.c.state == "ended", listings.c.superseded_seq.is_(None))
        ).scalar_one()
    assert total > 50 and ended > 0
    state = recompute(engine, catalogue, dt.date(2026, 9, 30))
    assert state.subjects_listed > 20
    assert state.by_measure.get("procurement.bar", 0) > 0
