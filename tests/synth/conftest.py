"""Generated data sets shared by the synth tests: each is made once per session, small and fast."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from xinyong.synth import GeneratedFile, Manifest, generate

SUBJECTS = 1500
SEED = 7
HEAVY_SUBJECTS = 400
HEAVY_RATE = 0.3

Rows = list[list[object]]
Run = tuple[Path, Manifest]


def read_rows(path: Path, encoding: str = "utf-8", title_row: bool = False) -> Rows:
    """Every row of a CSV, XLSX or JSON Lines file, header first, as ingest would see them.

    CSV is decoded with ``encoding`` (the manifest's); a JSON Lines file's header is the keys of
    its objects, which must all be the same, with string values; ``title_row`` skips the first
    row of a sheet.
    """
    if path.suffix == ".csv":
        with path.open(encoding=encoding, newline="") as handle:
            return [list(row) for row in csv.reader(handle)]
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8", newline="") as handle:
            objects = [json.loads(line) for line in handle]
        header = list(objects[0])
        for record in objects:
            assert list(record) == header and all(isinstance(v, str) for v in record.values())
        return [header, *(list(record.values()) for record in objects)]
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows: Rows = [list(row) for row in sheet.to_python()]
    return rows[1:] if title_row else rows


def read_entry(root: Path, entry: GeneratedFile) -> Rows:
    """The rows of a manifest's file, read as its entry says (encoding, title row)."""
    return read_rows(root / entry.path, entry.encoding, entry.title_row)


@pytest.fixture(scope="session")
def rows_of() -> Callable[[Path], Rows]:
    """The file reader, for tests (plain files: UTF-8, no title row)."""
    return read_rows


@pytest.fixture(scope="session")
def entry_rows() -> Callable[[Path, GeneratedFile], Rows]:
    """The reader of a manifest's files, for tests."""
    return read_entry


def _run(root: Path, subjects: int, seed: int, defects: float) -> Run:
    manifest = generate(root, subjects, seed, defects)
    return root, manifest


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A clean data set: every row valid."""
    return _run(tmp_path_factory.mktemp("clean"), SUBJECTS, SEED, 0.0)


@pytest.fixture(scope="session")
def clean_run_again(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The same parameters again, elsewhere: must be byte-identical."""
    return _run(tmp_path_factory.mktemp("again"), SUBJECTS, SEED, 0.0)


@pytest.fixture(scope="session")
def defective_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The same seed with 5% of rows damaged per defect kind."""
    return _run(tmp_path_factory.mktemp("defective"), SUBJECTS, SEED, 0.05)


@pytest.fixture(scope="session")
def defective_run_again(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The defective run repeated: defects must be deterministic too."""
    return _run(tmp_path_factory.mktemp("defective-again"), SUBJECTS, SEED, 0.05)


@pytest.fixture(scope="session")
def small_clean_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A smaller clean data set, the base of the heavily damaged one."""
    return _run(tmp_path_factory.mktemp("small-clean"), HEAVY_SUBJECTS, SEED, 0.0)


@pytest.fixture(scope="session")
def heavy_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The small set with 30% per kind: many rows carry several defects, none may mask another."""
    return _run(tmp_path_factory.mktemp("heavy"), HEAVY_SUBJECTS, SEED, HEAVY_RATE)
