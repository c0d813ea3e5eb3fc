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
from xinyong.synth import REFERENCE_DATE, generate

# Every reason a generated defect may cause; anything else is a bug in ingest or generator.
EXPECTED_REASON = re.compile(
    r"check character should be|is required but empty|is required for|is in the future"
    r"|is not a party category|is not a number of 万元|is negative|before valid from"
    r"|before the decision date|no subject in the registry matches|subjects match"
)
INVALID = (
    "bad_check_character",
    "missing_field",
    "bad_amount",
    "bad_party_category",
    "publicity_before_decision",
    "valid_to_before_from",
    "future_decision",
)


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
            today=REFERENCE_DATE,
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
    invalid = sum(counts[k] for k in INVALID)
    assert totals["quarantined"] <= invalid + counts["duplicate_row"]
    assert 0 < totals["duplicates"] <= counts["duplicate_row"]
    # Each generated correction (same document number, one field changed) is a correction.
    assert totals["corrected"] == counts["correction"] > 0
    assert (
        totals["accepted"] + totals["corrected"] + totals["duplicates"] + totals["quarantined"]
        == totals["rows"]
    )
    # Rows that name their subject only by organisation code or by exact name found it.
    assert counts["placeholder_code"] > 0 and counts["name_only"] > 0
    assert not any("no subject in the registry matches" in x for r in reasons for x in r)
