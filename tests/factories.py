"""Small builders for changes, so tests say what differs and nothing else."""

from __future__ import annotations

from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from xinyong.codes import org_code_expected_check
from xinyong.store import Change


def make_uscc(body8: str, region: str = "330106", prefix: str = "91") -> str:
    """A valid USCC for an enterprise in `region` with an 8-character organisation code body
    (`prefix`: registration authority and category, 93 for a farmers' cooperative, …)."""
    org = body8 + org_code_expected_check(body8)
    first17 = prefix + region + org
    return first17 + stdnum_uscc.calc_check_digit(first17)


def agency(code: str = "samr", name: str = "市场监督管理局") -> Change:
    return Change("agency.registered", {"code": code, "name": name})


def subject(code: str, name: str, **extra: Any) -> Change:
    payload = {
        "subject_key": code,
        "subject_kind": "organisation",
        "code": code,
        "names": [{"name": name, "type": "current"}],
        **extra,
    }
    return Change("subject.registered", payload)


def record(
    code: str,
    doc_no: str,
    *,
    kind: str = "penalty",
    source: str = "samr",
    decision: str = "2024-03-01",
    until: str | None = "2027-03-01",
    corrected: str | None = None,
    **fields: str,
) -> Change:
    payload: dict[str, Any] = {
        "source": source,
        "record_kind": kind,
        "doc_no": doc_no,
        "subject_key": code,
        "party_name": "某公司",
        "decision_date": decision,
        "in_force_from": decision,
        "in_force_to": until,
        "fields": fields,
    }
    if corrected is not None:
        return Change("record.corrected", {**payload, "reason": corrected})
    return Change("record.added", payload)


def listing(
    code: str,
    decision_no: str,
    *,
    list_code: str = "court.dishonest_judgment_debtors",
    source: str = "samr",
    party_name: str = "某公司",
    authority: str = "杭州市西湖区人民法院",
    start: str = "2025-03-10",
    planned_end: str | None = "2027-03-09",
    basis: tuple[str, ...] = (),
) -> Change:
    """A listing decision as an authority's file or system would send it."""
    payload: dict[str, Any] = {
        "source": source,
        "list_code": list_code,
        "decision_no": decision_no,
        "subject_key": code,
        "party_name": party_name,
        "authority": authority,
        "start": start,
        "planned_end": planned_end,
        "basis": [{"doc_no": d} for d in basis],
    }
    return Change("listing.decided", payload)
