"""Properties of the parsers: they never crash on any input, and they lose nothing."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ingest.test_ingest_files import HEADERS

from xinyong.codes import IdHasher
from xinyong.ingest.mapping import header_key, load_mapping
from xinyong.ingest.readers import read_tables
from xinyong.ingest.rows import Draft, parse_record_row

HASHER = IdHasher(b"property-test-key-property-test-key")
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cells, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=8))
def test_csv_reader_returns_every_cell_as_written(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        [table] = read_tables(path)
        got = [[r.cells[h] for h in HEADERS] for r in table.rows()]
    assert got == [[c.strip() for c in row] for row in rows]


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries(dict.fromkeys(load_mapping("penalty").fields, cells)))
def test_any_penalty_row_gives_a_draft_or_reasons_never_an_exception(row: dict[str, str]) -> None:
    headers = {f: f for f in row}
    result = parse_record_row("penalty", row, headers, HASHER)
    assert isinstance(result, Draft) or (isinstance(result, list) and result)


@given(st.text(max_size=40))
def test_header_matching_key_is_idempotent(header: str) -> None:
    assert header_key(header_key(header)) == header_key(header)
