"""Matching one screening row: by code when it has one, else by name (with the legal
representative, when given, to confirm or tell apart); then the subject's lists and measures.

A match is claimed only when it is clear: the best candidate scores at least `CLAIM` and the next
is not within `AMBIGUOUS` of it. Otherwise the row answers no code, with the close candidates, so
an analyst decides — a screening tool that guesses puts the wrong company on a blacklist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from xinyong.codes import (
    CodeError,
    IdHasher,
    looks_like_ric,
    mask_id_like,
    normalise_code,
    validate_ric,
    validate_uscc,
)
from xinyong.evaluate import Rules
from xinyong.registry.measures import subject_evaluation
from xinyong.search import SearchHit, search_subjects
from xinyong.store import reads

CLAIM = 0.85
AMBIGUOUS = 0.05


@dataclass(frozen=True)
class ScreenInput:
    row: int  # 1-based, as the input file numbers its data rows
    name: str = ""
    code: str = ""
    legal_representative: str = ""


@dataclass
class ScreenResult:
    row: int
    name: str
    code: str
    legal_representative: str
    matched_code: str | None = None
    matched_name: str | None = None
    confidence: float = 0.0
    explanation: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    provisional: bool = False
    lists: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    report: str | None = None
    error: str | None = None
    subject_key: str | None = field(default=None, repr=False)  # internal: never output

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "subject_key"}


def screen_rows(
    conn: Connection,
    rules: Rules,
    rows: Iterable[ScreenInput],
    on: dt.date,
    hasher: IdHasher | None = None,
    known_at: int | None = None,
) -> Iterator[ScreenResult]:
    """One result per input row, in order; a bad row carries `error`, never an exception.
    Every row is read at one journal position (`known_at`, default the head now), so a list
    screened in parts, or while agencies write, is one consistent answer."""
    position = reads.journal_seq(conn) if known_at is None else known_at
    for row in rows:
        # A resident ID given as the code is echoed masked, like every public output (DESIGN.md
        # invariant 7); matching uses the row as given.
        result = ScreenResult(row.row, row.name, mask_id_like(row.code), row.legal_representative)
        try:
            _match(conn, row, result, position, hasher)
            if result.matched_code is not None:
                _in_force(conn, rules, result, on, position)
        except CodeError as exc:
            result.error = mask_id_like(f"code: {'; '.join(exc.reasons)}")
        except Exception as exc:  # one bad row must never stop the rest
            result.error = mask_id_like(f"could not screen this row: {type(exc).__name__}: {exc}")
        yield result


def _match(
    conn: Connection, row: ScreenInput, result: ScreenResult, position: int, hasher: IdHasher | None
) -> None:
    name, code, rep = row.name.strip(), row.code.strip(), row.legal_representative.strip()
    if not name and not code:
        result.error = "name: the row has neither a name nor a code"
        return
    if code:
        key = _code_key(code, hasher)
        subject = reads.subject(conn, key, position) if key else None
        if subject is None:
            result.explanation = f"code {result.code} is not in the registry"
            if not name:
                return
        else:
            _claim(
                result,
                subject.subject_key,
                subject.code,
                subject.name,
                subject.provisional,
                1.0,
                "code:exact",
            )
            if name and name not in {n.name for n in subject.names}:
                result.explanation += f"; the registry's name differs from {name!r}"
            return
    page = search_subjects(conn, name, limit=5, known_at=position, hasher=hasher)
    hits = [_adjusted(h, rep) for h in page.results]
    hits.sort(key=lambda pair: -pair[1])
    if not hits:
        result.explanation = (result.explanation + "; " if result.explanation else "") + (
            "no subject in the registry matches the name"
        )
        return
    best, score = hits[0]
    close = [(h, s) for h, s in hits[1:] if s >= score - AMBIGUOUS]
    result.candidates = [
        {"code": h.code, "name": h.name, "score": round(s, 4), "matched_on": h.matched_on}
        for h, s in hits[:5]
        if s >= CLAIM - 0.25
    ]
    how = best.matched_on + (
        "; legal representative agrees" if rep and _rep_agrees(best, rep) else ""
    )
    # A name that is only close (a character or two different) is never claimed on its own: an
    # unregistered company often differs from a registered one by just that. The legal
    # representative agreeing makes it a claim.
    # Likewise a name that only contains the row's name, or is contained in it (part_of_name,
    # short_name): a screening row names one company in full, and a company whose name merely
    # overlaps is another company until something else says otherwise.
    whole = best.matched_on.endswith((":exact", ":without_region_or_form"))
    only_close = not whole and not (rep and _rep_agrees(best, rep))
    if score >= CLAIM and not close and not only_close:
        _claim(result, best.subject_key, best.code, best.name, best.provisional, score, how)
        return
    result.confidence = round(score, 4)
    if close:
        result.explanation = (
            f"ambiguous: {len(close) + 1} subjects match about as well ({how}); add the code or "
            "the legal representative"
        )
    elif only_close and score >= CLAIM:
        result.explanation = (
            f"close but not the same name: {best.name} ({how}); check it, or add the code or the "
            "legal representative"
        )
    else:
        result.explanation = f"no clear match: best {best.name} scores {score:.2f} ({how})"


def _code_key(code: str, hasher: IdHasher | None) -> str | None:
    normal = normalise_code(code)
    if looks_like_ric(normal) and hasher is not None:
        try:
            return hasher.digest(validate_ric(normal))
        except CodeError:
            pass
    return validate_uscc(normal)


def _rep_agrees(hit: SearchHit, rep: str) -> bool:
    return bool(hit.legal_representative) and hit.legal_representative == rep


def _adjusted(hit: SearchHit, rep: str) -> tuple[SearchHit, float]:
    """The legal representative, when given, confirms (+0.05) or counts against (-0.15)."""
    score = hit.score
    if rep and hit.legal_representative:
        score = min(1.0, score + 0.05) if hit.legal_representative == rep else score - 0.15
    return hit, score


def _claim(
    result: ScreenResult,
    key: str,
    code: str,
    name: str,
    provisional: bool,
    score: float,
    how: str,
) -> None:
    result.subject_key = key
    result.matched_code = code
    result.matched_name = name
    result.provisional = provisional
    result.confidence = round(score, 4)
    result.explanation = how
    result.report = None if "*" in code else f"/subjects/{code}/report"  # persons: masked


def _in_force(
    conn: Connection, rules: Rules, result: ScreenResult, on: dt.date, position: int
) -> None:
    assert result.subject_key is not None
    evaluation = subject_evaluation(conn, rules, result.subject_key, on, position)
    result.lists = sorted({lst.list_code for lst, _ in evaluation.listings})
    result.measures = sorted(m.measure.code for m in evaluation.applying())
