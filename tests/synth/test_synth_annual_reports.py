"""Synthetic annual reports: the generated enterprises' filings ingest cleanly, and the demo's
derivation then proposes for the abnormal operations list exactly the enterprises that owed a
report and filed none — not the ones that filed late, and no cooperative, individual business,
institution or closed company."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select

from xinyong.catalogue import load_catalogue
from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.registry.derive import run_derivation
from xinyong.store.schema import listings
from xinyong.synth import generate
from xinyong.synth.annual_reports import REPORT_YEAR, generate_annual_reports, owes_report
from xinyong.synth.subjects import REFERENCE_DATE, SubjectFactory

SUBJECTS, SEED = 600, 3


def test_reports_ingest_and_the_non_filers_are_proposed_for_the_list(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    generate(tmp_path, SUBJECTS, SEED)
    entry = generate_annual_reports(tmp_path, SUBJECTS, SEED)
    assert (entry["kind"], entry["source"]) == ("annual_report", "necips")
    factory = SubjectFactory(SEED)
    made = [factory.make() for _ in range(SUBJECTS)]
    with (tmp_path / entry["path"]).open(encoding="utf-8", newline="") as fh:
        filed = {row["统一社会信用代码"]: row for row in csv.DictReader(fh)}
    bound = {s.uscc for s in made if owes_report(s)}
    # every report comes from a bound enterprise; most of them file, some never do
    assert set(filed) <= bound and len(filed) == entry["rows"]
    assert 0.85 * len(bound) <= len(filed) < len(bound)
    assert any(r["公示日期"] > f"{REPORT_YEAR + 1}-06-30" for r in filed.values())  # late ones
    assert any(not s.uscc.startswith("91") for s in made)  # others exist to be left alone

    ingest_files(
        engine, [tmp_path / "registry.csv"], source="samr", actor="t", hasher=hasher,
        kind="registry",
    )  # fmt: skip
    s = ingest_files(
        engine,
        [tmp_path / entry["path"]],
        source="necips",
        actor="t",
        hasher=hasher,
        kind="annual_report",
        today=REFERENCE_DATE,
    )
    assert (s.rows, s.accepted, s.quarantined) == (entry["rows"], entry["rows"], 0)

    run_derivation(engine, load_catalogue(), dt.date(REFERENCE_DATE.year, 11, 27), actor="t")
    with engine.connect() as conn:
        proposed = set(
            conn.execute(
                select(listings.c.subject_key).where(
                    listings.c.list_code == "samr.abnormal_operations",
                    listings.c.superseded_seq.is_(None),
                    listings.c.decision_no.like("DERIVED/%"),
                )
            ).scalars()
        )
    assert proposed == bound - set(filed)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    one = generate_annual_reports(tmp_path / "a", 200, SEED)
    two = generate_annual_reports(tmp_path / "b", 200, SEED)
    assert one == two
    assert (tmp_path / "a" / one["path"]).read_bytes() == (
        tmp_path / "b" / two["path"]
    ).read_bytes()
