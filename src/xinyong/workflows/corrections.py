"""An upheld objection's correction: national field names and values, as in the agency's files,
applied to the record as it stands and checked as a file row's fields are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinyong.catalogue import Catalogue, classify
from xinyong.codes import display_name, redact_ids
from xinyong.ingest.fields import FieldError, parse_date, parse_wan
from xinyong.ingest.mapping import header_key, load_mapping
from xinyong.store.journal import parse_json
from xinyong.workflows.errors import Refused

# What identifies a record or its subject cannot change by correction: that is a different
# record (revoke this one; the agency enters the right one).
FIXED = frozenset(
    {
        "decision_no",
        "party_name",
        "party_category",
        "uscc",
        "reg_no",
        "org_code",
        "tax_reg_no",
        "institution_cert_no",
        "social_org_cert_no",
        "party_id_type",
        "party_id_no",
    }
)
AMOUNTS = ("fine_wan", "confiscation_wan")


def corrected_payload(
    row: Any, correction: dict[str, Any], catalogue: Catalogue, reason: str
) -> dict[str, Any]:
    """The record.corrected payload for the live record `row` with `correction` applied."""
    mapping = load_mapping(row.kind)
    fields: dict[str, Any] = dict(parse_json(row.fields))
    data: dict[str, Any] = {
        "source": row.source,
        "record_kind": row.kind,
        "doc_no": row.doc_no,
        "subject_key": row.subject_key,
        "party_name": row.party_name,
        "decision_date": row.decision_date,
        "in_force_from": row.in_force_from,
        "in_force_to": row.in_force_to,
        "authority": row.authority,
        "legal_basis": row.legal_basis,
        "origin": {
            k: v
            for k, v in (
                ("batch_id", row.batch_id),
                ("file", row.source_file),
                ("sheet", row.source_sheet),
                ("row", row.source_row),
            )
            if v is not None
        },
    }
    problems: list[str] = []
    for name, raw in correction.items():
        canonical = mapping.by_header.get(header_key(str(name)))
        value = "" if raw is None else str(raw).strip()
        if canonical is None:
            problems.append(f"{name}: not a field of {row.kind} records")
        elif canonical in FIXED:
            problems.append(
                f"{name}: identifies the record or its subject and cannot be corrected; "
                "revoke the record (uphold without a correction) and enter the right one"
            )
        else:
            try:
                _apply(row.kind, canonical, value, data, fields)
            except FieldError as exc:
                problems.append(f"{name}: {exc}")
    if not correction:
        problems.append("correction: name at least one field")
    if problems:
        raise Refused(*problems)
    if data["in_force_to"] is not None and data["in_force_to"] < data["in_force_from"]:
        raise Refused(f"the publicity end {data['in_force_to']} is before {data['in_force_from']}")
    kind = catalogue.record_kind(row.kind, data["decision_date"])
    severity = classify(kind, fields) if kind is not None else None
    data["severity"] = severity.level if severity else row.severity
    data["severity_rule"] = severity.because if severity else row.severity_rule
    data["fields"] = {k: v for k, v in fields.items() if v is not None}
    data["reason"] = reason
    for key in ("decision_date", "in_force_from", "in_force_to"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    return data


def _apply(kind: str, name: str, value: str, data: dict[str, Any], fields: dict[str, Any]) -> None:
    if name in AMOUNTS:
        fields[name] = parse_wan(value)
    elif name == "decision_date":
        day = parse_date(value)
        if kind == "penalty" or data["in_force_from"] == data["decision_date"]:
            data["in_force_from"] = day
        data["decision_date"] = day
    elif name in ("publicity_end", "valid_to"):
        data["in_force_to"] = _date(value)
    elif name == "valid_from":
        data["in_force_from"] = _date(value) or data["decision_date"]
    elif name == "authority":
        data["authority"] = display_name(value) or None
    elif name == "legal_basis":
        data["legal_basis"] = value or None
    elif name == "valid_until":
        until = _date(value)
        fields[name] = until.isoformat() if until else None
    else:
        fields[name] = redact_ids(value) or None


def _date(value: str) -> dt.date | None:
    return parse_date(value) if value else None
