"""Tamper tests: an insider who drops the append-only triggers and edits rows is named by
`audit`, and by the independent verifier when the edited part is public; a rewritten log is a
fork to any verifier holding an older checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.factories import record
from tests.ledger.conftest import ACME, Registry, drop_append_only, getter

from xinyong.ledger.audit import audit
from xinyong.ledger.service import sign_current
from xinyong.ledger.verify import (
    VerificationFailed,
    load_state,
    save_state,
    verify_log,
)
from xinyong.store import apply

SITE = "http://testserver"


def _verify(registry: Registry, site: TestClient, state: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return verify_log(SITE, registry.signer.verifier, state, get=getter(site), page=3)


def _named(registry: Registry) -> list[str]:
    return [str(f) for f in audit(registry.engine, verifier=registry.signer.verifier).findings]


def test_an_intact_registry_audits_and_verifies_clean(registry: Registry, site: TestClient) -> None:
    report = audit(registry.engine, verifier=registry.signer.verifier)
    assert report.ok, [str(f) for f in report.findings]
    assert report.journal_entries == report.tree_size == 8 and report.checkpoints == 1
    result = _verify(registry, site)
    assert result.entries == 8 and result.public_checked == 4 and result.withheld == 4


def test_state_file_moves_forward_and_proves_consistency(
    registry: Registry, site: TestClient, tmp_path: Path
) -> None:
    state_file = tmp_path / "state.json"
    save_state(state_file, _verify(registry, site))
    apply(registry.engine, [record(ACME, f"新-{i}") for i in range(6)], actor="test")
    sign_current(registry.engine, registry.signer)
    result = _verify(registry, site, load_state(state_file))
    assert result.previous_size == 8 and result.checkpoint.size == 14


def _edit_payload(engine: Engine, seq: int, old: str, new: str) -> None:
    drop_append_only(engine, "journal")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS journal_refuse_change ON journal"))
        payload = conn.execute(text("SELECT payload FROM journal WHERE seq = :s"), {"s": seq})
        edited = payload.scalar_one().replace(old, new)
        conn.execute(
            text("UPDATE journal SET payload = :p WHERE seq = :s"), {"p": edited, "s": seq}
        )


def test_an_edited_public_journal_entry_is_named_by_audit_and_verify(
    registry: Registry, site: TestClient
) -> None:
    _edit_payload(registry.engine, 4, '"fine_wan":"2.5"', '"fine_wan":"0.5"')
    named = _named(registry)
    assert any(n.startswith("journal [seq=4]") and "payload" in n for n in named), named
    with pytest.raises(VerificationFailed, match="index 3 ") as caught:
        _verify(registry, site)
    assert caught.value.index == 3 and "digest" in str(caught.value)


def test_an_edited_personal_entry_is_named_by_audit_only(
    registry: Registry, site: TestClient
) -> None:
    _edit_payload(registry.engine, 7, '"fine_wan":"0.1"', '"fine_wan":"9.9"')
    named = _named(registry)
    assert any(n.startswith("journal [seq=7]") for n in named), named
    assert _verify(registry, site).entries == 8  # not public: nothing for an outsider to see


def _rename_actor(engine: Engine, seq: int, actor: str) -> None:
    drop_append_only(engine, "journal")
    with engine.begin() as conn:
        conn.execute(text("UPDATE journal SET actor = :a WHERE seq = :s"), {"a": actor, "s": seq})


def test_a_renamed_actor_is_named_by_audit(registry: Registry) -> None:
    # Who entered a record is what "corruption at data entry" hides first: the envelope's
    # actor_digest binds the exact actor, not only its class (operator → operator).
    apply(registry.engine, [record(ACME, "杭市监罚〔2024〕9号")], actor="operator:alice")
    with registry.engine.connect() as conn:
        seq = conn.execute(text("SELECT max(seq) FROM journal")).scalar_one()
        envelope = json.loads(
            conn.execute(
                text("SELECT envelope FROM ledger_entries WHERE seq = :s"), {"s": seq}
            ).scalar_one()
        )
    assert "alice" not in json.dumps(envelope) and len(envelope["actor_digest"]) == 64
    assert _named(registry) == []
    _rename_actor(registry.engine, seq, "operator:mallory")
    named = _named(registry)
    assert named == [
        f"journal [seq={seq}]: changed outside the apply path: "
        "its actor no longer matches the envelope in the log"
    ], named


def test_entries_from_before_the_actor_digest_still_audit_clean(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An entry as the log wrote it before migration 0019: no actor_digest, no actor salt. Its
    # exact actor is unbound (only the class the `agency` field shows), and audit neither
    # invents a finding nor claims more than it can see.
    monkeypatch.setattr("xinyong.ledger.store.actor_digest", lambda salt, actor: None)
    apply(registry.engine, [record(ACME, "杭市监罚〔2024〕8号")], actor="operator:alice")
    monkeypatch.undo()
    drop_append_only(registry.engine, "ledger_entries")
    with registry.engine.begin() as conn:
        seq = conn.execute(text("SELECT max(seq) FROM journal")).scalar_one()
        conn.execute(text("UPDATE ledger_entries SET actor_salt = NULL WHERE seq = :s"), {"s": seq})
        envelope = conn.execute(
            text("SELECT envelope FROM ledger_entries WHERE seq = :s"), {"s": seq}
        ).scalar_one()
    assert "actor_digest" not in envelope
    assert _named(registry) == []
    _rename_actor(registry.engine, seq, "operator:mallory")  # same class: not seen (the limit)
    assert _named(registry) == []
    _rename_actor(registry.engine, seq, "apikey:samr:k9")  # another class: seen
    assert [n.split(":")[0] for n in _named(registry)] == [f"journal [seq={seq}]"]


def test_a_fine_edited_in_the_projection_is_named_by_audit(registry: Registry) -> None:
    with registry.engine.begin() as conn:
        conn.execute(
            text("UPDATE records SET fields = REPLACE(fields, '2.5', '25') WHERE record_id = 4")
        )
    named = _named(registry)
    assert len(named) == 1 and named[0].startswith("records [record_id=4, recorded_seq=4]"), named
    assert "fields" in named[0] and "25" in named[0]


def test_a_deleted_projection_row_and_an_edited_envelope_are_named(
    registry: Registry, site: TestClient
) -> None:
    drop_append_only(registry.engine, "ledger_entries")
    with registry.engine.begin() as conn:
        conn.execute(text("DELETE FROM subject_names WHERE recorded_seq = 3"))
        envelope = conn.execute(text("SELECT envelope FROM ledger_entries WHERE seq = 2"))
        edited = envelope.scalar_one().replace('"agency":"operator"', '"agency":"samr"')
        conn.execute(text("UPDATE ledger_entries SET envelope = :e WHERE seq = 2"), {"e": edited})
    named = _named(registry)
    assert any(n.startswith("subject_names") and "missing" in n for n in named), named
    assert any(n.startswith("ledger_entries [seq=2]") for n in named), named
    with pytest.raises(VerificationFailed) as caught:
        _verify(registry, site)
    assert caught.value.index == 1  # found by bisection over consistency proofs


def _rewrite_from(engine: Engine, keep: int) -> None:
    """Truncate the journal and the log after entry `keep`, as an insider would."""
    drop_append_only(engine, "journal", "ledger_entries", "ledger_nodes", "ledger_head")
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS journal_refuse_change ON journal"))
        conn.execute(text("DELETE FROM journal WHERE seq > :k"), {"k": keep})
        conn.execute(text("DELETE FROM ledger_entries WHERE seq > :k"), {"k": keep})
        # every complete subtree that covers a removed leaf: (idx + 1) * 2^level > keep
        for level in range(64):
            if keep >> level == 0 and level > 0:
                conn.execute(text("DELETE FROM ledger_nodes WHERE level >= :l"), {"l": level})
                break
            conn.execute(
                text("DELETE FROM ledger_nodes WHERE level = :l AND (idx + 1) * :w > :k"),
                {"l": level, "w": 1 << level, "k": keep},
            )
        conn.execute(text("UPDATE journal_head SET seq = :k"), {"k": keep})
        conn.execute(text("UPDATE ledger_head SET size = :k"), {"k": keep})


@pytest.mark.parametrize("extra", [5, 0])
def test_a_truncated_and_reappended_journal_is_a_fork(
    registry: Registry, site: TestClient, tmp_path: Path, extra: int
) -> None:
    state_file = tmp_path / "state.json"
    save_state(state_file, _verify(registry, site))  # the verifier saw 8 entries
    _rewrite_from(registry.engine, 3)
    # different entries where 4.. were; as many again, or more
    apply(registry.engine, [record(ACME, f"改-{i}") for i in range(5 + extra)], actor="test")
    sign_current(registry.engine, registry.signer)
    fresh = _verify(registry, site)  # a newcomer sees a consistent log...
    assert fresh.checkpoint.size == 8 + extra
    with pytest.raises(VerificationFailed, match="fork"):
        _verify(registry, site, load_state(state_file))  # ...the verifier who saw 8 does not
    assert json.loads(state_file.read_text())["size"] == 8  # and keeps its evidence


def test_rewritten_checkpoint_columns_do_not_hide_a_rewritten_tree(registry: Registry) -> None:
    """The insider rewrites history to the same size and makes the stored roots beside the old
    checkpoints agree with it: the signed notes still say the old roots, and audit reads those."""
    from sqlalchemy import select, update

    from xinyong.ledger.merkle import root_at
    from xinyong.ledger.store import SqlTree, tree_size
    from xinyong.store.schema import ledger_checkpoints

    sign_current(registry.engine, registry.signer)
    _rewrite_from(registry.engine, 3)
    apply(registry.engine, [record(ACME, f"改-{i}") for i in range(5)], actor="test")
    drop_append_only(registry.engine, "ledger_checkpoints")
    with registry.engine.begin() as conn:
        size = tree_size(conn)
        for row in conn.execute(select(ledger_checkpoints)).all():
            if row.size <= size:
                conn.execute(
                    update(ledger_checkpoints)
                    .where(ledger_checkpoints.c.id == row.id)
                    .values(root_hash=root_at(SqlTree(conn, size), row.size))
                )
    named = _named(registry)
    assert any("ledger_checkpoints" in n and "rewritten" in n for n in named), named


def test_a_shrunk_log_is_a_fork(registry: Registry, site: TestClient, tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    save_state(state_file, _verify(registry, site))
    _rewrite_from(registry.engine, 5)
    # The server itself never signs a smaller head; an insider holding the key can (force).
    assert sign_current(registry.engine, registry.signer).size == 8
    sign_current(registry.engine, registry.signer, force=True)
    with pytest.raises(VerificationFailed, match="fork: the log now has 5 entries"):
        _verify(registry, site, load_state(state_file))
    named = _named(registry)  # the old checkpoint no longer fits the tree either
    assert any(n.startswith("ledger_checkpoints") for n in named), named


def test_a_checkpoint_signed_by_another_key_is_refused(
    registry: Registry, site: TestClient
) -> None:
    from xinyong.ledger import Signer

    with pytest.raises(VerificationFailed, match="does not verify"):
        verify_log(SITE, Signer.generate(registry.signer.name).verifier, get=getter(site))


def test_a_write_during_the_audit_is_not_taken_for_tampering(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit reads one snapshot: an ordinary change committed while it replays is simply not
    part of what it audits."""
    import xinyong.ledger.audit as audit_module

    replay = audit_module._replay

    def replay_then_write(src, target):  # type: ignore[no-untyped-def]
        found = replay(src, target)
        apply(registry.engine, [record(ACME, "审计期间写入")], actor="test")
        return found

    monkeypatch.setattr(audit_module, "_replay", replay_then_write)
    assert _named(registry) == []
    monkeypatch.undo()
    assert _named(registry) == []  # and the next audit sees the write, intact
