"""The credit report: one subject on one date, as the registry knew it at one journal position.

Registration data, records in their publicity period, listings in force with decision, legal
basis, end date and the way off each list, measures in force with the implementing agency, and
the flags. The same dict feeds the JSON answer, the page and the PDF, so the three never differ.
Personal data stays masked: natural persons appear under their masked ID; records keep only the
masked form of any ID (the ingest never stored another).
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import Connection

from xinyong.codes import mask_id_like
from xinyong.evaluate import Rules
from xinyong.ledger.service import latest_checkpoint
from xinyong.registry.files import SubjectFile
from xinyong.registry.measures import subject_evaluation, targets
from xinyong.store.reads import listings_under_objection
from xinyong.timeutil import utc_stamp


def _checkpoint(conn: Connection, position: int) -> tuple[dict[str, Any] | None, str]:
    """The latest signed checkpoint, and a sentence on whether it covers this report."""
    stored = latest_checkpoint(conn)
    if stored is None:
        return None, "no signed checkpoint yet; the log's entries are at /api/v1/ledger"
    signed = {
        "size": stored.size,
        "root": base64.b64encode(stored.root_hash).decode("ascii"),
        "signed_at": stored.signed_at,
        "note": stored.note,
    }
    if stored.size >= position:
        note = (
            f"journal entry {position} is covered by the signed checkpoint of {stored.size} "
            "entries: verify each record's journal_seq at /ledger"
        )
    else:
        note = (
            f"the latest signed checkpoint ({stored.size} entries) predates journal entry "
            f"{position}; the next one will cover it"
        )
    return signed, note


def _record(r: Any) -> dict[str, Any]:
    return {
        "id": r.record_id,
        "kind": r.kind,
        "doc_no": r.doc_no,
        "source": r.source,
        "authority": r.authority,
        "decision_date": r.decision_date.isoformat(),
        "publicity": {
            "from": r.in_force_from.isoformat(),
            "to": r.in_force_to.isoformat() if r.in_force_to else None,
        },
        "severity": r.severity,
        "severity_rule": r.severity_rule,
        "legal_basis": r.legal_basis,
        "content": {
            k: (mask_id_like(v) if isinstance(v, str) else v)
            for k, v in r.fields.items()
            if k
            in (
                "penalty_category",
                "penalty_content",
                "fine_wan",
                "confiscation_wan",
                "violation_type",
                "licence_category",
                "content",
                "certificate_name",
            )
        },
        "under_objection": r.under_objection,
        "journal_seq": r.recorded_seq,
    }


def build_report(conn: Connection, rules: Rules, file: SubjectFile) -> dict[str, Any]:
    s = file.subject
    checkpoint, checkpoint_note = _checkpoint(conn, file.known_at)
    evaluation = subject_evaluation(conn, rules, s.subject_key, file.as_of, file.known_at)
    listings = []
    disputed = listings_under_objection(conn, [lst.listing_id for lst, _ in evaluation.listings])
    for lst, definition in evaluation.listings:
        listings.append(
            {
                "list": lst.list_code,
                "list_name": definition.name if definition else lst.list_code,
                "list_name_en": definition.name_en if definition else None,
                "list_kind": definition.kind if definition else None,
                "decision": lst.decision_no,
                "authority": lst.authority,
                "legal_basis": lst.legal_basis
                or ("；".join(definition.legal_basis) if definition else None),
                "start": lst.start.isoformat(),
                "end": lst.ends.isoformat() if lst.ends else None,
                "derived": lst.derived,
                "how_to_get_off": {
                    "removal": definition.removal if definition else None,
                    "repair": definition.repair if definition else None,
                },
                "under_objection": lst.listing_id in disputed,
                "journal_seq": lst.recorded_seq,
            }
        )
    measures = [
        {
            "measure": m.measure.code,
            "name": m.measure.name,
            "name_en": m.measure.name_en,
            "kind": m.measure.kind,
            "agency": m.measure.agency,
            "legal_basis": list(m.measure.legal_basis),
            "applies": m.applies,
            "targets": targets(s, m.measure.targets),
            "through": sorted(
                {f"{c['memorandum']['code']} ← {c['list']['code']}" for c in m.because}
            ),
            "suspended_by": [x["list"] for x in m.suspended_by],
        }
        for m in evaluation.measures.values()
    ]
    return {
        "subject": {
            "code": s.code,
            "kind": s.kind,
            "name": s.name,
            "names": [{"name": n.name, "type": n.type} for n in s.names],
            "status": s.status,
            "provisional": s.provisional,
            "legal_representative": s.legal_representative,
            "region_code": s.region_code,
            "industry": s.industry,
            "entity_type": s.entity_type,
            "registered_on": s.registered_on.isoformat() if s.registered_on else None,
            "registered_capital_wan": s.registered_capital_wan,
        },
        "as_of": file.as_of.isoformat(),
        "records": [_record(r) for r in file.records],
        "listings": listings,
        "measures": measures,
        "flags": evaluation.flags(),
        "journal_seq": file.known_at,
        "checkpoint": checkpoint,
        "checkpoint_note": checkpoint_note,
        "generated_at": utc_stamp(),
    }
