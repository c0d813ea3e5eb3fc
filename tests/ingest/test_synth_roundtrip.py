"""The generator's files, defects and all, through the real ingest: every defect lands where it
should — harmless ones accepted, invalid ones quarantined with their reason, copies deduplicated."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import Engine, select

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.store.schema import quarantine
from xinyong.synth import generate

EXPECTED_REASON = re.compile(r"check character should be|is required but empty|is required for")


def test_generated_defects_are_accepted_or_quarantined_as_they_should(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    manifest = generate(tmp_path / "synth", 400, seed=11, defects=0.05)
    counts = manifest.defect_counts
    totals = {"rows": 0, "accepted": 0, "duplicates": 0, "quarantined": 0, "corrected": 0}
    for f in sorted(manifest.files, key=lambda f: f.kind != "registry"):
        s = ingest_files(
            engine,
            [tmp_path / "synth" / f.path],
            source=f.source,
            actor="op",
            hasher=hasher,
            kind=f.kind,
        )
        assert s.rows == f.rows
        for key in totals:
            totals[key] += getattr(s, key)
    with engine.connect() as conn:
        entries = conn.execute(select(quarantine.c.reasons)).scalars().all()
    reasons = [json.loads(r) for r in entries]
    unexpected = [r for r in reasons if not all(EXPECTED_REASON.search(x) for x in r)]
    assert unexpected == []
    # Every row with a broken check character is quarantined for it (copies of it too).
    broken = sum(1 for r in reasons if any("check character should be" in x for x in r))
    assert counts["bad_check_character"] <= broken
    assert broken <= counts["bad_check_character"] + counts["duplicate_row"]
    # A row may carry two invalid defects, and a registry row may lack only its optional date.
    assert broken <= totals["quarantined"]
    assert totals["quarantined"] <= (
        counts["bad_check_character"] + counts["missing_field"] + counts["duplicate_row"]
    )
    assert 0 < totals["duplicates"] <= counts["duplicate_row"]
    assert totals["corrected"] == 0
    assert totals["accepted"] + totals["duplicates"] + totals["quarantined"] == totals["rows"]
