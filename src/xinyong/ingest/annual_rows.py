"""One annual-report row to a draft record, or to every reason it cannot be used.

The same report as the portal files (`workflows.annual`), sent in bulk by the agency that keeps
them: one `annual_report` record per organisation and year, document number
``ANNUAL/<code>/<year>`` (so a report sent again is a duplicate, a changed one a correction, and
one sent by NECIPS meets the one its subject filed on the portal). A missing report is what the
abnormal-operations list tests, so a report the registry holds must be a real one: the year must
be over, the filing date after it and not in the future.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from xinyong.codes import (
    IdHasher,
    document_key,
    looks_like_ric,
    mask_id_like,
    might_hold_id,
    redact_ids,
)
from xinyong.ingest.fields import FieldError, parse_wan
from xinyong.ingest.rows import Draft, Reasons, _date, _get, _party

KIND = "annual_report"
FIRST_YEAR = 2013  # the first reports, for 2013, were filed in 2014 (企业信息公示暂行条例)
# An enterprise may choose not to publish some figures (Art. 9: assets, revenue, tax, employees).
WITHHELD = ("企业选择不公示", "选择不公示", "不公示")
SOURCE = "necips"  # 国家企业信用信息公示系统: where enterprises publish their own reports
SOURCE_NAME = "国家企业信用信息公示系统（企业自主公示）"
# What a report states (Art. 9, the parts the registry publishes); nothing else is accepted.
FIELDS = (
    "address",
    "postal_code",
    "phone",
    "email",
    "business_status",
    "employees",
    "website",
    "shareholders_contributions",
    "total_assets_wan",
    "total_revenue_wan",
    "total_tax_wan",
)
_NUMBERS = ("employees", "total_assets_wan", "total_revenue_wan", "total_tax_wan")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def due_date(year: int) -> dt.date:
    """Reports for a year are due by 30 June of the next (Art. 8)."""
    return dt.date(year + 1, 6, 30)


def parse_annual_report_row(
    cells: dict[str, str],
    headers: dict[str, str],
    hasher: IdHasher,
    today: dt.date,
    legacy: frozenset[str] = frozenset(),
) -> Draft | list[str]:
    why = Reasons(headers)
    if not _get(cells, "uscc"):
        why.add("uscc", "is required but empty")
    subject = _party(cells, why, hasher, legacy)
    if subject is not None and subject.kind != "organisation":
        why.add("uscc", "annual reports are filed by organisations, not natural persons")
    year = _year(_get(cells, "report_year"), today, why)
    filed = _date(cells, "filed_on", why, required=True)
    if filed is not None:
        if filed > today:
            why.add("filed_on", f"{filed} is in the future")
        elif year is not None and filed.year <= year:
            opens = f"{year + 1}-01-01"
            why.add("filed_on", f"{filed} is before the {year} report could be filed ({opens})")
    fields = report_fields({name: _get(cells, name) for name in FIELDS}, why.add)
    if why.items or subject is None or year is None or filed is None:
        return why.items
    late = filed > due_date(year)
    fields.update(year=str(year), late="yes" if late else "no")
    doc_no = f"ANNUAL/{subject.code}/{year}"
    payload: dict[str, Any] = {
        "record_kind": KIND,
        "doc_no": doc_no,
        "subject_key": subject.key,
        "party_name": subject.name,
        "decision_date": filed.isoformat(),
        "in_force_from": filed.isoformat(),
        "in_force_to": None,
        "authority": None,
        "legal_basis": None,
        "fields": fields,
        "severity": "none",
    }
    return Draft(subject, payload, doc_key=document_key(doc_no))


def report_fields(values: Mapping[str, Any], problem: Callable[[str, str], None]) -> dict[str, str]:
    """What a report states, checked and written the same way whether its subject files it on
    the portal or an agency sends it in a file (the same report by both ways is one record, not
    a correction). Every value is kept free of resident IDs: one pasted into the e-mail or
    contributions is masked; an ID-shaped number where a count or an amount belongs is refused.
    Empty values are left out."""
    fields: dict[str, str] = {}
    for name in FIELDS:
        raw = values.get(name)
        text = "" if raw is None else unicodedata.normalize("NFKC", str(raw)).strip()
        if not text:
            continue
        if name in _NUMBERS:
            value = _number(name, text, problem)
        elif name == "postal_code":
            value = text if re.fullmatch(r"\d{6}", text) else None
            if value is None:
                problem(name, f"{mask_id_like(repr(text))} is not a 6-digit postal code")
        elif name == "email":
            value = text if _EMAIL.fullmatch(text) else None
            if value is None:
                problem(name, f"{mask_id_like(repr(text))} is not an e-mail address")
        else:
            value = text
        if value is not None:
            fields[name] = redact_ids(value) if might_hold_id(value) else value
    return fields


def _number(name: str, text: str, problem: Callable[[str, str], None]) -> str | None:
    if text in WITHHELD:
        return WITHHELD[0]
    plain = text.replace(",", "")
    if looks_like_ric(plain):
        problem(name, "looks like a resident ID number, not a number the report states")
        return None
    if name == "employees":
        if not plain.isdigit():
            problem(name, f"{text!r} is not a number of people (or 企业选择不公示)")
            return None
        return str(int(plain))
    try:
        return parse_wan(text)
    except FieldError as exc:
        problem(name, f"{exc} (or 企业选择不公示)")
        return None


def _year(raw: str, today: dt.date, why: Reasons) -> int | None:
    text = unicodedata.normalize("NFKC", raw).strip().removesuffix("年度").removesuffix("年")
    if not text:
        why.add("report_year", "is required but empty")
        return None
    if not re.fullmatch(r"\d{4}", text):
        why.add("report_year", f"{raw!r} is not a year (use 2024 or 2024年度)")
        return None
    year = int(text)
    if year < FIRST_YEAR:
        why.add(
            "report_year",
            f"{year}: annual reports exist from {FIRST_YEAR} (企业信息公示暂行条例, in force "
            "2014-10-01)",
        )
        return None
    if year >= today.year:
        why.add("report_year", f"{year}: the {year} report can be filed from {year + 1}-01-01")
        return None
    return year
