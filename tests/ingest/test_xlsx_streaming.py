"""A large XLSX is streamed row by row (openpyxl, read-only) instead of loaded whole (calamine):
the clerk must not be able to tell. The same workbook read both ways gives the same tables, the
same row numbers and the same cell texts, whatever the cells hold and wherever the table starts."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.reader.strings import read_string_table
from sqlalchemy import Engine, select
from tests.factories import agency, make_uscc, subject

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files, xlsx_stream
from xinyong.ingest.readers import SheetRow, UnreadableFile, read_tables, streams
from xinyong.ingest.xlsx_stream import CompactStrings
from xinyong.store import apply
from xinyong.store.schema import quarantine

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


def _write(
    path: Path, top: int, left: int, title: bool, grid: list[list[object]], inline: bool = False
) -> None:
    # inline: strings inside the sheet (xlsxwriter's constant-memory mode), else a shared table
    book = xlsxwriter.Workbook(str(path), {"constant_memory": inline})
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
    inline=st.booleans(),
)
def test_a_streamed_sheet_reads_exactly_as_a_loaded_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    top: int,
    left: int,
    title: bool,
    grid: list[list[object]],
    inline: bool,
) -> None:
    path = tmp_path / "penalties.xlsx"
    _write(path, top, left, title, grid, inline)
    monkeypatch.delenv("XINYONG_XLSX_STREAM_MIB", raising=False)
    assert not streams(path)
    loaded = _read(path)
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")
    assert streams(path)
    streamed = _read(path)
    assert streamed == loaded
    # and the header was found where a person sees it: title row and blank rows counted, the
    # columns left of the table kept as the empty columns they are (as a CSV's would be)
    assert loaded[0][0] == "处罚"
    assert loaded[0][1][left : left + len(HEADERS)] == HEADERS
    assert loaded[0][1][:left] == [f"column {n}" for n in range(1, left + 1)]


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


# --- what real writers do that xlsxwriter's defaults do not (found in review) ------------------

ROW = ["杭州锦泰科技有限公司", "91330100MA2XXXXX0X", "杭罚〔2024〕1号", "2024-01-02", 3, "经查MARK"]
WIDE = [*HEADERS, "违法事实"]


def _book(path: Path, rows: int = 1, extra: Any = None) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("处罚")
    sheet.write_row(0, 0, WIDE)
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, [f"{ROW[0]}{i}", ROW[1], f"杭罚〔2024〕{i}号", *ROW[3:]])
    if extra:
        extra(book, sheet)
    book.close()
    return path


def _patch(path: Path, change: Any, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of the package, as another writer would have written it."""
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data.decode()).encode() if info.filename == member else data)
    out.replace(path)
    return path


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "100000")
    loaded = _read(path)
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")
    streamed = _read(path)
    assert streamed == loaded
    return loaded


def test_a_stale_dimension_loses_no_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Writers that record the dimension before the rows are known (POI's SXSSF, EasyExcel)
    path = _patch(
        _book(tmp_path / "a.xlsx", 100),
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:F11"/>', xml),
    )
    ((_, _, rows),) = _both(path, monkeypatch)
    assert len(rows) == 100


def test_error_cells_are_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(
        tmp_path / "a.xlsx", extra=lambda b, s: s.write_formula(1, 4, "=NA()", None, "#N/A")
    )
    ((_, _, rows),) = _both(path, monkeypatch)
    assert rows[0].cells["罚款金额（万元）"] == ""


def test_escaped_line_breaks_are_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _patch(
        _book(tmp_path / "a.xlsx"),
        lambda xml: xml.replace("经查MARK", "经查，_x000D_\n当事人_x005F_x000D_"),
        "xl/sharedStrings.xml",
    )
    ((_, _, rows),) = _both(path, monkeypatch)
    assert rows[0].cells["违法事实"] == "经查，\r\n当事人_x000D_"


def test_formatted_blank_cells_and_rows_add_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def formats(book: Any, sheet: Any) -> None:
        red = book.add_format({"bg_color": "red"})
        sheet.write_blank(1, 9, None, red)
        for row in range(5, 9):
            sheet.write_blank(row, 0, None, red)

    ((_, headers, rows),) = _both(_book(tmp_path / "a.xlsx", extra=formats), monkeypatch)
    assert headers == WIDE and len(rows) == 1


def test_a_sheet_without_dimension_starting_at_c2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("处罚")
    sheet.write_row(1, 2, WIDE)
    sheet.write_row(2, 2, ROW)
    book.close()
    _patch(path, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', "", xml))
    ((_, headers, rows),) = _both(path, monkeypatch)
    assert (headers[:2], headers[2:], rows[0].row) == (["column 1", "column 2"], WIDE, 3)


def test_a_chart_sheet_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def chart(book: Any, sheet: Any) -> None:
        charts = book.add_chartsheet("图表")
        drawn = book.add_chart({"type": "column"})
        drawn.add_series({"values": "=处罚!$E$2:$E$2"})
        charts.set_chart(drawn)

    tables = _both(_book(tmp_path / "a.xlsx", extra=chart), monkeypatch)
    assert [len(rows) for _, _, rows in tables] == [1]


def test_compact_shared_strings_read_as_openpyxl_reads_them() -> None:
    # rich-text runs joined, phonetic runs (<rPh>) left out, empty items kept in their place
    xml = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>杭州</t></si><si><r><t>锦</t></r><r><rPr/><t>泰</t></r></si>"
        "<si><t>东京</t><rPh sb='0' eb='2'><t>トウキョウ</t></rPh></si><si><t/></si>"
        "</sst>"
    ).encode()
    compact = CompactStrings(io.BytesIO(xml))
    assert [compact[i] for i in range(len(compact))] == read_string_table(io.BytesIO(xml))
    assert [compact[i] for i in range(len(compact))] == ["杭州", "锦泰", "东京", ""]


@pytest.mark.parametrize("stream", ["0", "100000"])
def test_a_table_away_from_a1_ingests_as_one_at_a1(
    engine: Engine, hasher: IdHasher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: str
) -> None:
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", stream)
    code = make_uscc("MA5CJQ4N")
    apply(engine, [agency(), subject(code, "杭州锦泰网络科技有限公司")], actor="test")
    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("处罚")
    sheet.write(1, 2, "2024年行政处罚信息公示")
    sheet.write_row(2, 2, [*HEADERS, "处罚类别", "处罚机关"])
    row = ["杭州锦泰网络科技有限公司", code, "杭市监罚〔2024〕1号", "2024-03-01", "2.5"]
    sheet.write_row(3, 2, [*row, "罚款", "杭州市市场监督管理局"])
    book.close()
    s = ingest_files(
        engine, [path], source="samr", actor="op", hasher=hasher, kind="penalty",
        today=dt.date(2026, 9, 30),
    )  # fmt: skip
    with engine.connect() as conn:
        reasons = conn.execute(select(quarantine.c.reasons)).scalars().all()
    assert (s.rows, s.accepted, reasons) == (1, 1, [])


# --- cells real agencies' workbooks hold that xlsxwriter does not write (second review) ------


def _cell_xml(path: Path, xml: str) -> Path:
    """Put `xml` in place of cell E2 (罚款金额（万元）of the first data row)."""
    return _patch(path, lambda sheet: re.sub(r'<c r="E2"[^>]*>.*?</c>', xml, sheet, count=1))


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ('<c r="E2"><v>abc</v></c>', "abc"),  # text in a number cell
        ('<c r="E2"><v>91330100MA2B3C4D5E</v></c>', "91330100MA2B3C4D5E"),  # a code "as number"
        ('<c r="E2" t="b"><v>true</v></c>', "1"),
        ('<c r="E2" t="b"><v>0</v></c>', "0"),
    ],
)
def test_an_odd_cell_reads_as_calamine_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, text: str
) -> None:
    path = _cell_xml(_book(tmp_path / "a.xlsx"), cell)
    ((_, _, rows),) = _both(path, monkeypatch)
    assert rows[0].cells["罚款金额（万元）"] == text


@pytest.mark.parametrize("builtin", [14, 22, 27, 31, 36, 50, 57, 58])
def test_built_in_date_formats_cjk_ones_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builtin: int
) -> None:
    # zh-CN Excel and WPS write 年月日 dates as built-in formats 27-36 and 50-58, undefined in
    # the file; calamine knows them as dates, openpyxl only up to 49.
    def dated(book: Any, sheet: Any) -> None:
        sheet.write_number(1, 3, 45292.5, book.add_format({"num_format": 14}))

    path = _book(tmp_path / "a.xlsx", extra=dated)
    path = _patch(
        path, lambda xml: xml.replace('numFmtId="14"', f'numFmtId="{builtin}"'), "xl/styles.xml"
    )
    ((_, _, rows),) = _both(path, monkeypatch)
    assert rows[0].cells["处罚决定日期"].startswith("2024-01-01")


def test_a_date_styled_number_no_date_can_hold_stays_the_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dated(book: Any, sheet: Any) -> None:
        sheet.write_number(1, 3, 3_000_000, book.add_format({"num_format": 14}))

    ((_, _, rows),) = _both(_book(tmp_path / "a.xlsx", extra=dated), monkeypatch)
    assert rows[0].cells["处罚决定日期"] == "3000000"


def test_a_strict_sheet_is_refused_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _patch(
        _book(tmp_path / "a.xlsx"),
        lambda xml: xml.replace(
            "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
    )
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")
    with pytest.raises(UnreadableFile, match="Strict Open XML sheet cannot be streamed"):
        _read(path)


def test_shared_strings_are_parsed_once_for_every_sheet_and_read(
    engine: Engine, hasher: IdHasher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[int] = []
    original = xlsx_stream.CompactStrings.__init__

    def counted(self: Any, source: Any) -> None:
        parses.append(1)
        original(self, source)

    monkeypatch.setattr(xlsx_stream.CompactStrings, "__init__", counted)
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")

    def three_sheets(book: Any, sheet: Any) -> None:
        for name in ("处罚二", "处罚三"):
            more = book.add_worksheet(name)
            more.write_row(0, 0, WIDE)
            more.write_row(1, 0, [f"{ROW[0]}{name}", ROW[1], f"杭罚〔2024〕{name}号", *ROW[3:]])

    path = _book(tmp_path / "a.xlsx", extra=three_sheets)
    tables = _read(path)
    assert [len(rows) for _, _, rows in tables] == [1, 1, 1] and len(parses) == 1
    ingest_files(engine, [path], source="samr", actor="op", hasher=hasher, kind="penalty")
    assert xlsx_stream._last_strings is None  # let go when the ingest ends
    assert len(parses) == 1  # the ingest's probes, reads and workers used the same table
    _read(path)
    assert len(parses) == 2  # parsed again once the ingest had let it go
