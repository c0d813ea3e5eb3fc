"""`xinyong recompute`: every subject's lists, measures and flags on one date, materialised.

The batch path is set-based on purpose: one scan of the listings in force (the date filter runs
in SQL), then per subject a union of precomputed per-list measure sets. It shares no code with
the point evaluation (`evaluate.evaluate`, which reads one subject and builds explanation chains)
beyond the catalogue, so the property test that compares the two checks one against the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Date, Engine, bindparam, delete, insert, or_, select

from xinyong.catalogue import Catalogue
from xinyong.codes import document_key
from xinyong.evaluate import Evaluation, Rules
from xinyong.store import meta
from xinyong.store.db import writing
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.reads import journal_seq
from xinyong.store.schema import listings, subject_state

_DAY = bindparam("day", type_=Date())
_IN_FORCE = (
    select(listings.c.subject_key, listings.c.list_code, listings.c.basis)
    .where(
        listings.c.superseded_seq.is_(None),
        listings.c.state.in_(("in_force", "ended")),
        listings.c.start_date <= _DAY,
        or_(listings.c.planned_end.is_(None), listings.c.planned_end >= _DAY),
        or_(listings.c.actual_end.is_(None), listings.c.actual_end > _DAY),
    )
    .order_by(listings.c.subject_key)
)


@dataclass(frozen=True)
class State:
    """What a subject's evaluation comes to, without the explanations."""

    lists: tuple[str, ...]
    measures: tuple[str, ...]  # applying
    suspended: tuple[str, ...]  # incentives suspended by a blacklisting
    double_jeopardy: tuple[str, ...]  # document keys of decisions two listings rest on
    pile_on: tuple[tuple[str, int], ...]

    def as_row(self, subject_key: str, as_of: dt.date, seq: int) -> dict[str, Any]:
        return {
            "subject_key": subject_key,
            "as_of": as_of,
            "lists": canonical_json(list(self.lists)),
            "measures": canonical_json(list(self.measures)),
            "suspended": canonical_json(list(self.suspended)),
            "flags": canonical_json(
                {"double_jeopardy": list(self.double_jeopardy), "pile_on": dict(self.pile_on)}
            ),
            "journal_seq": seq,
        }


def state_of(evaluation: Evaluation) -> State:
    """The point evaluation reduced to a State, for comparison with the batch."""
    applying = sorted(m.measure.code for m in evaluation.applying())
    suspended = sorted(
        code for code, m in evaluation.measures.items() if not m.applies and m.suspended_by
    )
    return State(
        tuple(sorted({lst.list_code for lst, _ in evaluation.listings})),
        tuple(applying),
        tuple(suspended),
        tuple(sorted(document_key(d["decision"]) for d in evaluation.double_jeopardy)),
        tuple(sorted(evaluation.pile_on().items())),
    )


@dataclass
class _ListSets:
    punish: frozenset[str]
    incentive: frozenset[str]
    black: bool
    agencies: dict[str, str] = field(default_factory=dict)


def _list_sets(rules: Rules, on: dt.date) -> dict[str, _ListSets]:
    out: dict[str, _ListSets] = {}
    for code, routes in rules.routes(on).items():
        definition = rules.list_def(code, on)
        out[code] = _ListSets(
            frozenset(r.measure.code for r in routes if r.measure.kind == "punishment"),
            frozenset(r.measure.code for r in routes if r.measure.kind == "incentive"),
            definition is not None and definition.kind == "black",
            {r.measure.code: r.measure.agency for r in routes},
        )
    return out


def batch_states(conn: Connection, rules: Rules, on: dt.date) -> Iterator[tuple[str, State]]:
    """(subject, state) for every subject with a listing in force on `on`, in subject order."""
    sets = _list_sets(rules, on)
    blacklists = {lst.code for lst in rules.catalogue.lists.on(on) if lst.kind == "black"}
    current: str | None = None
    rows: list[Any] = []
    for row in conn.execute(_IN_FORCE, {"day": on}):
        if row.subject_key != current and rows:
            yield current or "", _state(rows, sets, blacklists)
            rows = []
        current = row.subject_key
        rows.append(row)
    if rows:
        yield current or "", _state(rows, sets, blacklists)


def _state(rows: list[Any], sets: dict[str, _ListSets], blacklists: set[str]) -> State:
    lists = sorted({r.list_code for r in rows})
    punish: set[str] = set()
    incentive: set[str] = set()
    agency: dict[str, str] = {}
    for code in lists:
        s = sets.get(code)
        if s is None:
            continue
        punish |= s.punish
        incentive |= s.incentive
        agency.update(s.agencies)
    black = any(code in blacklists for code in lists)
    applying = punish | (set() if black else incentive)
    suspended = incentive if black else set()
    decisions: dict[str, int] = {}
    for r in rows:
        for key in {document_key(str(b["doc_no"])) for b in parse_json(r.basis) if b.get("doc_no")}:
            decisions[key] = decisions.get(key, 0) + 1
    return State(
        tuple(lists),
        tuple(sorted(applying)),
        tuple(sorted(suspended)),
        tuple(sorted(k for k, n in decisions.items() if n > 1)),
        tuple(
            sorted(
                {
                    "measures": len(punish),
                    "agencies": len({agency[m] for m in punish}),
                    "lists": len(lists),
                }.items()
            )
        ),
    )


@dataclass
class RecomputeSummary:
    as_of: str
    subjects_listed: int
    journal_seq: int
    by_list: dict[str, int]
    by_measure: dict[str, int]
    derived: dict[str, int] | None = None


def recompute(
    engine: Engine,
    catalogue: Catalogue,
    as_of: dt.date,
    *,
    progress: Callable[[int], None] | None = None,
) -> RecomputeSummary:
    """Replace the materialised states with those on `as_of`, in one transaction."""
    rules = Rules(catalogue)
    by_list: dict[str, int] = {}
    by_measure: dict[str, int] = {}
    count = 0
    with writing(engine) as conn:
        seq = journal_seq(conn)
        conn.execute(delete(subject_state))
        batch: list[dict[str, Any]] = []
        for key, state in batch_states(conn, rules, as_of):
            batch.append(state.as_row(key, as_of, seq))
            count += 1
            for code in state.lists:
                by_list[code] = by_list.get(code, 0) + 1
            for code in state.measures:
                by_measure[code] = by_measure.get(code, 0) + 1
            if len(batch) >= 5000:
                conn.execute(insert(subject_state), batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            conn.execute(insert(subject_state), batch)
            if progress:
                progress(len(batch))
        summary = RecomputeSummary(
            as_of.isoformat(),
            count,
            seq,
            dict(sorted(by_list.items())),
            dict(sorted(by_measure.items())),
        )
        meta.put(conn, "state.summary", canonical_json(summary.__dict__))
    return summary


def stored_summary(conn: Connection) -> dict[str, Any] | None:
    raw = meta.get(conn, "state.summary")
    return None if raw is None else dict(parse_json(raw))


def refresh_subject(conn: Connection, rules: Rules, subject_key: str, on: dt.date) -> State:
    """Re-evaluate one subject now and replace its materialised state (a repair granted or a
    listing removed must not wait for the nightly recompute to show)."""
    from xinyong.registry.measures import subject_evaluation

    seq = journal_seq(conn)
    state = state_of(subject_evaluation(conn, rules, subject_key, on, seq))
    conn.execute(delete(subject_state).where(subject_state.c.subject_key == subject_key))
    if state.lists or state.measures or state.suspended:
        conn.execute(insert(subject_state), [state.as_row(subject_key, on, seq)])
    return state
