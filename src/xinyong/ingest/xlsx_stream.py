"""Large XLSX sheets, row by row in bounded memory.

python-calamine reads a whole sheet into memory (about 2.3 bytes per byte of sheet XML: 3.3 GiB
for a million penalty rows) and cannot stream. openpyxl's read-only mode streams the sheet XML,
but two of its habits do not suit an ingest that must read a file exactly as calamine does:

- its row iterator trusts the sheet's recorded ``<dimension>``, which writers that record it
  before the rows are known get wrong (rows past it are dropped without a word);
- it keeps every shared string as a Python object in a list and a dict (1.3 GiB for a million
  rows of distinct texts, as Excel and WPS save them).

So this module uses openpyxl for what it does well — the package, the workbook's sheets, the
styles that say which numbers are dates, and ``WorkSheetParser`` for cells — and reads the rows
itself: from row 1, every row in the XML whatever the dimension says, each cell at its absolute
column; error cells empty (as calamine gives them); shared strings in one UTF-8 buffer with an
offset table (`CompactStrings`: about the size of the text itself). The private openpyxl pieces
it touches (``ExcelReader.read_strings``, ``ReadOnlyWorksheet._get_source``, the workbook's date
styles) are those of the pinned openpyxl 3.1; tests/ingest/test_xlsx_streaming.py holds them to
calamine's reading.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number  # type: ignore[attr-defined]
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"
_ROW = f"{{{SHEET_MAIN_NS}}}row"
_IS = f"{{{SHEET_MAIN_NS}}}is"
_V = f"{{{SHEET_MAIN_NS}}}v"
_STRICT = b"purl.oclc.org/ooxml/spreadsheetml/main"
_CJK_DATE_FORMATS = frozenset((*range(27, 37), *range(50, 59)))
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")


class CompactStrings:
    """A shared-string table as one UTF-8 buffer and an offset per string."""

    def __init__(self, source: IO[bytes]) -> None:
        self._text = bytearray()
        self._ends = array("Q")
        for _, node in _iterparse(source, _SI):
            self._text += _unescaped(_string_item(node)).encode("utf-8")
            self._ends.append(len(self._text))
            _drop(node)

    def __len__(self) -> int:
        return len(self._ends)

    def release(self) -> None:
        """Free the text now: openpyxl's workbook is a web of cycles that only the cycle
        collector would free, and two tables would be held for a while."""
        self._text = bytearray()
        self._ends = array("Q")

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError(f"no shared string {index} (the table has {len(self._ends)})")
        start = self._ends[index - 1] if index else 0
        return self._text[start : self._ends[index]].decode("utf-8")


def _string_item(node: Any) -> str:
    """An <si>'s text: its <t>, or its rich-text runs' <t>s; phonetic runs (<rPh>) left out."""
    parts = []
    for child in node:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child.iter(_T))
    return "".join(parts)


# The shared strings of the last workbook streamed, by (path, size, mtime): an ingest probes each
# sheet and then reads it, and its parse workers are forked from the writer, so without this
# one table would be parsed once per sheet and again per read (10 s each at a million strings).
# One table at most is kept; `forget` lets it go (the pipeline calls it when an ingest ends).
_last_strings: tuple[tuple[str, int, int], CompactStrings] | None = None


def forget() -> None:
    """Drop the shared-string table kept from the last workbook streamed."""
    global _last_strings
    if _last_strings is not None:
        _last_strings[1].release()
    _last_strings = None


def _strings_of(path: str, archive: zipfile.ZipFile, part: str) -> CompactStrings:
    global _last_strings
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if _last_strings is None or _last_strings[0] != key:
        forget()
        with archive.open(part) as source:
            _last_strings = (key, CompactStrings(source))
    return _last_strings[1]


class _Reader(ExcelReader):
    """openpyxl's package reader, with the shared strings compact (or not read at all)."""

    def __init__(self, path: str, strings: bool) -> None:
        super().__init__(path, read_only=True, data_only=True, keep_links=False)
        self._path = path
        self._with_strings = strings

    def read_strings(self) -> None:
        found = self.package.find(SHARED_STRINGS)  # type: ignore[no-untyped-call]
        self.strings_part = found.PartName[1:] if found is not None else None
        if self.strings_part is not None and self._with_strings:
            strings = _strings_of(self._path, self.archive, self.strings_part)
            self.shared_strings = strings  # type: ignore[assignment]


@contextmanager
def _workbook(path: str, strings: bool = True) -> Iterator[Any]:
    with zipfile.ZipFile(path) as archive:
        if "xl/workbook.xml" in archive.namelist() and _STRICT in archive.read("xl/workbook.xml"):
            raise ValueError(
                "a Strict Open XML workbook cannot be streamed: save it as an Excel Workbook "
                "(.xlsx) or as CSV"
            )
    with warnings.catch_warnings():
        # "Workbook contains no default style" and the like: nothing a clerk can act on
        warnings.simplefilter("ignore", UserWarning)
        reader = _Reader(path, strings)
        reader.read()
    book: Any = reader.wb  # its private parts below are openpyxl 3.1's
    book._strings_part = reader.strings_part
    # Excel's built-in number formats 27-36 and 50-58 are the CJK date formats (yyyy"年"m"月"d"日"
    # and kin), which zh-CN Excel and WPS use without defining them; openpyxl knows ids 0-49
    # only, calamine knows them all.
    for index, style in enumerate(book._cell_styles):
        if style.numFmtId in _CJK_DATE_FORMATS:
            book._date_formats.add(index)
    try:
        yield book
    finally:
        reader.wb.close()


def sheet_rows(path: str, sheet: str) -> Iterator[list[Any]]:
    """The sheet's rows from row 1, blank rows in place, each a list of cell values indexed by
    absolute column (A = 0); error cells are None. A sheet that is not a worksheet (a chart
    sheet) has no rows."""
    with _workbook(path) as book:
        if not isinstance(book[sheet], ReadOnlyWorksheet):
            return
        worksheet: Any = book[sheet]  # the private parts below are openpyxl 3.1's
        with worksheet._get_source() as head:
            if _STRICT in head.read(2048):  # a strict sheet in a transitional workbook
                raise ValueError(
                    "a Strict Open XML sheet cannot be streamed: save the workbook as an Excel "
                    "Workbook (.xlsx) or as CSV"
                )
        with worksheet._get_source() as source, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # dates out of range become errors
            parser = WorkSheetParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            expected = 1
            for number, cells in _parsed_rows(source, parser):
                while expected < number:  # rows the XML leaves out are blank
                    expected += 1
                    yield []
                row: list[Any] = []
                for cell in cells:
                    value = cell["value"]
                    if value is None or cell["data_type"] == "e":
                        continue
                    column = cell["column"] - 1
                    if column >= len(row):
                        row.extend([None] * (column + 1 - len(row)))
                    row[column] = value
                expected = number + 1
                yield row


def _parsed_rows(source: IO[bytes], parser: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(row number, cells) of each <row>, cells parsed by openpyxl's own `parse_cell` (number
    formats, dates, shared strings). Unlike `WorkSheetParser.parse`, every row is dropped from
    the tree once read, and no per-row attributes are kept: memory stays flat."""
    number = 0
    for _, node in _iterparse(source, _ROW):
        given = node.get("r")
        number = int(float(given)) if given else number + 1
        parser.row_counter, parser.col_counter = number, 0
        yield number, [_cell(parser, cell) for cell in node]
        _drop(node)


def _cell(parser: Any, element: Any) -> dict[str, Any]:
    """One <c>, as calamine reads it. Inline strings and booleans are read here (openpyxl's
    descriptor-built Text objects cost two thirds of the reading time of a sheet of inline
    strings), anything else by `parse_cell`; a cell `parse_cell` cannot take (text in a number
    cell, a code stored as a number) keeps its text instead of failing the whole sheet, and a
    date-styled number outside the date range stays the number."""
    kind = element.get("t")
    if kind == "inlineStr":
        _next_column(parser, element)
        inline = element.find(_IS)
        value = _unescaped(_string_item(inline)) if inline is not None else None
        return {"column": parser.col_counter, "value": value, "data_type": "s"}
    if kind == "b":
        _next_column(parser, element)
        raw = (element.findtext(_V) or "").strip().lower()
        truth = None if not raw else raw not in ("0", "false")
        return {"column": parser.col_counter, "value": truth, "data_type": "b"}
    try:
        cell = dict(parser.parse_cell(element))
    except (ValueError, TypeError, IndexError, OverflowError):
        return {"column": parser.col_counter, "value": element.findtext(_V), "data_type": "s"}
    if cell["data_type"] == "e" and kind != "e":  # a date style on a number no date can hold
        cell["value"], cell["data_type"] = _cast_number(element.findtext(_V)), "n"
    return cell


def _next_column(parser: Any, element: Any) -> None:
    coordinate = element.get("r")
    if coordinate:
        parser.col_counter = coordinate_to_tuple(coordinate)[1]
    else:
        parser.col_counter += 1


def _iterparse(source: IO[bytes], tag: str) -> Any:
    """The `tag` elements of an XML part as they end. Agency files are not trusted: entities
    are never resolved (no entity-expansion bombs), nothing is fetched, no huge-tree mode."""
    return etree.iterparse(
        source, events=("end",), tag=tag, resolve_entities=False, no_network=True, huge_tree=False
    )


def _drop(node: Any) -> None:
    """Free an element read and the siblings read before it (lxml keeps them in the tree)."""
    node.clear()
    parent = node.getparent()
    if parent is not None:
        while node.getprevious() is not None:
            del parent[0]


def _unescaped(text: str) -> str:
    """A string cell's text with Excel's _xHHHH_ escapes decoded (only strings carry them)."""
    return _ESCAPE.sub(_unescape, text) if "_x" in text else text


def _unescape(match: re.Match[str]) -> str:
    """Excel's _xHHHH_ escape (a carriage return is _x000D_), as calamine decodes it."""
    return chr(int(match.group(1), 16))


def sheet_names(path: str) -> list[str]:
    """The workbook's sheets, in order, without reading a string or a cell."""
    with _workbook(path, strings=False) as book:
        return list(book.sheetnames)


def recorded_rows(path: str, sheet: str) -> int | None:
    """The last row the sheet's <dimension> records (cheap: no strings, no cells), or None."""
    with _workbook(path, strings=False) as book:
        if not isinstance(book[sheet], ReadOnlyWorksheet):
            return None
        worksheet: Any = book[sheet]
        with worksheet._get_source() as source:
            head = source.read(4096)
    found = _DIMENSION.search(head)
    return int(found.group(1)) if found else None


def unpacked_bytes(path: str) -> int:
    """What calamine would hold of this workbook, by its parts' unpacked sizes: the largest
    sheet's XML plus the shared-string table (kept whole by any reader). The parts are found
    through the workbook's relationships, wherever the writer put them."""
    with _workbook(path, strings=False) as book, zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        parts: list[Any] = [ws for ws in book.worksheets if isinstance(ws, ReadOnlyWorksheet)]
        sheets = [sizes.get(ws._worksheet_path, 0) for ws in parts]
        strings = sizes.get(book._strings_part or "", 0)
    return max(sheets, default=0) + strings
