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
from typing import Any

from xinyong.catalogue import Catalogue, classify
from xinyong.codes import IdHasher, document_key, might_hold_id, redact_ids
from xinyong.ingest.fields import FieldError, parse_wan
from xinyong.ingest.rows import Draft, Reasons, _date, _get, _party

KIND = "annual_report"
FIRST_YEAR = 2013  # the first reports, for 2013, were filed in 2014 (企业信息公示暂行条例)
# An enterprise may choose not to publish some figures (Art. 9: assets, revenue, tax, employees).
WITHHELD = ("企业选择不公示", "选择不公示", "不公示")
_TEXT = ("address", "phone", "business_status", "website", "shareholders_contributions")
_AMOUNTS = ("total_assets_wan", "total_revenue_wan", "total_tax_wan")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def due_date(year: int) -> dt.date:
    """Reports for a year are due by 30 June of the next (Art. 8)."""
    return dt.date(year + 1, 6, 30)


def parse_annual_report_row(
    cells: dict[str, str],
    headers: dict[str, str],
    hasher: IdHasher,
    today: dt.date,
    catalogue: Catalogue | None = None,
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
    fields: dict[str, str] = {}
    for name in _TEXT:
        value = _get(cells, name)
        if value:
            fields[name] = redact_ids(value) if might_hold_id(value) else value
    postal = unicodedata.normalize("NFKC", _get(cells, "postal_code"))
    if postal and not re.fullmatch(r"\d{6}", postal):
        why.add("postal_code", f"{postal!r} is not a 6-digit postal code")
    elif postal:
        fields["postal_code"] = postal
    email = unicodedata.normalize("NFKC", _get(cells, "email"))
    if email and not _EMAIL.fullmatch(email):
        why.add("email", f"{email!r} is not an e-mail address")
    elif email:
        fields["email"] = email
    employees = unicodedata.normalize("NFKC", _get(cells, "employees")).replace(",", "")
    if employees in WITHHELD:
        fields["employees"] = WITHHELD[0]
    elif employees and not employees.isdigit():
        why.add("employees", f"{employees!r} is not a number of people (or 企业选择不公示)")
    elif employees:
        fields["employees"] = str(int(employees))
    for name in _AMOUNTS:
        raw = _get(cells, name)
        if raw in WITHHELD:
            fields[name] = WITHHELD[0]
            continue
        try:
            amount = parse_wan(raw)
        except FieldError as exc:
            why.add(name, f"{exc} (or 企业选择不公示)")
            continue
        if amount is not None:
            fields[name] = amount
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
    record_kind = catalogue.record_kind(KIND, filed) if catalogue is not None else None
    severity = classify(record_kind, dict(fields)) if record_kind is not None else None
    if severity is not None:
        payload["severity"] = severity.level
        payload["severity_rule"] = severity.because
    return Draft(subject, payload, doc_key=document_key(doc_no))


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
