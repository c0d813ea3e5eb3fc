"""Listings the catalogue's criteria call for, derived from a subject's records and listings.

Only lists marked `derive = true` are derived; the rest are decided by their authorities and
arrive as listing decisions. Three kinds of criterion:

- records of the criteria's kinds at or above `min_severity`, in force on the date: one proposal
  per record, resting on it;
- `missing_by`: a yearly filing of the kind (the annual report) not filed by that month-day of
  the following year. Derived only for years the registry holds filings for (`covered_years`): a
  registry that has not loaded a year's reports must not list every company for not filing;
  and only for the subjects the duty binds (`code_prefixes`: enterprises, "91");
- `lists` held for `for_days` (three years on the abnormal operations list → the serious list),
  with a reminder `reminder_days` before.

Every derived decision number is deterministic, so deriving twice proposes nothing new. What the
derivation proposes still passes proposed → notified → in force (the list's `notice_days`), so
the subject hears of it, and may object, before it takes effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xinyong.catalogue import Catalogue
from xinyong.catalogue.model import ListDef
from xinyong.codes import document_key
from xinyong.evaluate.facts import Listing, Record, SubjectFacts

SEVERITY_ORDER = ("none", "minor", "general", "serious")


def severity_at_least(level: str | None, minimum: str | None) -> bool:
    if minimum is None:
        return True
    if level is None:
        return False
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return order.get(level, -1) >= order.get(minimum, len(SEVERITY_ORDER))


@dataclass(frozen=True)
class Proposal:
    list_code: str
    subject_key: str
    party_name: str
    decision_no: str
    derived: str  # the criterion, in words
    basis: tuple[dict[str, Any], ...] = ()
    authority: str = ""
    legal_basis: str = ""


@dataclass(frozen=True)
class Reminder:
    listing_id: int
    escalates_to: str
    escalates_on: dt.date


@dataclass
class Derived:
    proposals: list[Proposal] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)


def deadline(year: int, month_day: str) -> dt.date:
    month, day = (int(x) for x in month_day.split("-"))
    return dt.date(year, month, day)


def derive(
    catalogue: Catalogue,
    subject: SubjectFacts,
    records: Sequence[Record],
    listings: Sequence[Listing],
    on: dt.date,
    covered_years: frozenset[int] = frozenset(),
) -> Derived:
    out = Derived()
    existing = {(lst.list_code, document_key(lst.decision_no)) for lst in listings}
    for lst in catalogue.lists.on(on):
        if lst.derive is False or lst.derive == ():
            continue
        for proposal in _proposals(lst, subject, records, listings, on, covered_years, out):
            if (proposal.list_code, document_key(proposal.decision_no)) not in existing:
                out.proposals.append(proposal)
    return out


def _proposals(
    lst: ListDef,
    subject: SubjectFacts,
    records: Sequence[Record],
    listings: Sequence[Listing],
    on: dt.date,
    covered_years: frozenset[int],
    out: Derived,
) -> list[Proposal]:
    c = lst.criteria
    found: list[Proposal] = []
    base = {
        "list_code": lst.code,
        "subject_key": subject.subject_key,
        "party_name": subject.name,
        "authority": lst.authority,
        "legal_basis": "；".join(lst.legal_basis),
    }
    if c.code_prefixes and not subject.code.startswith(c.code_prefixes):
        return found  # the criteria do not bind this kind of subject
    if c.record_kinds and c.missing_by is not None and lst.derives("filings"):
        found.extend(_missing_filings(lst, subject, records, on, covered_years, base))
    elif c.record_kinds and c.missing_by is None and lst.derives("records"):
        for r in records:
            if (
                r.kind in c.record_kinds
                and severity_at_least(r.severity, c.min_severity)
                and r.decision_date <= on
                and r.in_force(on)
            ):
                found.append(
                    Proposal(
                        **base,
                        decision_no=f"DERIVED/{lst.code}/{r.source}/{document_key(r.doc_no)}",
                        derived=f"{r.kind} record {r.doc_no} ({r.severity or 'no severity'}) "
                        f"meets the criteria of {lst.code}",
                        basis=(
                            {
                                "record_id": r.record_id,
                                "doc_no": r.doc_no,
                                "kind": r.kind,
                                "source": r.source,
                            },
                        ),
                    )
                )
    if c.lists and c.for_days is not None and lst.derives("lists"):
        for held in listings:
            if held.list_code not in c.lists:
                continue
            due = held.start + dt.timedelta(days=c.for_days)
            # Held for the whole term: still in force on its last day before `due` (a list
            # whose own term is exactly `for_days` ends the day escalation begins).
            if on >= due and held.in_force(due - dt.timedelta(days=1)):
                found.append(
                    Proposal(
                        **base,
                        decision_no=f"DERIVED/{lst.code}/{held.list_code}/{held.listing_id}",
                        derived=f"on {held.list_code} since {held.start} ({c.for_days} days by "
                        f"{due}; decision {held.decision_no})",
                        basis=(
                            {"listing_id": held.listing_id, "listing_decision": held.decision_no},
                        ),
                    )
                )
            elif (
                c.reminder_days is not None
                and held.in_force(on)
                and held.reminded_on is None
                and on >= due - dt.timedelta(days=c.reminder_days)
            ):
                out.reminders.append(Reminder(held.listing_id, lst.code, due))
    return found


def _missing_filings(
    lst: ListDef,
    subject: SubjectFacts,
    records: Sequence[Record],
    on: dt.date,
    covered_years: frozenset[int],
    base: dict[str, Any],
) -> list[Proposal]:
    c = lst.criteria
    assert c.missing_by is not None
    if subject.kind != "organisation" or subject.status != "active":
        return []
    if subject.registered_on is None:
        return []  # unknown founding date: the registry cannot say a report was due
    this_year = deadline(on.year, c.missing_by)
    due_year = on.year if on > this_year else on.year - 1  # the last deadline that has passed
    year = due_year - 1  # the reports due then cover the year before
    if year not in covered_years or subject.registered_on > dt.date(year, 12, 31):
        return []
    filed = any(
        r.kind in c.record_kinds
        and str(r.fields.get("year", "")) == str(year)
        and r.decision_date <= on
        for r in records
    )
    if filed:
        return []
    kinds = "/".join(c.record_kinds)
    return [
        Proposal(
            **base,
            decision_no=f"DERIVED/{lst.code}/{subject.code}/{year}",
            derived=f"no {kinds} for {year} filed by {deadline(due_year, c.missing_by)}",
        )
    ]
