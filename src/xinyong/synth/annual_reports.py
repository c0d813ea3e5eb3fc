"""Synthetic annual reports (企业年度报告) of the generated enterprises, as NECIPS exports them.

The annual report duty of 企业信息公示暂行条例 binds enterprises (USCC 91…) that exist at the end
of the report year; each files between 1 January and 30 June of the next. Most do
(`ON_TIME`), some file late (`LATE`: after 30 June, before the reference date) and the rest never
do — the ones the abnormal operations list is for, so a demo registry shows that list derived
from missing filings, with notice first. About a quarter of filers choose not to publish their
figures (Art. 9 lets them), as on the real pages.

The subjects are made again from the same seed, as `listings.py` does, so the file matches the
registry `generate` wrote. One CSV, `annual_reports/necips.csv`, in the NECIPS headers of
docs/formats.md; no defects (the annual-report defect table is in the tests).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xinyong.synth.formats import wan
from xinyong.synth.subjects import REFERENCE_DATE, Subject, SubjectFactory

ANNUAL_HEADERS: tuple[str, ...] = (
    "企业名称", "统一社会信用代码", "报告年度", "公示日期", "企业通信地址", "邮政编码",
    "企业联系电话", "企业电子邮箱", "企业经营状态", "从业人数", "资产总额（万元）",
    "营业总收入（万元）", "纳税总额（万元）",
)  # fmt: skip
REPORT_YEAR = REFERENCE_DATE.year - 1
ON_TIME = 0.90  # share of bound enterprises filing by 30 June
LATE = 0.03  # filing after 30 June, before the reference date; the rest never file
WITHHOLD = 0.25  # filers who choose not to publish their figures
WITHHELD = "企业选择不公示"
ACTIVE = ("存续", "在业")
_ROADS = ("人民路", "解放路", "建设路", "中山路", "和平路", "新华路", "文化路", "长江路", "朝阳路")
_MAILBOXES = ("info", "service", "contact", "office", "admin", "hr")


def owes_report(subject: Subject, year: int = REPORT_YEAR) -> bool:
    """Whether the annual report duty binds this subject for `year`."""
    return (
        subject.uscc.startswith("91")
        and subject.status in ACTIVE
        and subject.established <= dt.date(year, 12, 31)
    )


def _filed_on(rng: random.Random, year: int) -> dt.date | None:
    draw = rng.random()
    opens, due = dt.date(year + 1, 1, 1), dt.date(year + 1, 6, 30)
    if draw < ON_TIME:
        # filings crowd towards the deadline, as they do on NECIPS
        span = (due - opens).days
        return opens + dt.timedelta(days=round(span * rng.triangular(0.0, 1.0, 0.9)))
    if draw < ON_TIME + LATE:
        span = (REFERENCE_DATE - due).days
        return due + dt.timedelta(days=rng.randint(1, span))
    return None


def report_row(rng: random.Random, subject: Subject, year: int = REPORT_YEAR) -> list[str] | None:
    """The subject's report for `year` as a row of ANNUAL_HEADERS; None when it owes none or
    never filed."""
    if not owes_report(subject, year):
        return None
    filed = _filed_on(rng, year)
    if filed is None:
        return None
    capital = float(subject.capital) if subject.capital else 50.0
    assets = capital * rng.uniform(0.3, 4.0)
    revenue = assets * rng.uniform(0.1, 2.5)
    figures = [
        str(max(1, round(rng.lognormvariate(2.3, 1.2)))),
        wan(round(assets * 10_000)),
        wan(round(revenue * 10_000)),
        wan(round(revenue * rng.uniform(0.005, 0.06) * 10_000)),
    ]
    if rng.random() < WITHHOLD:
        figures = [figures[0], WITHHELD, WITHHELD, WITHHELD]
    phone = (
        f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        if rng.random() < 0.5
        else f"0{rng.randint(20, 999)}-{rng.randint(20_000_000, 89_999_999)}"
    )
    status = "开业" if rng.random() < 0.95 else rng.choice(("歇业", "清算"))
    return [
        subject.name,
        subject.uscc,
        f"{year}年度",
        filed.isoformat(),
        f"{subject.region.full_name}{rng.choice(_ROADS)}{rng.randint(1, 999)}号",
        f"{rng.randint(10, 85):02d}{rng.randint(0, 9999):04d}",
        phone,
        f"{rng.choice(_MAILBOXES)}{rng.randint(1, 999)}@example.com",
        status,
        *figures,
    ]


def generate_annual_reports(
    out: Path, subjects: int, seed: int, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Write `annual_reports/necips.csv`; return its manifest entry {path, kind, source, rows}
    (also written to `annual_reports.json`, so a later run reuses the file)."""
    factory = SubjectFactory(seed)
    rng = random.Random(f"xinyong-annual-reports-{seed}")
    folder = Path(out) / "annual_reports"
    folder.mkdir(parents=True, exist_ok=True)
    rows = 0
    with (folder / "necips.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ANNUAL_HEADERS)
        for done in range(1, subjects + 1):
            row = report_row(rng, factory.make())
            if row is not None:
                writer.writerow(row)
                rows += 1
            if progress is not None and (done % 1000 == 0 or done == subjects):
                progress(done, subjects)
    entry = {
        "path": "annual_reports/necips.csv",
        "kind": "annual_report",
        "source": "necips",
        "rows": rows,
    }
    (Path(out) / "annual_reports.json").write_text(
        json.dumps(entry, indent=2) + "\n", encoding="utf-8"
    )
    return entry
