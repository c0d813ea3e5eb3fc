"""One file row to one draft change, or to every reason it cannot be used.

Parsing never touches the database: it turns cells into typed values and collects *all* reasons a
row fails (a clerk fixing a row wants the whole list, not the first complaint). Resolution against
the registry happens in `pipeline`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xinyong.catalogue import Catalogue, classify
from xinyong.codes import (
    CodeError,
    IdHasher,
    display_name,
    document_key,
    looks_like_ric,
    mask_id_like,
    mask_ric,
    might_hold_id,
    normalise_code,
    org_code_expected_check,
    redact_ids,
    validate_ric,
    validate_uscc,
)
from xinyong.ingest.fields import FieldError, parse_date, parse_party_category, parse_wan
from xinyong.timeutil import today_cst

PLACEHOLDER_CODES = {"00000000000000000X", "000000000000000000"}
STATUS = {
    "存续": "active",
    "在业": "active",
    "开业": "active",
    "在营": "active",
    "吊销": "revoked",
    "吊销，未注销": "revoked",
    "注销": "cancelled",
    "撤销": "cancelled",
}
# SAMR Order No. 45: penalties stay public for three years unless the file says otherwise.
DEFAULT_PENALTY_PUBLICITY_YEARS = 3


@dataclass(frozen=True, slots=True)
class SubjectRef:
    key: str  # empty when the row names no valid code: resolved later by org_code or name
    kind: str  # organisation | person
    code: str  # public form: USCC or masked resident ID
    name: str
    org_code: str | None = None  # GB 11714 code given instead of a USCC

    @property
    def resolved(self) -> bool:
        return bool(self.key)


@dataclass
class Draft:
    """A parsed row: the subject it is about and the payload of the change it asks for."""

    subject: SubjectRef
    payload: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    # Set by `parsing.prevalidate` in a worker when the row's record.added change validated:
    # its canonical journal JSON, so the single writer need not serialise it again. Plain data
    # on purpose: pickling pydantic models between processes costs more than validating twice.
    journal_json: str | None = None
    validated: dict[str, Any] | None = None  # the source and origin that JSON was made for
    prepared: Any = None  # and the change's projection row, made from the same validated model
    doc_key: str | None = None  # a record's document key (`codes.document_key` of its doc_no)

    def __reduce__(self) -> tuple[Any, ...]:
        # Drafts cross from parse workers to the writer by the thousand: a flat tuple unpickles
        # in a fraction of the time a dataclass's state dictionary takes.
        s = self.subject
        return (
            _draft,
            (
                s.key,
                s.kind,
                s.code,
                s.name,
                s.org_code,
                self.payload,
                self.reasons,
                self.journal_json,
                self.validated,
                self.prepared,
                self.doc_key,
            ),
        )


def _draft(
    key: str,
    kind: str,
    code: str,
    name: str,
    org_code: str | None,
    payload: dict[str, Any],
    reasons: list[str],
    journal_json: str | None,
    validated: dict[str, Any] | None,
    prepared: Any,
    doc_key: str | None,
) -> Draft:
    subject = SubjectRef(key, kind, code, name, org_code)
    return Draft(subject, payload, reasons, journal_json, validated, prepared, doc_key)


class Reasons:
    """Collects reasons naming the column as the file wrote it and the canonical field."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.header_of = {f: h for h, f in headers.items()}
        self.items: list[str] = []

    def add(self, field_name: str, message: str) -> None:
        header = self.header_of.get(field_name)
        where = f"{header} ({field_name})" if header and header != field_name else field_name
        self.items.append(f"{where}: {message}")


def _get(cells: dict[str, str], field_name: str) -> str:
    return cells.get(field_name, "").strip()


def _date(cells: dict[str, str], name: str, why: Reasons, required: bool) -> dt.date | None:
    raw = _get(cells, name)
    if not raw:
        if required:
            why.add(name, "is required but empty")
        return None
    try:
        return parse_date(raw)
    except FieldError as exc:
        why.add(name, str(exc))
        return None


def _code(fn: Callable[[str], str], raw: str, name: str, why: Reasons) -> str | None:
    try:
        return fn(raw)
    except CodeError as exc:
        # Anything shaped like a resident ID is personal data even when it is wrong: reasons show
        # it masked, and never the birth date, which with the masked form would rebuild it.
        for reason in exc.reasons:
            if exc.kind == "ric":
                reason = _BIRTH_DATE.sub("********", reason)
            why.add(name, mask_id_like(f"{raw!r}: {reason}"))
        return None


_BIRTH_DATE = re.compile(r"\b\d{8}\b")


@functools.lru_cache(maxsize=1 << 16)
def cached_uscc(raw: str) -> str:
    """`validate_uscc`, remembered: one subject's code recurs on every row about it, and the
    check-character arithmetic is the costliest step of a row. Failures are not cached (an
    exception is raised anew), so every bad row still gets its reasons."""
    return validate_uscc(raw)


def parse_registry_row(
    cells: dict[str, str], headers: dict[str, str], legacy: frozenset[str] = frozenset()
) -> Draft | list[str]:
    why = Reasons(headers)
    raw_code = _get(cells, "uscc")
    if raw_code and normalise_code(raw_code) in legacy:  # accepted by an officer as issued
        code: str | None = normalise_code(raw_code)
    else:
        code = _code(validate_uscc, raw_code, "uscc", why) if raw_code else None
    if not raw_code:
        why.add("uscc", "is required but empty")
    name = display_name(_get(cells, "name"))
    if not name:
        why.add("name", "is required but empty")
    registered_on = _date(cells, "registered_on", why, required=False)
    capital = None
    try:
        capital = parse_wan(_get(cells, "registered_capital_wan"))
    except FieldError as exc:
        why.add("registered_capital_wan", str(exc))
    region = _get(cells, "region_code")
    if region and not re.fullmatch(r"\d{6}", region):
        why.add("region_code", f"{region!r} is not a 6-digit administrative division code")
    status_text = _get(cells, "status")
    reg_no = normalise_code(_get(cells, "registration_no"))
    if reg_no and not re.fullmatch(r"\d{13}|\d{15}", reg_no):
        why.add("registration_no", f"{reg_no!r} is not a 13- or 15-digit registration number")
    if why.items or code is None:
        return why.items
    names = [{"name": name, "type": "current"}]
    for former in re.split(r"[；;、]", _get(cells, "former_names")):
        former = display_name(former)
        if former and former != name:
            names.append({"name": former, "type": "former"})
    english = display_name(_get(cells, "english_name"))
    if english:
        names.append({"name": english, "type": "english"})
    payload: dict[str, Any] = {
        "subject_key": code,
        "subject_kind": "organisation",
        "code": code,
        "names": names,
        "legal_representative": display_name(_get(cells, "legal_representative")) or None,
        "region_code": region or None,
        "industry": _get(cells, "industry") or None,
        "entity_type": _get(cells, "entity_type") or None,
        "registered_on": registered_on.isoformat() if registered_on else None,
        "status": STATUS.get(status_text, "unknown" if status_text else "active"),
        "registered_capital_wan": capital,
        "provisional": False,
    }
    if reg_no:
        payload["registration_no"] = reg_no
    return Draft(SubjectRef(code, "organisation", code, name), payload)


def _party(
    cells: dict[str, str], why: Reasons, hasher: IdHasher, legacy: frozenset[str] = frozenset()
) -> SubjectRef | None:
    """The party a record is about. An organisation is named by its USCC; failing that (no code,
    or the placeholder 00000000000000000X) by its old organisation code or, last, its exact
    name — those are resolved against the registry later, never guessed."""
    name = display_name(_get(cells, "party_name"))
    if not name:
        why.add("party_name", "is required but empty")
    category = None
    try:
        category = parse_party_category(_get(cells, "party_category"))
    except FieldError as exc:
        why.add("party_category", str(exc))
    raw_uscc = _get(cells, "uscc")
    if raw_uscc.upper() in PLACEHOLDER_CODES:
        raw_uscc = ""
    raw_id = _get(cells, "party_id_no")
    if category == "person" or (category is None and raw_id and not raw_uscc):
        if not raw_id:
            why.add("party_id_no", "is required for a natural person but empty")
            return None
        ric = _code(validate_ric, raw_id, "party_id_no", why)
        if ric is None or not name:
            return None
        return SubjectRef(hasher.digest(ric), "person", mask_ric(ric), name)
    if not raw_uscc:
        raw_org = _get(cells, "org_code")
        if raw_org:
            org = _org_code(raw_org, why)
            return SubjectRef("", "organisation", "", name, org) if org and name else None
        if name and category != "person":
            return SubjectRef("", "organisation", "", name)
        why.add("uscc", "is required for an organisation but empty")
        return None
    if looks_like_ric(normalise_code(raw_uscc)):
        # A resident ID in the code column (a sole trader's files often carry the owner's ID
        # there): it is a person's identifier, so it is hashed and masked, never published.
        with contextlib.suppress(CodeError):
            ric = validate_ric(raw_uscc)
            return SubjectRef(hasher.digest(ric), "person", mask_ric(ric), name) if name else None
    if normalise_code(raw_uscc) in legacy:  # an officer accepted this failing code as issued
        code: str | None = normalise_code(raw_uscc)
    else:
        code = _code(cached_uscc, raw_uscc, "uscc", why)
    if code is None or not name:
        return None
    return SubjectRef(code, "organisation", code, name)


def _org_code(raw: str, why: Reasons) -> str | None:
    """A GB 11714 organisation code, `XXXXXXXX-X` or without the hyphen, check char verified."""
    code = normalise_code(raw)
    if len(code) != 9 or not code[:8].isalnum() or not code.isascii():
        why.add("org_code", f"{raw!r}: should be 8 letters or digits and a check character")
        return None
    expected = org_code_expected_check(code[:8])
    if code[8] != expected:
        why.add("org_code", f"{raw!r}: check character should be {expected!r}, got {code[8]!r}")
        return None
    return code


# Free-text fields copied into the record as given (personal ID numbers are handled separately).
_TEXT_FIELDS = {
    "penalty": (
        "party_category",
        "reg_no",
        "org_code",
        "tax_reg_no",
        "institution_cert_no",
        "social_org_cert_no",
        "legal_representative",
        "legal_rep_id_type",
        "party_id_type",
        "violation_type",
        "facts",
        "penalty_category",
        "penalty_content",
        "licence_affected",
        "authority_uscc",
        "data_source",
        "data_source_uscc",
        "remarks",
    ),
    "licence": (
        "party_category",
        "reg_no",
        "org_code",
        "tax_reg_no",
        "institution_cert_no",
        "social_org_cert_no",
        "legal_representative",
        "legal_rep_id_type",
        "party_id_type",
        "doc_title",
        "licence_category",
        "certificate_name",
        "licence_no",
        "content",
        "authority_uscc",
        "status",
        "data_source",
        "data_source_uscc",
        "remarks",
    ),
}


def parse_record_row(
    kind: str,
    cells: dict[str, str],
    headers: dict[str, str],
    hasher: IdHasher,
    today: dt.date | None = None,
    catalogue: Catalogue | None = None,
    legacy: frozenset[str] = frozenset(),
) -> Draft | list[str]:
    """The catalogue's record kind in force on the decision date sets the severity and, for a
    penalty file without 公示截止期, how long the record stays public."""
    why = Reasons(headers)
    today = today or today_cst()
    subject = _party(cells, why, hasher, legacy)
    doc_no = display_name(_get(cells, "decision_no"))
    if not doc_no:
        why.add("decision_no", "is required but empty")
    decision = _date(cells, "decision_date", why, required=True)
    if decision and decision > today:
        why.add("decision_date", f"{decision} is in the future")
    # Free text is kept as given except for resident IDs hiding in it (a sole trader's tax number
    # is often the owner's ID; clerks paste IDs into remarks): those are masked.
    raw = {k: _get(cells, k) for k in _TEXT_FIELDS[kind]}
    # One search over the whole row first: almost no row holds an ID, and this is the hot loop.
    if might_hold_id("\x00".join(raw.values())):
        raw = {k: redact_ids(v) for k, v in raw.items()}
    fields: dict[str, str | None] = {k: (v or None) for k, v in raw.items()}
    start: dt.date | None = decision
    end: dt.date | None = None
    if kind == "penalty":
        for amount in ("fine_wan", "confiscation_wan"):
            try:
                fields[amount] = parse_wan(_get(cells, amount))
            except FieldError as exc:
                why.add(amount, str(exc))
        until = _date(cells, "valid_until", why, required=False)
        fields["valid_until"] = until.isoformat() if until else None
        end = _date(cells, "publicity_end", why, required=False)
        if decision and end and end < decision:
            why.add("publicity_end", f"{end} is before the decision date {decision}")
    else:
        start = _date(cells, "valid_from", why, required=False) or decision
        end = _date(cells, "valid_to", why, required=False)
        if start and end and end < start:
            why.add("valid_to", f"{end} is before valid from {start}")
    legal_rep_id = _get(cells, "legal_rep_id_no")
    if legal_rep_id:
        ric = _code(validate_ric, legal_rep_id, "legal_rep_id_no", why)
        fields["legal_rep_id_masked"] = mask_ric(ric) if ric else None
    if subject is not None and subject.kind == "person":
        fields["party_id_masked"] = subject.code
    if why.items or subject is None or decision is None or start is None:
        return why.items
    record_kind = catalogue.record_kind(kind, decision) if catalogue is not None else None
    severity = classify(record_kind, fields) if record_kind is not None else None
    if kind == "penalty" and end is None:
        if record_kind is not None and severity is not None:
            end = decision + dt.timedelta(days=record_kind.publicity[severity.level].max_days)
        else:
            end = _add_years(decision, DEFAULT_PENALTY_PUBLICITY_YEARS)
    payload: dict[str, Any] = {
        "record_kind": kind,
        "doc_no": doc_no,
        "subject_key": subject.key,
        "party_name": subject.name,
        "decision_date": decision.isoformat(),
        "in_force_from": start.isoformat(),
        "in_force_to": end.isoformat() if end else None,
        "authority": display_name(_get(cells, "authority")) or None,
        "legal_basis": _get(cells, "legal_basis") or None,
        "fields": {k: v for k, v in fields.items() if v is not None},
    }
    if severity is not None:
        payload["severity"] = severity.level
        payload["severity_rule"] = severity.because
    return Draft(subject, payload, doc_key=document_key(doc_no))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
