"""Evidence files of objections and repair applications: stored once by content, named in the
journal by SHA-256 so that nobody can swap a file after the fact."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from xinyong.accounts import Principal
from xinyong.codes import redact_ids
from xinyong.store.schema import evidence_files
from xinyong.timeutil import utc_stamp
from xinyong.workflows.errors import NotVisible, Refused

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 20


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    content: bytes
    media_type: str = "application/octet-stream"


def decode(items: list[dict[str, str]]) -> list[EvidenceFile]:
    """Evidence sent as JSON: `{"name", "content_base64", "media_type"?}` per file."""
    out = []
    for n, item in enumerate(items, 1):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (KeyError, binascii.Error, TypeError):
            raise Refused(
                f"evidence[{n}]: give name and content_base64 (standard base64)"
            ) from None
        out.append(
            EvidenceFile(
                str(item.get("name") or f"evidence-{n}"),
                content,
                str(item.get("media_type") or "application/octet-stream"),
            )
        )
    return out


def store(conn: Connection, files: list[EvidenceFile]) -> list[dict[str, object]]:
    """Keep the files; return their journal references."""
    if len(files) > MAX_FILES:
        raise Refused(f"at most {MAX_FILES} evidence files, {len(files)} given")
    refs: list[dict[str, object]] = []
    for f in files:
        if len(f.content) > MAX_BYTES:
            raise Refused(f"evidence {f.name!r} is over {MAX_BYTES // (1024 * 1024)} MiB")
        digest = hashlib.sha256(f.content).hexdigest()
        have = conn.execute(
            select(evidence_files.c.sha256).where(evidence_files.c.sha256 == digest)
        ).first()
        if have is None:
            conn.execute(
                insert(evidence_files).values(
                    sha256=digest,
                    media_type=f.media_type[:100],
                    size=len(f.content),
                    content=f.content,
                    stored_at=utc_stamp(),
                )
            )
        refs.append(
            {
                "name": redact_ids(f.name)[:255],  # a scan named after someone's ID number
                "sha256": digest,
                "size": len(f.content),
                "media_type": f.media_type[:100],
            }
        )
    return refs


def read(conn: Connection, principal: Principal, sha256: str) -> tuple[str, str, bytes]:
    """(name, media type, content) of an evidence file, for whoever may see a case citing it —
    the subject that filed it, the agency that must answer, admin and auditor; 404 otherwise."""
    from xinyong.store.schema import case_evidence, objections, repairs
    from xinyong.workflows.targets import visible_to

    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotVisible("no such evidence file")
    for table in (objections, repairs):
        cases = conn.execute(
            select(case_evidence.c.name, table.c.subject_key, table.c.agency)
            .join(table, table.c.id == case_evidence.c.case_id)
            .where(case_evidence.c.sha256 == sha256)
        ).all()
        for case in cases:
            if not visible_to(principal, case.subject_key, case.agency):
                continue
            stored = conn.execute(
                select(evidence_files).where(evidence_files.c.sha256 == sha256)
            ).first()
            if stored is not None:
                return str(case.name), str(stored.media_type), bytes(stored.content)
    raise NotVisible("no such evidence file")
