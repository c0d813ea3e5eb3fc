"""Run the catalogue's derivation over the registry: propose, notify and bring into force the
listings its criteria call for, each step journaled under the accountable actor.

Candidates are found in SQL (subjects with records of the criteria's kinds, subjects held on a
list that escalates, organisations without the year's filing), then each candidate's facts go
through the pure `evaluate.derive`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select

from xinyong.catalogue import Catalogue
from xinyong.catalogue.model import ListDef
from xinyong.evaluate.derive import Proposal, derive
from xinyong.evaluate.facts import SubjectFacts
from xinyong.store.apply import Change, apply_changes
from xinyong.store.db import writing
from xinyong.store.listing_reads import listing_fact, record_fact
from xinyong.store.projections.agencies import exists as agency_exists
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.schema import listings, records, subjects
from xinyong.workflows.notices import notice

# The registry itself is the source of what it derives: an agency code no real agency uses.
REGISTRY_SOURCE = "registry"


@dataclass
class DeriveSummary:
    candidates: int = 0
    proposed: int = 0
    notified: int = 0
    took_effect: int = 0
    reminded: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_SUBJECTS = InList(
    lambda member: select(subjects).where(
        member(subjects.c.subject_key, "keys"), subjects.c.superseded_seq.is_(None)
    )
)
_RECORDS = InList(
    lambda member: select(records).where(
        member(records.c.subject_key, "keys"),
        records.c.superseded_seq.is_(None),
        # Repaired records are no longer used (NDRC Order 36: 停止使用); revoked ones were wrong.
        records.c.status == "public",
    )
)
_LISTINGS = InList(
    lambda member: select(listings).where(
        member(listings.c.subject_key, "keys"), listings.c.superseded_seq.is_(None)
    )
)


def covered_years(conn: Connection, kinds: Iterable[str]) -> frozenset[int]:
    """Years the registry holds filings of these kinds for."""
    kinds = list(kinds)
    if not kinds:
        return frozenset()
    year = _json_year(conn)
    rows = conn.execute(
        select(year).where(records.c.kind.in_(kinds), records.c.superseded_seq.is_(None)).distinct()
    ).scalars()
    return frozenset(int(y) for y in rows if y is not None and str(y).isdigit())


def _json_year(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy import cast
        from sqlalchemy.dialects.postgresql import JSONB

        return cast(records.c.fields, JSONB)["year"].astext
    return func.json_extract(records.c.fields, "$.year")


def _candidates(
    conn: Connection, catalogue: Catalogue, on: dt.date
) -> tuple[set[str], frozenset[int]]:
    keys: set[str] = set()
    filing_kinds: set[str] = set()
    prefixes: set[str] = set()  # of the codes the filing duties bind ("" for every code)
    for lst in catalogue.lists.on(on):
        c = lst.criteria
        if c.record_kinds and c.missing_by is None and lst.derives("records"):
            keys.update(
                conn.execute(
                    select(records.c.subject_key)
                    .where(
                        records.c.kind.in_(c.record_kinds),
                        records.c.superseded_seq.is_(None),
                        records.c.status == "public",
                    )
                    .distinct()
                ).scalars()
            )
        if c.missing_by is not None and lst.derives("filings"):
            filing_kinds.update(c.record_kinds)
            prefixes.update(c.code_prefixes or ("",))
        if c.lists and lst.derives("lists"):
            keys.update(
                conn.execute(
                    select(listings.c.subject_key)
                    .where(listings.c.list_code.in_(c.lists), listings.c.superseded_seq.is_(None))
                    .distinct()
                ).scalars()
            )
    years = covered_years(conn, filing_kinds)
    for year in years:
        year_text = _json_year(conn)
        filed = exists().where(
            records.c.subject_key == subjects.c.subject_key,
            records.c.kind.in_(sorted(filing_kinds)),
            records.c.superseded_seq.is_(None),
            year_text == str(year),
        )
        keys.update(
            conn.execute(
                select(subjects.c.subject_key).where(
                    and_(
                        subjects.c.superseded_seq.is_(None),
                        subjects.c.kind == "organisation",
                        subjects.c.status == "active",
                        subjects.c.registered_on <= dt.date(year, 12, 31),
                        or_(*(subjects.c.code.startswith(p, autoescape=True) for p in prefixes)),
                        ~filed,
                    )
                )
            ).scalars()
        )
    return keys, years


def run_derivation(
    engine: Engine,
    catalogue: Catalogue,
    on: dt.date,
    *,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> DeriveSummary:
    summary = DeriveSummary()
    with engine.connect() as conn:
        keys, years = _candidates(conn, catalogue, on)
    summary.candidates = len(keys)
    done = 0
    for part in chunked(sorted(keys), 500):
        with writing(engine) as conn:
            _derive_part(conn, catalogue, on, part, years, actor, summary)
        done += len(part)
        if progress:
            progress(done, len(keys))
    with writing(engine) as conn:
        _advance(conn, catalogue, on, actor, summary)
    return summary


def _derive_part(
    conn: Connection,
    catalogue: Catalogue,
    on: dt.date,
    keys: list[str],
    years: frozenset[int],
    actor: str,
    summary: DeriveSummary,
) -> None:
    subject_rows = {r.subject_key: r for r in conn.execute(_SUBJECTS.on(conn), {"keys": keys})}
    recs: dict[str, list[Any]] = {}
    for r in conn.execute(_RECORDS.on(conn), {"keys": keys}):
        recs.setdefault(r.subject_key, []).append(record_fact(r))
    held: dict[str, list[Any]] = {}
    for r in conn.execute(_LISTINGS.on(conn), {"keys": keys}):
        held.setdefault(r.subject_key, []).append(listing_fact(r))
    proposals: list[Proposal] = []
    reminders = []
    for key in keys:
        row = subject_rows.get(key)
        if row is None:
            continue
        facts = SubjectFacts(
            key,
            row.code,
            row.name,
            row.kind,
            row.status,
            row.registered_on,
            row.legal_representative,
        )
        found = derive(catalogue, facts, recs.get(key, []), held.get(key, []), on, years)
        proposals.extend(found.proposals)
        reminders.extend(found.reminders)
    if not proposals and not reminders:
        return
    if not agency_exists(conn, REGISTRY_SOURCE):
        apply_changes(
            conn,
            [
                Change(
                    "agency.registered",
                    {"code": REGISTRY_SOURCE, "name": "xinyong registry (derived listings)"},
                )
            ],
            actor=actor,
        )
    changes = [
        Change(
            "listing.proposed",
            {
                "source": REGISTRY_SOURCE,
                "list_code": p.list_code,
                "decision_no": p.decision_no,
                "subject_key": p.subject_key,
                "party_name": p.party_name,
                "authority": p.authority,
                "legal_basis": p.legal_basis or None,
                "start": on.isoformat(),
                "basis": list(p.basis),
                "derived": p.derived,
            },
        )
        for p in proposals
    ]
    changes += [
        Change(
            "listing.reminded",
            {
                "listing_id": r.listing_id,
                "on": on.isoformat(),
                "escalates_to": r.escalates_to,
                "escalates_on": r.escalates_on.isoformat(),
            },
        )
        for r in reminders
    ]
    apply_changes(conn, changes, actor=actor)
    summary.proposed += len(proposals)
    summary.reminded += len(reminders)


def pre_listing_notice(
    r: Any, lst: ListDef | None, on: dt.date, start: dt.date, end: dt.date | None
) -> Change:
    """The notice served before a derived listing takes effect: reasons, basis and rights
    (shared/domain/FACTS.md §3, section (八): tell the party before the decision)."""
    name = lst.name if lst is not None else r.list_code
    until = f" until {end}" if end else ""
    way_off = f" How to get off: {lst.removal}" if lst is not None and lst.removal else ""
    body = (
        f"The registry proposes to put your organisation on {name} ({r.list_code}) from "
        f"{start}{until}. Reason: {r.derived or r.decision_no}. Legal basis: "
        f"{r.legal_basis or 'see the list in the catalogue'}. Your rights: you may state your "
        f"case and object before {start} (the listing is then shown as under objection), "
        f"and apply for credit repair where the list allows it.{way_off}"
    )
    return notice(
        r.subject_key,
        "listing.notice",
        "列入名单前告知 Notice before listing",
        body,
        on,
        f"listing:{r.listing_id}",
    )


def _advance(
    conn: Connection, catalogue: Catalogue, on: dt.date, actor: str, summary: DeriveSummary
) -> None:
    """Serve notice on proposed listings (in force after the list's notice period) and bring
    notified listings whose notice period has passed into force."""
    proposed = conn.execute(
        select(listings).where(listings.c.state == "proposed", listings.c.superseded_seq.is_(None))
    ).all()
    changes = []
    for r in proposed:
        lst = catalogue.list(r.list_code, on)
        notice = lst.notice_days if lst is not None else 0
        start = on + dt.timedelta(days=notice)
        end = (
            start + dt.timedelta(days=lst.max_days - 1)
            if lst is not None and lst.max_days is not None
            else None
        )
        changes.append(
            Change(
                "listing.notified",
                {
                    "listing_id": r.listing_id,
                    "notified_on": on.isoformat(),
                    "start": start.isoformat(),
                    "planned_end": end.isoformat() if end else None,
                },
            )
        )
        changes.append(pre_listing_notice(r, lst, on, start, end))
    if changes:
        apply_changes(conn, changes, actor=actor)
        summary.notified += sum(1 for c in changes if c.kind == "listing.notified")
    due = conn.execute(
        select(listings.c.listing_id, listings.c.start_date).where(
            listings.c.state == "notified",
            listings.c.superseded_seq.is_(None),
            listings.c.start_date <= on,
        )
    ).all()
    if due:
        apply_changes(
            conn,
            [
                Change(
                    "listing.took_effect",
                    {"listing_id": r.listing_id, "on": r.start_date.isoformat()},
                )
                for r in due
            ],
            actor=actor,
        )
        summary.took_effect += len(due)
