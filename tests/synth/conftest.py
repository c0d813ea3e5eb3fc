"""Generated data sets shared by the synth tests: each is made once per session, small and fast."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from xinyong.synth import Manifest, generate

SUBJECTS = 1500
SEED = 7

Rows = list[list[object]]


def read_rows(path: Path) -> Rows:
    """Every row of a CSV or XLSX file, header first, as ingest would see them."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [list(row) for row in csv.reader(handle)]
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return [list(row) for row in sheet.to_python()]


@pytest.fixture(scope="session")
def rows_of() -> Callable[[Path], Rows]:
    """The file reader, for tests."""
    return read_rows


def _run(root: Path, subjects: int, seed: int, defects: float) -> tuple[Path, Manifest]:
    manifest = generate(root, subjects, seed, defects)
    return root, manifest


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """A clean data set: every row valid."""
    return _run(tmp_path_factory.mktemp("clean"), SUBJECTS, SEED, 0.0)


@pytest.fixture(scope="session")
def clean_run_again(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """The same parameters again, elsewhere: must be byte-identical."""
    return _run(tmp_path_factory.mktemp("again"), SUBJECTS, SEED, 0.0)


@pytest.fixture(scope="session")
def defective_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """The same seed with 5% of rows damaged per defect kind."""
    return _run(tmp_path_factory.mktemp("defective"), SUBJECTS, SEED, 0.05)


@pytest.fixture(scope="session")
def defective_run_again(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """The defective run repeated: defects must be deterministic too."""
    return _run(tmp_path_factory.mktemp("defective-again"), SUBJECTS, SEED, 0.05)
