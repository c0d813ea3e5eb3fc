"""The log in the database: a leaf per journal entry in the same transaction, append-only storage,
envelopes that publish no personal data, and endpoints whose proofs verify against the
checkpoint."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from tests.factories import record
from tests.ledger.conftest import ACME, FINED, PERSON_ID, REPAIRED, Registry

from xinyong.ledger import open_checkpoint, root, root_at, verify_consistency, verify_inclusion
from xinyong.ledger.envelope import person_pseudonym
from xinyong.ledger.merkle import leaf_hash
from xinyong.ledger.service import sign_current
from xinyong.ledger.store import SqlTree, tree_size
from xinyong.store import ChangeRejected, apply
from xinyong.store.reads import journal_seq
from xinyong.store.schema import journal, ledger_entries, ledger_nodes


def _leaves(registry: Registry) -> list[bytes]:
    with registry.engine.connect() as conn:
        rows = conn.execute(select(ledger_entries.c.envelope).order_by(ledger_entries.c.seq))
        return [r.envelope.encode() for r in rows]


def test_every_journal_entry_has_its_leaf_and_the_stored_tree_agrees(registry: Registry) -> None:
    leaves = _leaves(registry)
    with registry.engine.connect() as conn:
        assert tree_size(conn) == journal_seq(conn) == len(leaves) == 8
        assert root_at(SqlTree(conn, len(leaves)), len(leaves)) == root(leaves)
        # about two nodes per leaf, never more than 2n
        nodes = conn.execute(select(func.count()).select_from(ledger_nodes)).scalar_one()
        assert len(leaves) <= nodes < 2 * len(leaves)
        payloads = dict(conn.execute(select(journal.c.seq, journal.c.payload)).all())
        salts = dict(conn.execute(select(ledger_entries.c.seq, ledger_entries.c.salt)).all())
    envelopes = [json.loads(leaf) for leaf in leaves]
    assert [e["seq"] for e in envelopes] == list(range(1, 9))
    assert envelopes[1]["subject"] == ACME and envelopes[1]["agency"] == "operator"
    assert envelopes[7]["agency"] == "samr"  # apikey:samr:k1
    for envelope in envelopes:
        salt = bytes(salts[envelope["seq"]])
        assert len(salt) == 16
        data = salt + payloads[envelope["seq"]].encode()
        assert envelope["digest"] == hashlib.sha256(data).hexdigest()


def test_envelopes_carry_no_personal_data(registry: Registry) -> None:
    text_of_log = b"".join(_leaves(registry)).decode()
    assert registry.person_key not in text_of_log
    assert PERSON_ID not in text_of_log and "张三" not in text_of_log and "alice" not in text_of_log
    assert person_pseudonym(registry.person_key) in text_of_log


def test_a_refused_change_leaves_neither_journal_nor_leaf(registry: Registry) -> None:
    before = _leaves(registry)
    with pytest.raises(ChangeRejected):
        apply(
            registry.engine,
            [record(ACME, "新-1"), record("91000000000000000X", "新-2")],
            actor="test",
        )
    assert _leaves(registry) == before
    with registry.engine.connect() as conn:
        assert tree_size(conn) == journal_seq(conn) == len(before)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET envelope = '{}' WHERE seq = 1",
        "DELETE FROM ledger_entries WHERE seq = 8",
        "UPDATE ledger_nodes SET hash = hash WHERE level = 0",
        "DELETE FROM ledger_nodes",
        "UPDATE ledger_head SET size = 3",
        "DELETE FROM ledger_head",
        "UPDATE journal SET payload = '{}' WHERE seq = 4",
    ],
)
def test_the_log_is_append_only_in_the_database(registry: Registry, statement: str) -> None:
    sign_current(registry.engine, registry.signer)
    before = _leaves(registry)
    refused = pytest.raises(DatabaseError, match=r"append-only|only grows")
    with refused, registry.engine.begin() as c:
        c.execute(text(statement))
    assert _leaves(registry) == before


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO journal SELECT seq, recorded_at, actor, kind, '{}' "
        "FROM journal WHERE seq = 4",
        "INSERT OR REPLACE INTO ledger_entries SELECT seq, salt, '{}', actor_salt "
        "FROM ledger_entries "
        "WHERE seq = 4",
        "INSERT OR REPLACE INTO ledger_nodes SELECT level, idx, hash FROM ledger_nodes "
        "WHERE level = 0 AND idx = 3",
        "INSERT OR REPLACE INTO ledger_head VALUES (1, 0)",
        "INSERT OR REPLACE INTO journal_head VALUES (1, 0)",
    ],
)
def test_sqlite_replace_cannot_rewrite_the_log(registry: Registry, statement: str) -> None:
    """SQLite's REPLACE deletes without firing DELETE triggers: it is refused on its own."""
    if registry.engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's upsert is an UPDATE, refused")
    before = _leaves(registry)
    with pytest.raises(DatabaseError, match="append-only"), registry.engine.begin() as c:
        c.execute(text(statement))
    assert _leaves(registry) == before


def test_checkpoint_endpoint_serves_the_signed_head(registry: Registry, site: TestClient) -> None:
    answer = site.get("/api/v1/ledger/checkpoint")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    checkpoint = open_checkpoint(answer.text, registry.signer.verifier)
    assert checkpoint.size == 8 and checkpoint.root_hash == root(_leaves(registry))


def test_entries_are_the_exact_leaf_bytes(registry: Registry, site: TestClient) -> None:
    answer = site.get("/api/v1/ledger/entries", params={"start": 0, "end": 100}).json()
    assert answer["size"] == 8
    assert [base64.b64decode(e["leaf"]) for e in answer["entries"]] == _leaves(registry)
    assert [e["index"] for e in answer["entries"]] == list(range(8))
    page = site.get("/api/v1/ledger/entries", params={"start": 2, "end": 3}).json()
    assert [e["index"] for e in page["entries"]] == [2, 3]


def test_public_entries_show_salt_and_payload_and_others_only_the_envelope(
    registry: Registry, site: TestClient
) -> None:
    answer = site.get("/api/v1/ledger/entries?start=0&end=7&payloads=true").json()
    shown = {e["index"] + 1: e for e in answer["entries"]}
    public = {seq for seq, e in shown.items() if "payload" in e}
    # agency, two organisations, the fined record; not the repaired record (5), the person (6),
    # the person's record (7) or the repair itself (8)
    assert public == {1, 2, 3, 4}
    assert "repaired" in shown[5]["withheld"] and "natural person" in shown[6]["withheld"]
    assert "natural person" in shown[7]["withheld"] and "publicity" in shown[8]["withheld"]
    for seq in public:
        envelope = json.loads(base64.b64decode(shown[seq]["leaf"]))
        data = bytes.fromhex(shown[seq]["salt"]) + shown[seq]["payload"].encode()
        assert hashlib.sha256(data).hexdigest() == envelope["digest"]
    one = site.get("/api/v1/ledger/entries/4").json()
    assert one["public"] and FINED in one["payload"] and one["envelope"]["seq"] == 4
    hidden = site.get("/api/v1/ledger/entries/5").json()
    assert not hidden["public"] and "payload" not in hidden and "salt" not in hidden
    assert REPAIRED not in json.dumps(hidden, ensure_ascii=False)


def test_subject_records_carry_their_journal_seq(registry: Registry, site: TestClient) -> None:
    records = site.get(f"/api/v1/subjects/{ACME}").json()["records"]
    assert [r["journal_seq"] for r in records] == [4]
    entry = site.get(f"/api/v1/ledger/entries/{records[0]['journal_seq']}").json()
    assert entry["public"] and json.loads(entry["payload"])["doc_no"] == FINED


def test_a_public_record_view_proves_itself(registry: Registry, site: TestClient) -> None:
    """From the subject JSON alone: the digest recomputed from the record's salt and payload is
    the one in its envelope, and that envelope is a leaf of the signed tree."""
    (shown,) = site.get(f"/api/v1/subjects/{ACME}").json()["records"]
    digest = hashlib.sha256(bytes.fromhex(shown["salt"]) + shown["payload"].encode()).hexdigest()
    assert json.loads(shown["payload"])["doc_no"] == FINED
    head = open_checkpoint(site.get("/api/v1/ledger/checkpoint").text, registry.signer.verifier)
    index = shown["journal_seq"] - 1
    listed = site.get(f"/api/v1/ledger/entries?start={index}&end={index}").json()
    leaf = base64.b64decode(listed["entries"][0]["leaf"])
    assert json.loads(leaf)["digest"] == digest
    proof = site.get(f"/api/v1/ledger/proof/inclusion?index={index}&size={head.size}").json()
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    assert verify_inclusion(leaf_hash(leaf), index, head.size, hashes, head.root_hash)


def test_proofs_verify_against_the_checkpoint(registry: Registry, site: TestClient) -> None:
    first = open_checkpoint(site.get("/api/v1/ledger/checkpoint").text, registry.signer.verifier)
    apply(registry.engine, [record(ACME, f"新-{i}") for i in range(5)], actor="test")
    second_note = sign_current(registry.engine, registry.signer).note
    second = open_checkpoint(second_note, registry.signer.verifier)
    assert site.get("/api/v1/ledger/checkpoint").text == second_note
    leaves = _leaves(registry)
    for index, leaf in enumerate(leaves):
        answer = site.get(f"/api/v1/ledger/proof/inclusion?index={index}&size={second.size}")
        proof = [base64.b64decode(h) for h in answer.json()["proof"]]
        assert verify_inclusion(leaf_hash(leaf), index, second.size, proof, second.root_hash)
        assert base64.b64decode(answer.json()["leaf_hash"]) == leaf_hash(leaf)
    answer = site.get(
        f"/api/v1/ledger/proof/consistency?first={first.size}&second={second.size}"
    ).json()
    proof = [base64.b64decode(h) for h in answer["proof"]]
    assert verify_consistency(first.size, second.size, first.root_hash, second.root_hash, proof)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ledger/proof/inclusion?index=8&size=8",
        "/api/v1/ledger/proof/inclusion?index=0&size=99",
        "/api/v1/ledger/proof/consistency?first=0&second=8",
        "/api/v1/ledger/proof/consistency?first=5&second=4",
        "/api/v1/ledger/entries?start=9&end=10",
        "/api/v1/ledger/entries?start=3&end=2",
    ],
)
def test_bad_requests_are_problems(site: TestClient, path: str) -> None:
    answer = site.get(path)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json" and answer.json()["errors"]


def test_unknown_entry_is_404(site: TestClient) -> None:
    answer = site.get("/api/v1/ledger/entries/99")
    assert answer.status_code == 404 and answer.json()["errors"]


def test_the_page_explains_verification(site: TestClient) -> None:
    for lang in ("zh", "en"):
        page = site.get(f"/ledger?lang={lang}")
        assert page.status_code == 200
        assert "/api/v1/ledger/proof/consistency" in page.text
        assert "xinyong ledger verify" in page.text
