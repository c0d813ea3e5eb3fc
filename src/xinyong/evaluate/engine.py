"""Which lists and measures apply to a subject on a date, and why.

A measure is in force when a memorandum in force on the date ties it to a list on which the
subject has a listing in force. Each one carries its chain — measure ← memorandum ← list ←
listing (decision, authority, dates) ← the decisions the listing rests on — so an answer can be
checked by the person it is about. An active blacklisting suspends every incentive (the
incentive memoranda define eligibility negatively: not a dishonest party). Flags name the failure
modes the reforms forbid: two listings resting on one decision (double jeopardy) and the pile-on
of measures and agencies in force at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xinyong.catalogue import Catalogue
from xinyong.catalogue.model import ListDef, MeasureDef, MemorandumDef
from xinyong.codes import document_key
from xinyong.evaluate.facts import Listing, Record


@dataclass(frozen=True)
class Route:
    """How one list reaches one measure on a date: through this memorandum."""

    memorandum: MemorandumDef
    measure: MeasureDef


def own_instruments(catalogue: Catalogue, on: dt.date | None = None) -> list[MemorandumDef]:
    """A list that carries measures itself, as a memorandum of one list whose document is the
    list's own legal basis, so chains and the lint treat both alike."""
    return [
        MemorandumDef(
            code=lst.code,
            name=f"{lst.name}（名单依据）",
            name_en=f"{lst.name_en} (the list's own instrument)",
            signatories=(lst.authority,),
            lists=(lst.code,),
            measures=lst.measures,
            legal_basis=lst.legal_basis or ("-",),
            sources=lst.sources,
        )
        for lst in catalogue.lists.on(on)
        if lst.measures
    ]


class Rules:
    """The catalogue, indexed per date for evaluation: list → routes. Built once per process and
    date, because the point-of-decision check runs it on every call."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._routes: dict[dt.date, dict[str, list[Route]]] = {}

    def routes(self, on: dt.date) -> dict[str, list[Route]]:
        cached = self._routes.get(on)
        if cached is not None:
            return cached
        out: dict[str, list[Route]] = defaultdict(list)
        for memo in [*self.catalogue.memoranda.on(on), *own_instruments(self.catalogue, on)]:
            for list_code in memo.lists:
                for measure_code in memo.measures:
                    measure = self.catalogue.measure(measure_code, on)
                    if measure is not None:
                        out[list_code].append(Route(memo, measure))
        if len(self._routes) > 4096:
            self._routes.clear()
        self._routes[on] = dict(out)
        return self._routes[on]

    def list_def(self, code: str, on: dt.date) -> ListDef | None:
        return self.catalogue.list(code, on)


@dataclass
class MeasureInForce:
    measure: MeasureDef
    applies: bool
    because: list[dict[str, Any]] = field(default_factory=list)
    suspended_by: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        m = self.measure
        return {
            "measure": m.code,
            "name": m.name,
            "name_en": m.name_en,
            "kind": m.kind,
            "agency": m.agency,
            "targets": list(m.targets),
            "legal_basis": list(m.legal_basis),
            "applies": self.applies,
            "because": self.because,
            "suspended_by": self.suspended_by,
        }


@dataclass
class Evaluation:
    subject_key: str
    on: dt.date
    listings: list[tuple[Listing, ListDef | None]]
    measures: dict[str, MeasureInForce]
    double_jeopardy: list[dict[str, Any]]

    @property
    def blacklisted(self) -> bool:
        return any(d is not None and d.kind == "black" for _, d in self.listings)

    def applying(self) -> list[MeasureInForce]:
        return [m for m in self.measures.values() if m.applies]

    def pile_on(self) -> dict[str, int]:
        punishments = [m for m in self.applying() if m.measure.kind == "punishment"]
        return {
            "measures": len(punishments),
            "agencies": len({m.measure.agency for m in punishments}),
            "lists": len({lst.list_code for lst, _ in self.listings}),
        }

    def flags(self) -> dict[str, Any]:
        return {"double_jeopardy": self.double_jeopardy, "pile_on": self.pile_on()}


def listing_link(listing: Listing, definition: ListDef | None) -> dict[str, Any]:
    """The listing part of a chain: what was decided, by whom, from when to when, and how to
    get off."""
    out = listing.as_dict()
    if definition is not None:
        out["list_name"] = definition.name
        out["list_name_en"] = definition.name_en
        out["list_kind"] = definition.kind
        out["list_legal_basis"] = list(definition.legal_basis)
        out["removal"] = definition.removal
        out["repair"] = definition.repair
    return out


def evaluate(
    rules: Rules,
    subject_key: str,
    listings: Iterable[Listing],
    on: dt.date,
    records: Mapping[int, Record] | None = None,
) -> Evaluation:
    """The subject's lists and measures on `on`, from the listing versions the caller read (as
    the registry knew them at whatever `known_at` it chose)."""
    in_force = sorted(
        (lst for lst in listings if lst.subject_key == subject_key and lst.in_force(on)),
        key=lambda lst: (lst.start, lst.listing_id),
    )
    routes = rules.routes(on)
    defs = [(lst, rules.list_def(lst.list_code, on)) for lst in in_force]
    black = [(lst, d) for lst, d in defs if d is not None and d.kind == "black"]
    measures: dict[str, MeasureInForce] = {}
    for lst, definition in defs:
        for route in routes.get(lst.list_code, ()):
            entry = measures.get(route.measure.code)
            if entry is None:
                entry = measures[route.measure.code] = MeasureInForce(route.measure, True)
            entry.because.append(_chain(route, lst, definition, records))
    for entry in measures.values():
        if entry.measure.kind == "incentive" and black:
            entry.applies = False
            entry.suspended_by = [listing_link(lst, d) for lst, d in black]
    return Evaluation(subject_key, on, defs, measures, _double_jeopardy(in_force))


def _chain(
    route: Route,
    listing: Listing,
    definition: ListDef | None,
    records: Mapping[int, Record] | None,
) -> dict[str, Any]:
    m, memo = route.measure, route.memorandum
    basis = []
    for ref in listing.basis:
        record = records.get(ref["record_id"]) if records and ref.get("record_id") else None
        basis.append(record.as_ref() if record is not None else dict(ref))
    return {
        "measure": {
            "code": m.code,
            "name": m.name,
            "agency": m.agency,
            "legal_basis": list(m.legal_basis),
        },
        "memorandum": {
            "code": memo.code,
            "name": memo.name,
            "document": memo.document,
            "legal_basis": list(memo.legal_basis),
        },
        "list": {
            "code": listing.list_code,
            "name": definition.name if definition else None,
            "kind": definition.kind if definition else None,
            "legal_basis": list(definition.legal_basis) if definition else [],
        },
        "listing": listing_link(listing, definition),
        "records": basis,
    }


def _double_jeopardy(in_force: Sequence[Listing]) -> list[dict[str, Any]]:
    """Listings in force at once that rest on one decision: one act punished twice."""
    by_decision: dict[str, list[Listing]] = defaultdict(list)
    for lst in in_force:
        keys = {document_key(str(ref.get("doc_no", ""))) for ref in lst.basis if ref.get("doc_no")}
        for key in keys:
            by_decision[key].append(lst)
    out = []
    for key, group in sorted(by_decision.items()):
        if len(group) > 1:
            doc = next(
                str(ref["doc_no"])
                for ref in group[0].basis
                if document_key(str(ref.get("doc_no", ""))) == key
            )
            out.append(
                {
                    "decision": doc,
                    "listings": [g.listing_id for g in group],
                    "lists": [g.list_code for g in group],
                }
            )
    return out
