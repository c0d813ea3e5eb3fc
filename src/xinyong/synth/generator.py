"""``generate``: a whole synthetic data set — registry, licences, penalties — and its manifest.

The output directory looks like what agencies hand the registry: ``registry.csv`` from market
regulation, then one licence file and one penalty file per source agency
(``licences/samr.csv``, ``penalties/mee.xlsx``, …), two of them spreadsheets so both formats are
always exercised, and ``manifest.json`` describing every file. With defects, files also vary the
way real submissions do (``FILE_VARIANTS``): a penalty CSV in GB18030, another in UTF-8 with a
BOM, one agency's penalties as JSON Lines instead of CSV, and a title row above the header of
every spreadsheet; each file's entry in the manifest says so. The same (subjects, seed,
defects) always gives byte-identical files: nothing reads the clock, and every random draw comes
from ``random.Random`` instances seeded from ``seed``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from xinyong.synth.agencies import AGENCIES, Agency
from xinyong.synth.defects import Defects, Layout, layout_for
from xinyong.synth.records import LICENCE_HEADERS, PENALTY_HEADERS, RecordKind, RecordMaker
from xinyong.synth.subjects import REFERENCE_DATE, Subject, SubjectFactory
from xinyong.synth.writers import Cell, FileFormat, Sink, open_sink

REGISTRY_HEADERS: tuple[str, ...] = (
    "统一社会信用代码", "企业名称", "曾用名", "英文名称", "法定代表人", "行政区划代码", "行业",
    "市场主体类型", "成立日期", "登记状态", "注册资本（万元）", "工商注册号",
)  # fmt: skip
FORMER_NAME_SEPARATOR = "；"

# Which agency files are spreadsheets; the rest are CSV.
XLSX_FILES: frozenset[tuple[RecordKind, str]] = frozenset({("penalty", "mee"), ("licence", "mot")})
# With defects: the format and encoding of some files, as agencies really send them.
FILE_VARIANTS: dict[tuple[RecordKind, str], tuple[FileFormat, str]] = {
    ("penalty", "samr"): ("csv", "utf-8-sig"),
    ("penalty", "sta"): ("csv", "gb18030"),
    ("penalty", "mem"): ("jsonl", "utf-8"),
}

REGISTRY_LAYOUT = layout_for(
    REGISTRY_HEADERS, "企业名称", "成立日期", ("成立日期",), "企业名称", "成立日期"
)
LICENCE_LAYOUT = layout_for(
    LICENCE_HEADERS,
    "行政相对人名称",
    "许可决定日期",
    ("许可决定日期", "有效期自", "有效期至"),
    "行政相对人名称",
    "行政许可决定文书号",
    "许可决定日期",
)
PENALTY_LAYOUT = layout_for(
    PENALTY_HEADERS,
    "行政相对人名称",
    "处罚决定日期",
    ("处罚决定日期", "处罚有效期", "公示截止期"),
    "行政相对人名称",
    "行政处罚决定书文号",
    "处罚决定日期",
)
_RECENT_ROWS = 32  # duplicates copy one of a file's last rows; bounds memory
_PROGRESS_EVERY = 1000

FileKind = Literal["registry", "licence", "penalty"]


@dataclass(frozen=True)
class GeneratedFile:
    """One file of a generated data set."""

    path: str  # relative to the output directory, with forward slashes
    kind: FileKind
    format: FileFormat
    source: str  # agency code
    rows: int  # data rows, header (and title) excluded, duplicates and corrections included
    encoding: str = "utf-8"  # of a text file: "utf-8", "utf-8-sig" (with BOM) or "gb18030"
    title_row: bool = False  # a spreadsheet with a title in A1, the header on row 2


@dataclass(frozen=True)
class Manifest:
    """What ``generate`` wrote, as ``manifest.json`` records it."""

    seed: int
    subjects: int
    reference_date: str
    defects: float
    agencies: list[dict[str, str]]
    files: list[GeneratedFile]
    defect_counts: dict[str, int]

    def to_json(self) -> str:
        """Sorted keys, two-space indent, Chinese left readable, trailing newline."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest back (as ingest does to find the files and their sources)."""
        data = json.loads(text)
        return cls(
            seed=int(data["seed"]),
            subjects=int(data["subjects"]),
            reference_date=str(data["reference_date"]),
            defects=float(data["defects"]),
            agencies=[{str(k): str(v) for k, v in agency.items()} for agency in data["agencies"]],
            files=[
                GeneratedFile(
                    path=str(entry["path"]),
                    kind=entry["kind"],
                    format=entry["format"],
                    source=str(entry["source"]),
                    rows=int(entry["rows"]),
                    encoding=str(entry.get("encoding", "utf-8")),  # absent before these existed
                    title_row=bool(entry.get("title_row", False)),
                )
                for entry in data["files"]
            ],
            defect_counts={str(k): int(v) for k, v in data["defect_counts"].items()},
        )


class _Written:
    """A row as written, and whether a correction may copy it (valid, with a document number)."""

    __slots__ = ("cells", "correctable")

    def __init__(self, cells: list[Cell], correctable: bool) -> None:
        self.cells = cells
        self.correctable = correctable


class _OutFile:
    """One output file: its sink, its defect layout, and its last rows for duplicates."""

    def __init__(
        self, root: Path, entry: GeneratedFile, headers: tuple[str, ...], layout: Layout
    ) -> None:
        self.entry = entry
        self.layout = layout
        self.rows = 0
        self._xlsx = entry.format == "xlsx"
        title = _title(entry) if entry.title_row else None
        self.sink: Sink = open_sink(
            root / entry.path, headers, entry.format, _SHEETS[entry.kind], entry.encoding, title
        )
        self._recent: deque[_Written] = deque(maxlen=_RECENT_ROWS)

    def write(self, row: list[str], defects: Defects, current_name: str | None = None) -> None:
        damaged, valid = defects.damage(row, self.layout, self._xlsx, current_name)
        self.sink.write(damaged)
        self._recent.append(_Written(damaged, valid and self.layout.document is not None))
        self.rows += 1
        if defects.duplicate():
            self.sink.write(defects.rng.choice(self._recent).cells)
            self.rows += 1
        pick = defects.correction(self.layout)
        if pick is not None:
            candidates = [written for written in self._recent if written.correctable]
            if candidates:
                chosen = candidates[int(pick * len(candidates))]
                fixed = defects.corrected(chosen.cells, self.layout)
                self.sink.write(fixed)
                self.rows += 1
                # The new version takes the old one's place: a later duplicate copies it, never
                # the old version (which would be a correction back), and it is not corrected
                # again. The number of recent rows stays as it was for the duplicates' draws.
                self._recent[self._recent.index(chosen)] = _Written(fixed, False)


_SHEETS: dict[FileKind, str] = {
    "registry": "登记信息",
    "licence": "行政许可",
    "penalty": "行政处罚",
}


def _title(entry: GeneratedFile) -> str:
    """The title a clerk types above the header: 2026年行政处罚信息公示（生态环境部）."""
    agency = next(agency.name for agency in AGENCIES if agency.code == entry.source)
    what = {"registry": "市场主体登记", "licence": "行政许可", "penalty": "行政处罚"}[entry.kind]
    return f"{REFERENCE_DATE.year}年{what}信息公示（{agency}）"


def registry_row(subject: Subject) -> list[str]:
    """A subject as a row of ``registry.csv``."""
    return [
        subject.uscc,
        subject.name,
        FORMER_NAME_SEPARATOR.join(subject.former_names),
        subject.english_name,
        subject.legal_rep,
        subject.region.code,
        subject.industry.name,
        subject.kind,
        subject.established.isoformat(),
        subject.status,
        subject.capital,
        subject.registration_no,
    ]


def _entries(variants: bool) -> list[tuple[GeneratedFile, tuple[str, ...], Layout]]:
    entries = [
        (
            GeneratedFile("registry.csv", "registry", "csv", "samr", 0),
            REGISTRY_HEADERS,
            REGISTRY_LAYOUT,
        )
    ]
    kinds: tuple[tuple[RecordKind, str, tuple[str, ...], Layout], ...] = (
        ("licence", "licences", LICENCE_HEADERS, LICENCE_LAYOUT),
        ("penalty", "penalties", PENALTY_HEADERS, PENALTY_LAYOUT),
    )
    for kind, folder, headers, layout in kinds:
        for agency in AGENCIES:
            entries.append((_entry(kind, folder, agency, variants), headers, layout))
    return entries


def _entry(kind: RecordKind, folder: str, agency: Agency, variants: bool) -> GeneratedFile:
    fmt: FileFormat = "xlsx" if (kind, agency.code) in XLSX_FILES else "csv"
    encoding = "utf-8"
    if variants:
        fmt, encoding = FILE_VARIANTS.get((kind, agency.code), (fmt, encoding))
    path = f"{folder}/{agency.code}.{fmt}"
    return GeneratedFile(path, kind, fmt, agency.code, 0, encoding, variants and fmt == "xlsx")


def generate(
    out: Path,
    subjects: int,
    seed: int,
    defects: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Write a synthetic data set of ``subjects`` organisations and their records under ``out``.

    ``defects`` is the share of rows damaged per defect kind (0 leaves every row valid, and every
    file plain: UTF-8 CSV or XLSX with the header on the first row).
    ``progress`` is called with (subjects done, subjects) every thousand subjects and at the end.
    """
    if subjects < 1:
        raise ValueError("generate at least one subject")
    damage = Defects(seed, defects)
    factory = SubjectFactory(seed)
    maker = RecordMaker(seed)
    out = Path(out)
    (out / "licences").mkdir(parents=True, exist_ok=True)
    (out / "penalties").mkdir(parents=True, exist_ok=True)

    with ExitStack() as stack:
        files: list[_OutFile] = []
        for entry, headers, layout in _entries(defects > 0):
            out_file = _OutFile(out, entry, headers, layout)
            stack.callback(out_file.sink.close)
            files.append(out_file)
        registry = files[0]
        by_source = {(f.entry.kind, f.entry.source): f for f in files[1:]}
        for done in range(1, subjects + 1):
            subject = factory.make()
            registry.write(registry_row(subject), damage)
            for record in maker.for_subject(subject):
                by_source[(record.kind, record.agency)].write(record.row, damage, subject.name)
            for record in maker.for_persons():
                by_source[(record.kind, record.agency)].write(record.row, damage)
            if progress is not None and (done % _PROGRESS_EVERY == 0 or done == subjects):
                progress(done, subjects)

    manifest = Manifest(
        seed=seed,
        subjects=subjects,
        reference_date=REFERENCE_DATE.isoformat(),
        defects=defects,
        agencies=[{"code": agency.code, "name": agency.name} for agency in AGENCIES],
        files=[replace(f.entry, rows=f.rows) for f in files],
        defect_counts=dict(damage.counts),
    )
    (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest
