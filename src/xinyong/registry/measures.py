"""Evaluation against the registry: a subject's measures on a date, and the point-of-decision
check that agency approval systems call before granting something."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from xinyong.evaluate import Evaluation, Rules, evaluate
from xinyong.store.listing_reads import records_by_id, subject_listings
from xinyong.store.reads import SubjectView, listings_under_objection
from xinyong.timeutil import utc_stamp


class UnknownMeasure(ValueError):
    pass


def subject_evaluation(
    conn: Connection, rules: Rules, subject_key: str, on: dt.date, known_at: int | None = None
) -> Evaluation:
    listings = subject_listings(conn, subject_key, known_at)
    ids = {
        int(ref["record_id"])
        for lst in listings
        if lst.in_force(on)
        for ref in lst.basis
        if ref.get("record_id") is not None
    }
    records = records_by_id(conn, ids, known_at) if ids else {}
    return evaluate(rules, subject_key, listings, on, records)


def targets(subject: SubjectView, roles: tuple[str, ...]) -> list[dict[str, Any]]:
    """Who a measure binds, by role; names where the registry holds them (the legal
    representative is a registration fact; other persons are named by the deciding authority)."""
    out: list[dict[str, Any]] = []
    for role in roles:
        if role == "subject":
            out.append({"role": role, "code": subject.code, "name": subject.name})
        elif role == "legal_representative" and subject.legal_representative:
            out.append({"role": role, "name": subject.legal_representative})
        else:
            out.append({"role": role})
    return out


def check(
    conn: Connection,
    rules: Rules,
    subject: SubjectView,
    measure_code: str,
    on: dt.date,
    position: int,
) -> dict[str, Any]:
    """Does `measure` apply to `subject` on `on`? The answer carries its chains and the journal
    position it reflects, so the agency can file it with its decision."""
    measure = rules.catalogue.measure(measure_code, on)
    if measure is None:
        known = rules.catalogue.measures.codes()
        raise UnknownMeasure(
            f"measure: {measure_code!r} is not a measure of the catalogue in force on {on} "
            f"(known: {', '.join(known[:40])}{'…' if len(known) > 40 else ''})"
        )
    evaluation = subject_evaluation(conn, rules, subject.subject_key, on, position)
    found = evaluation.measures.get(measure_code)
    applies = found is not None and found.applies
    disputed = _disputed(conn, evaluation)
    because = found.because if found is not None else []
    for chain in because:  # the agency deciding must see that the listing is contested
        chain["listing"]["under_objection"] = chain["listing"]["listing_id"] in disputed
    return {
        "subject": subject.code,
        "measure": measure_code,
        "on": on.isoformat(),
        "applies": applies,
        "targets": targets(subject, measure.targets) if applies else [],
        "because": because,
        "under_objection": any(c["listing"]["under_objection"] for c in because),
        "suspended_by": found.suspended_by if found is not None else [],
        "kind": measure.kind,
        "agency": measure.agency,
        "checked_at": utc_stamp(),
        "journal_seq": position,
    }


def _disputed(conn: Connection, evaluation: Evaluation) -> set[int]:
    ids = [lst.listing_id for lst, _ in evaluation.listings]
    return listings_under_objection(conn, ids) if ids else set()


def measures_answer(
    rules: Rules,
    subject: SubjectView,
    evaluation: Evaluation,
    position: int,
    conn: Connection | None = None,
) -> dict[str, Any]:
    """All measures in force for a subject on a date, with lists, suspensions and flags; each
    listing says whether the subject has objected to it and the answer is still due."""
    from xinyong.evaluate import listing_link

    disputed = _disputed(conn, evaluation) if conn is not None else set()
    return {
        "subject": subject.code,
        "name": subject.name,
        "on": evaluation.on.isoformat(),
        "listings": [
            {**listing_link(lst, d), "under_objection": lst.listing_id in disputed}
            for lst, d in evaluation.listings
        ],
        "measures": [
            {**m.as_dict(), "targets": targets(subject, m.measure.targets)}
            for m in evaluation.measures.values()
        ],
        "blacklisted": evaluation.blacklisted,
        "flags": evaluation.flags(),
        "journal_seq": position,
    }
