"""A large XLSX is streamed row by row (openpyxl, read-only) instead of loaded whole (calamine):
the clerk must not be able to tell. The same workbook read both ways gives the same tables, the
same row numbers and the same cell texts, whatever the cells hold and wherever the table starts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinyong.ingest.readers import SheetRow, read_tables, streams

HEADERS = [
    "行政相对人名称",
    "统一社会信用代码",
    "行政处罚决定书文号",
    "处罚决定日期",
    "罚款金额（万元）",
]
# Spreadsheet date-times carry no zone: naive on purpose.
EARLIEST = dt.datetime(1950, 1, 1)  # noqa: DTZ001
LATEST = dt.datetime(2049, 12, 31)  # noqa: DTZ001

# What agencies' cells hold: text (CJK, with spaces to strip), whole and fractional numbers,
# dates and date-times, booleans, and nothing at all.
cells = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("杭州锦泰科技有限公司〔〕号 （）abcXYZ0123-.,"), max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda f: round(f, 4)),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2049, 12, 31)),
    st.datetimes(min_value=EARLIEST, max_value=LATEST).map(lambda d: d.replace(microsecond=0)),
    st.booleans(),
)
grids = st.lists(st.lists(cells, max_size=len(HEADERS) + 2), max_size=12)


def _write(path: Path, top: int, left: int, title: bool, grid: list[list[object]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    times = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = book.add_worksheet("处罚")
    row = top
    if title:
        sheet.write(row, left, "2024年行政处罚信息公示")
        row += 1
    sheet.write_row(row, left, HEADERS)
    for values in grid:
        row += 1
        for col, value in enumerate(values, start=left):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(row, col, value, times)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), dates)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
    notes = book.add_worksheet("说明")  # a notes sheet without a header row is passed over
    notes.write(0, 0, "填表说明")
    book.close()


def _read(path: Path) -> list[tuple[str | None, list[str], list[SheetRow]]]:
    return [(t.sheet, t.headers, list(t.rows())) for t in read_tables(path)]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    top=st.integers(min_value=0, max_value=3),
    left=st.integers(min_value=0, max_value=2),
    title=st.booleans(),
    grid=grids,
)
def test_a_streamed_sheet_reads_exactly_as_a_loaded_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    top: int,
    left: int,
    title: bool,
    grid: list[list[object]],
) -> None:
    path = tmp_path / "penalties.xlsx"
    _write(path, top, left, title, grid)
    monkeypatch.delenv("XINYONG_XLSX_STREAM_MIB", raising=False)
    assert not streams(path)
    loaded = _read(path)
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")
    assert streams(path)
    streamed = _read(path)
    assert streamed == loaded
    # and the header was found where a person sees it: title row and blank rows counted
    assert loaded[0][0] == "处罚"
    assert loaded[0][1][: len(HEADERS)] == HEADERS


def test_the_line_between_loading_and_streaming_is_the_sheet_xml_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.xlsx"
    _write(path, 0, 0, True, [["杭州锦泰科技有限公司", None, "杭市监罚〔2024〕1号"]] * 3000)
    monkeypatch.delenv("XINYONG_XLSX_STREAM_MIB", raising=False)
    assert not streams(path)  # a few hundred kB of XML: calamine
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")
    assert streams(path)
    csv_file = tmp_path / "p.csv"
    csv_file.write_text("a\n", encoding="utf-8")
    assert not streams(csv_file)  # only XLSX/XLSM stream; XLS is bounded by its format
