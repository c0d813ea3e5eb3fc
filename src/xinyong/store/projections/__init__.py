"""How each journal entry changes the projections.

A handler has two halves: `check` (preconditions against the current projections, returning every
reason the change cannot apply) and `project` (the writes). Live apply and replay call the same
`project`, which is why rebuilt projections equal the live ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from xinyong.store.changes import Payload
from xinyong.store.projections import agencies, legacy, listings, records, subjects, workflows


@dataclass(frozen=True)
class Handler:
    """`check_many`/`project_many`, where given, do for a run of changes of this kind exactly
    what `check` then `project` would do one by one, in a few statements instead of several per
    change: bulk ingest depends on them."""

    check: Callable[[Connection, Payload], list[str]]
    project: Callable[[Connection, int, Payload], None]
    check_many: Callable[[Connection, Sequence[Payload]], list[list[str]]] | None = None
    project_many: Callable[[Connection, Sequence[tuple[int, Payload]]], None] | None = None
    # The same for changes that arrive prepared (see `apply.Change.prepared`): validated by their
    # payload model elsewhere, with the projection row made from that model.
    check_prepared: Callable[[Connection, Sequence[Any]], list[list[str]]] | None = None
    project_prepared: Callable[[Connection, Sequence[tuple[int, Any]]], None] | None = None


HANDLERS: dict[str, Handler] = {
    "agency.registered": Handler(agencies.check_registered, agencies.project_registered),
    "subject.registered": Handler(
        subjects.check_registered,
        subjects.project_registered,
        subjects.check_registered_many,
        subjects.project_registered_many,
    ),
    "subject.amended": Handler(subjects.check_amended, subjects.project_amended),
    "record.added": Handler(
        records.check_added,
        records.project_added,
        records.check_added_many,
        records.project_added_many,
        records.check_added_prepared,
        records.project_added_prepared,
    ),
    "record.corrected": Handler(records.check_corrected, records.project_corrected),
    "record.repaired": Handler(records.check_ended, records.project_repaired),
    "record.revoked": Handler(records.check_ended, records.project_revoked),
    **{kind: Handler(*fns) for kind, fns in workflows.FUNCTIONS.items()},
    "code.legacy_accepted": Handler(legacy.check_accepted, legacy.project_accepted),
    "listing.decided": Handler(listings.check_new, listings.project_decided),
    "listing.corrected": Handler(listings.check_corrected, listings.project_corrected),
    "listing.proposed": Handler(listings.check_new, listings.project_proposed),
    "listing.notified": Handler(listings.check_notified, listings.project_notified),
    "listing.took_effect": Handler(listings.check_took_effect, listings.project_took_effect),
    "listing.removed": Handler(listings.check_removed, listings.project_removed),
    "listing.reminded": Handler(listings.check_reminded, listings.project_reminded),
}
