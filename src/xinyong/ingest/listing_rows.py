"""One listing-decision row to a draft, or to every reason it cannot be used.

Due process (DESIGN.md invariant 3) is checked here, before anything is stored: no listing
without an authority, a decision document number, a list of the catalogue, a start date and an
end inside the list's maximum duration (its `max_days` plus any `extension_days`). Where the file
gives no end, the list's maximum sets it; where the list has no fixed term (`until`), the listing
runs until it is removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinyong.catalogue import Catalogue
from xinyong.codes import IdHasher, display_name
from xinyong.ingest.rows import Draft, Reasons, _date, _get, _party

ACTIONS = {
    "decide": "decide",
    "": "decide",
    "列入": "decide",
    "认定": "decide",
    "remove": "remove",
    "移出": "remove",
    "删除": "remove",
    "撤销": "remove",
}


def parse_listing_row(
    cells: dict[str, str],
    headers: dict[str, str],
    hasher: IdHasher,
    today: dt.date,
    catalogue: Catalogue | None,
    legacy: frozenset[str] = frozenset(),
) -> Draft | list[str]:
    why = Reasons(headers)
    subject = _party(cells, why, hasher, legacy)
    raw_action = _get(cells, "action").lower()
    action = ACTIONS.get(raw_action)
    if action is None:
        why.add("action", f"{raw_action!r} is not decide or remove")
    list_code = _get(cells, "list_code")
    decision_no = display_name(_get(cells, "decision_no"))
    authority = display_name(_get(cells, "authority"))
    if not decision_no:
        why.add("decision_no", "is required but empty")
    if not authority:
        why.add("authority", "is required but empty: every listing decision names its authority")
    definition = None
    if not list_code:
        why.add("list_code", "is required but empty")
    elif catalogue is not None:
        known = catalogue.lists.codes()
        if list_code not in known:
            why.add(
                "list_code",
                f"{list_code!r} is not a list of the catalogue (known: {', '.join(known)})",
            )
    if action == "remove":
        day = _date(cells, "date", why, required=True)
        if day is not None and day > today:
            why.add("date", f"{day} is in the future")
        if why.items or subject is None or day is None:
            return why.items
        payload: dict[str, Any] = {
            "action": "remove",
            "list_code": list_code,
            "decision_no": decision_no,
            "subject_key": subject.key,
            "party_name": subject.name,
            "authority": authority,
            "date": day.isoformat(),
            "reason": _get(cells, "reason") or f"removal decision {decision_no}",
        }
        return Draft(subject, {**payload, "doc_no": decision_no})
    start = _date(cells, "start", why, required=True)
    end = _date(cells, "end", why, required=False)
    if start is not None and catalogue is not None and list_code in catalogue.lists:
        definition = catalogue.list(list_code, start)
        if definition is None:
            why.add("list_code", f"list {list_code} is not in force on {start}")
    if start and end and end < start:
        why.add("end", f"{end} is before the start {start}")
    if definition is not None and start is not None and definition.max_days is not None:
        longest = definition.max_days + definition.extension_days
        if end is None:
            end = start + dt.timedelta(days=definition.max_days - 1)
        elif (end - start).days + 1 > longest:
            why.add(
                "end",
                f"{end} would keep the listing in force {(end - start).days + 1} days from "
                f"{start}; list "
                f"{list_code} allows at most {longest} days "
                f"(max_days {definition.max_days} + extension_days "
                f"{definition.extension_days})",
            )
    if why.items or subject is None or start is None:
        return why.items
    basis = [
        {"doc_no": doc}
        for doc in (display_name(p) for p in _get(cells, "records").replace("；", ";").split(";"))
        if doc
    ]
    legal_basis = _get(cells, "legal_basis") or (
        "；".join(definition.legal_basis) if definition is not None else None
    )
    payload = {
        "action": "decide",
        "list_code": list_code,
        "decision_no": decision_no,
        "subject_key": subject.key,
        "party_name": subject.name,
        "authority": authority,
        "legal_basis": legal_basis,
        "start": start.isoformat(),
        "planned_end": end.isoformat() if end else None,
        "basis": basis,
    }
    return Draft(subject, {**payload, "doc_no": decision_no})
