"""The independent verifier: trusts nothing but the registry's HTTP API and its public key.

``verify_log`` does what docs/ledger.md tells anyone to do by hand:

1. fetch the latest checkpoint and check its signature and origin;
2. prove that it extends the checkpoint verified last time (kept in a state file): a log that
   shrank or whose proof fails has been rewritten (a fork), and the two signed checkpoints are
   the evidence;
3. download every envelope, recompute the root from the leaf bytes and compare it with the
   checkpoint's, finding the first leaf that does not fit by bisection over consistency proofs;
4. for every public entry, recompute SHA-256(salt ‖ payload) and compare it with the envelope's
   digest;
5. check one inclusion proof, so that the proof endpoint is exercised too.

It uses only the standard library for HTTP (``urllib``): a verifier should be easy to audit and
to run anywhere. Tests inject a getter.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinyong.ledger.checkpoint import Checkpoint, open_checkpoint
from xinyong.ledger.envelope import payload_digest
from xinyong.ledger.keys import KeyFormatError, Verifier
from xinyong.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from xinyong.ledger.note import NoteError

__all__ = [
    "Getter",
    "VerificationFailed",
    "VerifyResult",
    "check_entry_proof",
    "http_get",
    "load_state",
    "load_verifier",
    "prove_entry",
    "save_state",
    "verify_log",
]

Getter = Callable[[str], bytes]
"""Fetch a URL and return the body of a 200 answer; raise ``VerificationFailed`` otherwise."""

PAGE = 1000


class VerificationFailed(Exception):
    """The log does not verify. ``index`` is the first leaf that does not match, when known."""

    def __init__(self, message: str, index: int | None = None) -> None:
        self.index = index
        super().__init__(message)


@dataclass
class VerifyResult:
    checkpoint: Checkpoint
    note: str
    previous_size: int | None
    entries: int = 0
    public_checked: int = 0
    withheld: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "origin": self.checkpoint.origin,
            "size": self.checkpoint.size,
            "root": base64.b64encode(self.checkpoint.root_hash).decode("ascii"),
            "previous_size": self.previous_size,
            "entries": self.entries,
            "public_checked": self.public_checked,
            "withheld": self.withheld,
            "problems": [{"index": i, "seq": i + 1, "problem": p} for i, p in self.problems],
        }


RATE_LIMIT_RETRIES = 30
LONGEST_WAIT = 60.0


def http_get(url: str, timeout: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> bytes:
    """GET one URL. A public registry rate-limits its clients: a 429 is waited out as its
    Retry-After says (a whole log is thousands of pages), not taken for a failed verification."""
    request = urllib.request.Request(url, headers={"Accept": "application/json, text/plain"})  # noqa: S310
    for _ in range(RATE_LIMIT_RETRIES):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                body: bytes = answer.read()
                return body
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                wait = _retry_after(exc.headers.get("Retry-After"))
                exc.close()  # the refused response holds its connection open otherwise
                sleep(wait)
                continue
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise VerificationFailed(f"GET {url}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise VerificationFailed(f"GET {url}: {exc}") from None
    raise VerificationFailed(f"GET {url}: still rate-limited after {RATE_LIMIT_RETRIES} waits")


def _retry_after(raw: str | None) -> float:
    try:
        return min(LONGEST_WAIT, max(0.0, float(raw or 1)))
    except ValueError:
        return 1.0


def load_verifier(key: str) -> Verifier:
    """The verifier string itself, or a file holding it."""
    text = key.strip()
    if "+" not in text or Path(text).is_file():
        try:
            text = Path(text).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise VerificationFailed(f"cannot read the public key file {key}: {exc}") from None
    try:
        return Verifier.from_string(text)
    except KeyFormatError as exc:
        raise VerificationFailed(f"not a verifier key: {exc}") from None


def load_state(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        int(state["size"])
        base64.b64decode(state["root"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise VerificationFailed(f"the state file {path} is not readable: {exc}") from None
    return dict(state)


def save_state(path: Path, result: VerifyResult) -> None:
    state = {
        "origin": result.checkpoint.origin,
        "size": result.checkpoint.size,
        "root": base64.b64encode(result.checkpoint.root_hash).decode("ascii"),
        "checkpoint": result.note,
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def _json(get: Getter, url: str) -> Any:
    body = get(url)
    try:
        return json.loads(body)
    except ValueError:
        raise VerificationFailed(f"GET {url}: the answer is not JSON") from None


def _hashes(values: Any, what: str) -> list[bytes]:
    try:
        return [base64.b64decode(v, validate=True) for v in values]
    except (binascii.Error, TypeError, ValueError):
        raise VerificationFailed(f"the {what} holds a hash that is not base64") from None


class _Leaves:
    """Leaf hashes, 32 bytes each in one buffer; roots of any prefix on demand."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def append(self, value: bytes) -> None:
        self._buffer += value

    def __len__(self) -> int:
        return len(self._buffer) // HASH_SIZE

    def root(self, size: int) -> bytes:
        if size == 0:
            return EMPTY_ROOT
        stack: list[tuple[int, bytes]] = []  # complete subtrees, largest first
        view = memoryview(self._buffer)
        for i in range(size):
            level, value = 0, bytes(view[i * HASH_SIZE : (i + 1) * HASH_SIZE])
            while stack and stack[-1][0] == level:
                value = node_hash(stack.pop()[1], value)
                level += 1
            stack.append((level, value))
        acc = stack[-1][1]
        for _, value in reversed(stack[:-1]):
            acc = node_hash(value, acc)
        return acc


def _open(note: bytes, verifier: Verifier) -> tuple[str, Checkpoint]:
    text = note.decode("utf-8", "replace")
    try:
        return text, open_checkpoint(text, verifier)
    except NoteError as exc:
        raise VerificationFailed(f"the checkpoint does not verify: {exc}") from None


def _check_extends(
    get: Getter, base: str, checkpoint: Checkpoint, state: dict[str, Any] | None
) -> int | None:
    if state is None:
        return None
    old_size, old_root = int(state["size"]), base64.b64decode(state["root"])
    if state.get("origin") not in (None, checkpoint.origin):
        raise VerificationFailed(
            f"the state file is for origin {state['origin']!r}, not {checkpoint.origin!r}"
        )
    if checkpoint.size < old_size:
        raise VerificationFailed(
            f"fork: the log now has {checkpoint.size} entries but you verified a signed "
            f"checkpoint of {old_size} before: it was truncated or rewritten (keep both "
            "checkpoints: they are the evidence)"
        )
    if old_size == 0:
        return old_size
    if old_size == checkpoint.size:
        proof: list[bytes] = []
    else:
        answer = _json(
            get, f"{base}/api/v1/ledger/proof/consistency?first={old_size}&second={checkpoint.size}"
        )
        proof = _hashes(answer.get("proof"), "consistency proof")
    if not verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root_hash, proof):
        raise VerificationFailed(
            f"fork: the signed checkpoint of {checkpoint.size} entries does not extend the "
            f"signed checkpoint of {old_size} entries you verified before: the log was "
            "rewritten (keep both checkpoints: they are the evidence)"
        )
    return old_size


def _first_bad_leaf(get: Getter, base: str, leaves: _Leaves, checkpoint: Checkpoint) -> int:
    """The smallest m whose prefix [0, m) no consistency proof joins to the checkpoint, minus
    one: the first leaf that does not fit. Prefixes up to a bad leaf fit; every longer one
    does not (short of a hash collision), so bisection finds it in log2(n) proofs."""
    size = checkpoint.size

    def fits(m: int) -> bool:
        if m == size:
            return leaves.root(m) == checkpoint.root_hash
        answer = _json(get, f"{base}/api/v1/ledger/proof/consistency?first={m}&second={size}")
        proof = _hashes(answer.get("proof"), "consistency proof")
        return verify_consistency(m, size, leaves.root(m), checkpoint.root_hash, proof)

    low, high = 1, size  # the answer m lies in [low, high]; fits(high) is False
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            low = middle + 1
        else:
            high = middle
    return low - 1


def verify_log(
    base_url: str,
    verifier: Verifier,
    state: dict[str, Any] | None = None,
    *,
    get: Getter = http_get,
    page: int = PAGE,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyResult:
    """Verify the log at ``base_url`` (the site root). Raises ``VerificationFailed`` naming the
    first index that does not match; returns what was checked."""
    base = base_url.rstrip("/")
    note, checkpoint = _open(get(f"{base}/api/v1/ledger/checkpoint"), verifier)
    result = VerifyResult(checkpoint, note, _check_extends(get, base, checkpoint, state))
    leaves = _Leaves()
    start = 0
    while start < checkpoint.size:
        end = min(start + page, checkpoint.size) - 1
        answer = _json(get, f"{base}/api/v1/ledger/entries?start={start}&end={end}&payloads=true")
        batch = answer.get("entries") if isinstance(answer, dict) else None
        if not isinstance(batch, list) or not batch:
            raise VerificationFailed(f"the log served no entries from index {start}", start)
        for item in batch:
            _check_entry(item, len(leaves), leaves, result)
            if len(leaves) == checkpoint.size:
                break
        start = len(leaves)
        if progress is not None:
            progress(start, checkpoint.size)
    result.entries = len(leaves)
    if leaves.root(checkpoint.size) != checkpoint.root_hash:
        bad = _first_bad_leaf(get, base, leaves, checkpoint)
        result.problems.append((bad, "the leaf does not match the signed tree"))
    elif checkpoint.size:
        _check_inclusion(get, base, leaves, checkpoint)
    if result.problems:
        index, problem = min(result.problems)
        raise VerificationFailed(
            f"index {index} (journal entry {index + 1}): {problem}"
            + (f"; {len(result.problems) - 1} more problem(s)" if len(result.problems) > 1 else ""),
            index,
        )
    return result


def _check_entry(item: Any, index: int, leaves: _Leaves, result: VerifyResult) -> None:
    if not isinstance(item, dict) or item.get("index") != index:
        raise VerificationFailed(f"the log served entries out of order at index {index}", index)
    try:
        leaf = base64.b64decode(item["leaf"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise VerificationFailed(f"index {index}: the leaf is not base64", index) from None
    leaves.append(leaf_hash(leaf))
    try:
        envelope = json.loads(leaf)
    except ValueError:
        result.problems.append((index, "the leaf is not an envelope (not JSON)"))
        return
    if not isinstance(envelope, dict) or envelope.get("seq") != index + 1:
        result.problems.append((index, "the envelope's seq is not its index + 1"))
        return
    if "payload" in item and "salt" in item:
        try:
            salt = bytes.fromhex(item["salt"])
            text = str(item["payload"])
        except (TypeError, ValueError):
            result.problems.append((index, "the salt is not hex"))
            return
        if payload_digest(salt, text) != envelope.get("digest"):
            result.problems.append(
                (index, "the public payload does not match the envelope's digest")
            )
        result.public_checked += 1
    else:
        result.withheld += 1


def _check_inclusion(get: Getter, base: str, leaves: _Leaves, checkpoint: Checkpoint) -> None:
    index = checkpoint.size - 1
    answer = _json(
        get, f"{base}/api/v1/ledger/proof/inclusion?index={index}&size={checkpoint.size}"
    )
    proof = _hashes(answer.get("proof"), "inclusion proof")
    own = bytes(memoryview(leaves._buffer)[index * HASH_SIZE : (index + 1) * HASH_SIZE])
    if not verify_inclusion(own, index, checkpoint.size, proof, checkpoint.root_hash):
        raise VerificationFailed(
            f"the inclusion proof the log served for index {index} does not verify", index
        )


def prove_entry(
    base_url: str, verifier: Verifier, seq: int, *, get: Getter = http_get
) -> dict[str, Any]:
    """Check one journal entry over HTTP: its envelope's inclusion in the latest signed
    checkpoint and, when it is public, its payload's digest. Raises when it fails."""
    base = base_url.rstrip("/")
    _, checkpoint = _open(get(f"{base}/api/v1/ledger/checkpoint"), verifier)
    if not 1 <= seq <= checkpoint.size:
        raise VerificationFailed(
            f"journal entry {seq} is not in the latest checkpoint ({checkpoint.size} entries)"
        )
    entry = _json(get, f"{base}/api/v1/ledger/entries/{seq}")
    answer = _json(
        get, f"{base}/api/v1/ledger/proof/inclusion?index={seq - 1}&size={checkpoint.size}"
    )
    return check_entry_proof(checkpoint, seq, entry, answer)


def _digest_of(entry: dict[str, Any]) -> str | None:
    """The digest of a served salt and payload; None when they are malformed (never a crash)."""
    try:
        return payload_digest(bytes.fromhex(str(entry["salt"])), str(entry["payload"]))
    except (KeyError, ValueError):
        return None


def check_entry_proof(
    checkpoint: Checkpoint, seq: int, entry: dict[str, Any], answer: dict[str, Any]
) -> dict[str, Any]:
    """Check an entry view (``GET …/entries/{seq}``) and an inclusion proof answer against a
    checkpoint whose signature was already verified."""
    try:
        leaf = base64.b64decode(entry["leaf"], validate=True)
        envelope = json.loads(leaf)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise VerificationFailed(
            f"journal entry {seq}: the leaf is not an envelope", seq - 1
        ) from None
    if not isinstance(envelope, dict) or envelope.get("seq") != seq:
        raise VerificationFailed(
            f"journal entry {seq}: the server answered with the envelope of another entry", seq - 1
        )
    proof = _hashes(answer.get("proof"), "inclusion proof")
    if not verify_inclusion(leaf_hash(leaf), seq - 1, checkpoint.size, proof, checkpoint.root_hash):
        raise VerificationFailed(
            f"journal entry {seq}: its envelope is not in the signed tree of "
            f"{checkpoint.size} entries",
            seq - 1,
        )
    public = "payload" in entry and "salt" in entry
    if public and _digest_of(entry) != envelope.get("digest"):
        raise VerificationFailed(
            f"journal entry {seq}: the public payload does not match the envelope's digest",
            seq - 1,
        )
    return {
        "seq": seq,
        "index": seq - 1,
        "size": checkpoint.size,
        "root": base64.b64encode(checkpoint.root_hash).decode("ascii"),
        "envelope": envelope,
        "proof": answer.get("proof"),
        "included": True,
        "payload_checked": public,
        "withheld": entry.get("withheld"),
    }
