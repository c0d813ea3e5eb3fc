"""Subject search: a code goes straight to its subject; a name goes through candidates and ranking.

A query is normalised exactly as stored names are (NFKC, traditional → simplified, brackets,
spaces), so `臺灣積體電路（台積電）` finds `台湾积体电路(台积电)`. Ranking is ours and explainable:
exact name, then name prefix, then current names before former ones, then closeness (RapidFuzz
`ratio`, which DESIGN.md measured 40× faster than WRatio on Chinese names). Equal scores of a
trade name or its pinyin initials, which many subjects share, are ordered by a documented prior
(`prior`: live, confirmed, larger registered capital, older); docs/matching-notes.md measures it.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz.fuzz import ratio
from sqlalchemy import BigInteger, BindParameter, Connection, bindparam, select

from xinyong.codes import (
    CodeError,
    IdHasher,
    looks_like_ric,
    looks_like_uscc,
    normalise_code,
    normalise_name,
    validate_ric,
)
from xinyong.codes.company import INDUSTRY_WORDS, core_name
from xinyong.search import candidates
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.schema import subject_names, subjects
from xinyong.store.versions import visible


@dataclass(frozen=True, slots=True)
class SearchHit:
    subject_key: str
    code: str
    name: str
    kind: str
    status: str
    provisional: bool
    matched_name: str
    matched_name_type: str
    score: float = 1.0  # 0..1: how well it matched (see `score`)
    matched_on: str = "name:exact"  # field:how, e.g. former_name:without_region_or_form
    legal_representative: str | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: list[SearchHit]
    total: int
    offset: int
    capped: bool  # true when more candidates existed than were ranked: `total` is a lower bound
    known_at: int | None  # the journal position the page was read at


def _code_keys(query: str, hasher: IdHasher | None) -> list[str]:
    """Subject keys the query could be a code for: a USCC, and/or (hashed) a resident ID.

    Many resident IDs also have the shape of a USCC, so both readings are tried.
    """
    code = normalise_code(query)
    keys = []
    if looks_like_uscc(code):
        keys.append(code)
    if hasher is not None and looks_like_ric(code):
        with contextlib.suppress(CodeError):  # not a valid ID after all: no person reading
            keys.append(hasher.digest(validate_ric(code)))
    return keys


def search_subjects(
    conn: Connection,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    known_at: int | None = None,
    hasher: IdHasher | None = None,
) -> SearchPage:
    query = query.strip()
    if not query:
        return SearchPage([], 0, offset, False, known_at)
    for key in _code_keys(query, hasher):
        row = conn.execute(
            select(subjects).where(subjects.c.subject_key == key, visible(subjects, known_at))
        ).first()
        if row is not None:
            hit = _hit(row, row.name, "current", 1.0, "code:exact")
            return SearchPage([hit][offset : offset + limit], 1, offset, False, known_at)
    reg_no = normalise_code(query)
    if _REG_NO.fullmatch(reg_no):
        rows = conn.execute(
            select(subjects).where(
                subjects.c.registration_no == reg_no, visible(subjects, known_at)
            )
        ).all()
        if rows:
            hits = [_hit(r, r.name, "current", 1.0, "registration_no:exact") for r in rows]
            return SearchPage(hits[offset : offset + limit], len(hits), offset, False, known_at)
    org = _org_code(query)
    if org is not None:
        rows = conn.execute(
            select(subjects).where(subjects.c.org_code == org, visible(subjects, known_at))
        ).all()
        if rows:
            hits = [_hit(r, r.name, "current", 1.0, "org_code:exact") for r in rows]
            return SearchPage(hits[offset : offset + limit], len(hits), offset, False, known_at)
    q = Query.of(query)
    if not q.key:
        return SearchPage([], 0, offset, False, known_at)
    ids, capped, rep_keys = _candidates(conn, q, known_at)
    ranked = _rank(conn, ids, q, known_at, rep_keys, offset + limit)
    hits = _hits(conn, ranked[offset : offset + limit], known_at)
    return SearchPage(hits, len(ranked), offset, capped, known_at)


@dataclass(frozen=True, slots=True)
class Query:
    raw: str
    key: str  # normalised (NFKC, simplified, brackets, no spaces, lower case)
    core: str  # without region and organisational form
    letters: str | None  # the query as pinyin initials, when it is only ASCII letters

    @classmethod
    def of(cls, raw: str) -> Query:
        key = normalise_name(raw)
        letters = key if _LETTERS.fullmatch(key) else None
        return cls(raw, key, core_name(key) if key else "", letters)


_LETTERS = re.compile(r"[a-z]{2,16}")
_REG_NO = re.compile(r"\d{13}|\d{15}")
_ORG_CODE = re.compile(r"[0-9A-Z]{8}-?[0-9X]")


def _org_code(query: str) -> str | None:
    """A GB 11714 organisation code (8 characters and a check character), as people write it
    (12345678-9). Only the shape is tested here: the subjects table holds real ones."""
    code = normalise_code(query)
    if _ORG_CODE.fullmatch(code) and not looks_like_uscc(code):
        return code.replace("-", "")
    return None


def _candidates(
    conn: Connection, q: Query, known_at: int | None
) -> tuple[list[int], bool, set[str]]:
    ids = candidates.exact(conn, q.key, q.core, known_at)
    exact = bool(ids)
    capped = False
    if len(q.key) >= 3:
        found, capped = candidates.containing(conn, q.key, known_at)
        ids += found
        if q.core != q.key and len(q.core) >= 3:
            found, more = candidates.containing(conn, q.core, known_at)
            ids += found
            capped = capped or more
        if not exact and len(set(ids)) < 5:  # nothing equal and little alike: a typo, perhaps
            ids += candidates.similar(conn, q.key, known_at)
    else:
        found, capped = candidates.short(conn, q.key, known_at)
        ids += found
    if q.letters is not None:
        ids += candidates.by_initials(conn, q.letters, known_at)
    rep_keys: set[str] = set()
    if 2 <= len(q.raw) <= 6 and not q.letters:
        rep_keys = set(candidates.by_legal_representative(conn, q.raw.strip(), known_at))
        ids += candidates.names_of(conn, rep_keys, known_at)
    return list(dict.fromkeys(ids)), capped, rep_keys


_TYPE_ORDER = {"current": 0, "english": 1, "alternative": 2, "former": 3}
_FIELD = {
    "current": "name",
    "former": "former_name",
    "english": "english_name",
    "alternative": "other_name",
}


def score(q: Query, name_key: str, core_key: str, initials: str) -> tuple[float, str]:
    """How well a stored name matches the query, 0..1, and how (see docs/api.md)."""
    if name_key == q.key:
        return 1.0, "exact"
    if q.core and core_key == q.core:
        return 0.96, "without_region_or_form"
    if q.key in name_key:
        stem = q.key if core_key.startswith(q.key) else q.core
        if stem and core_key.startswith(stem):
            if len(stem) in word_ends(core_key):
                # The trade name, or it and whole industry words (字节跳动 of 字节跳动科技): equally
                # good for every subject of that trade name; the prior orders them (`_rank`).
                return 0.9, "short_name"
            return min(0.8 + 0.15 * len(q.key) / max(len(core_key), 1), 0.89), "short_name"
        return 0.7 + 0.2 * len(q.key) / max(len(name_key), 1), "part_of_name"
    if q.core and len(q.core) >= 2 and q.core in core_key:
        return 0.75 + 0.2 * len(q.core) / max(len(core_key), 1), "part_of_name"
    if q.letters is not None:
        found = initials_score(q.letters, name_key, core_key, initials)
        if found is not None:
            return found, "pinyin_initials"
    closeness = max(ratio(q.key, name_key), ratio(q.core, core_key) if q.core else 0.0) / 100
    return 0.9 * closeness, "similar"


_INDUSTRY_AT_END = re.compile("(?:" + "|".join(map(re.escape, INDUSTRY_WORDS)) + r"|\([^()]*\))$")


_BRANCH = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|公司).*分$")


@functools.lru_cache(maxsize=1 << 16)
def word_ends(core: str) -> tuple[int, ...]:
    """Lengths at which a start of the core name ends on a whole word, shortest first: the trade
    name as `codes.company.trade_name` peels it, then with each industry word after it, then the
    core (字节跳动科技 → 4, 6; 中国石油化工 → 2, 4, 6). A trailing bracketed part (蒙牛乳业(集团))
    is a word too, and a branch's core ends at its company's form (晨锦芳会展服务有限公司成都分:
    the company's name and form are left in it)."""
    ends = {len(core)}
    branch = _BRANCH.search(core)
    if branch is not None and branch.start() >= 2:
        core = core[: branch.start()]
        ends.add(len(core))
    while True:
        match = _INDUSTRY_AT_END.search(core)
        if match is None or match.start() < 2:
            return tuple(sorted(ends))
        core = core[: match.start()]
        ends.add(len(core))


def _one_letter(ch: str) -> bool:
    """Whether `codes.company.initials` gives this character one letter."""
    if ch.isascii():
        return ch.isalnum()
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _chars_for(core: str, letters: int, initials: str) -> int | None:
    """How many characters of the core the first `letters` of its initials stand for, or None
    when the core has no one-letter-a-character reading (a rare character pypinyin lacks)."""
    if sum(map(_one_letter, core)) != len(initials):
        return None
    count = 0
    for i, ch in enumerate(core):
        count += _one_letter(ch)
        if count == letters:
            return i + 1
    return None


def _covered(letters: str, core: str, initials: str) -> float:
    """0..0.92: how much of the core name initials that start its initials stand for."""
    chars = _chars_for(core, len(letters), initials)
    if chars is None:
        return 0.6 + 0.25 * len(letters) / max(len(initials), 1)
    if len(letters) == len(initials):
        return 0.92  # the whole core name: lx → 联想
    ends = word_ends(core)
    if chars in ends:
        return 0.9  # the trade name, perhaps with whole industry words: zjtd → 字节跳动科技
    if chars < ends[0]:
        # The start of what may be the trade name, which runs on to no known word (dj → 大疆创新
        # of 大疆创新科技): the more of it, the better.
        return 0.75 + 0.1 * chars / ends[0]
    # A trade name and part of the word after it (zjtd → 正健天 + 电子): least alike.
    return 0.6 + 0.1 * chars / len(core)


def initials_score(letters: str, name_key: str, core_key: str, initials: str) -> float | None:
    """How well pinyin initials match a stored name, or None when they do not start any reading
    of it. The core's own initials (the `initials` column) first; then two ways people shorten
    a name that its core does not: without a leading 中国 (gsyh → 中国工商银行), and keeping the
    region the core drops (gzmt → 贵州茅台酒). Those readings score a little lower."""
    best: float | None = None
    if initials.startswith(letters):
        best = _covered(letters, core_key, initials)
    if core_key.startswith("中国") and initials[2:].startswith(letters) and len(core_key) > 3:
        value = 0.99 * _covered(letters, core_key[2:], initials[2:])
        best = value if best is None else max(best, value)
    for head, regions in candidates.region_splits(letters):
        rest = letters[len(head) :]
        if initials.startswith(rest) and any(
            name_key.startswith(r) and not core_key.startswith(r) for r in regions
        ):
            value = 0.99 * _covered(rest, core_key, initials)
            best = value if best is None else max(best, value)
    return best


@dataclass(frozen=True, slots=True)
class _Scored:
    """A candidate name scored from `subject_names` alone: subjects are read for one page only."""

    order: tuple[float, ...]
    subject_key: str
    matched: str
    name_type: str
    score: float
    matched_on: str


def _name_rows(at: BindParameter[int] | None) -> InList:
    return InList(
        lambda member: select(
            subject_names.c.subject_key,
            subject_names.c.name,
            subject_names.c.name_key,
            subject_names.c.core_key,
            subject_names.c.initials,
            subject_names.c.name_type,
        ).where(member(subject_names.c.id, "ids"), visible(subject_names, at))
    )


_K: BindParameter[int] = bindparam("k", type_=BigInteger())
_NAME_ROWS = {at: _name_rows(at) for at in (None, _K)}


def _rank(
    conn: Connection,
    ids: list[int],
    q: Query,
    known_at: int | None,
    rep_keys: set[str],
    upto: int,
) -> list[_Scored]:
    if not ids:
        return []
    stmt = _NAME_ROWS[None if known_at is None else _K].on(conn)
    best: dict[str, _Scored] = {}
    for part in chunked(ids):
        for r in conn.execute(stmt, {"ids": part, "k": known_at}):
            value, how = score(q, r.name_key, r.core_key, r.initials)
            field = _FIELD.get(r.name_type, "name")
            if r.subject_key in rep_keys and value < 0.9:
                value, how, field = 0.9, "exact", "legal_representative"
            if field != "name" and field != "legal_representative":
                value *= 0.98  # a current name matching as well ranks first
            if value < 0.5:
                continue
            order = (-value, _TYPE_ORDER.get(r.name_type, 9), len(r.name_key))
            current = best.get(r.subject_key)
            if current is None or order < current.order:
                best[r.subject_key] = _Scored(
                    order, r.subject_key, r.name, r.name_type, round(value, 4), f"{field}:{how}"
                )
    ranked = sorted(best.values(), key=lambda c: (c.order, c.subject_key))
    return _break_ties(conn, ranked, upto, known_at)


_NO_PRIOR: tuple[Any, ...] = (True, True, 0.0, date.max)
# Matches that say nothing to tell the subjects apart: a trade name, or its initials. A query with
# more in it (a region, a form, a typo) keeps the closer or shorter name first, as before.
_BY_PRIOR = (":short_name", ":pinyin_initials")
PRIOR_CAP = 2000


def _break_ties(
    conn: Connection, ranked: list[_Scored], upto: int, known_at: int | None
) -> list[_Scored]:
    """Equal scores of a trade name or its initials ordered by the subjects' prominence
    (`prior`), as far as the page reaches.

    Only subjects tied with another at or above the page's last score are read (all of a
    tie at that score, so later pages agree with earlier ones); the rest keep their order."""
    if len(ranked) < 2 or upto <= 0:
        return ranked
    last = ranked[min(upto, len(ranked)) - 1].order[0]
    counts = Counter(c.order[0] for c in ranked if c.order[0] <= last)
    tied = [
        c.subject_key
        for c in ranked
        if c.order[0] <= last and counts[c.order[0]] > 1 and c.matched_on.endswith(_BY_PRIOR)
    ]
    if not tied:
        return ranked
    priors: dict[str, tuple[Any, ...]] = {}
    for part in chunked(tied[:PRIOR_CAP]):
        for r in conn.execute(
            select(
                subjects.c.subject_key,
                subjects.c.status,
                subjects.c.provisional,
                subjects.c.registered_capital_wan,
                subjects.c.registered_on,
            ).where(subjects.c.subject_key.in_(part), visible(subjects, known_at))
        ):
            priors[r.subject_key] = prior(
                r.status, bool(r.provisional), r.registered_capital_wan, r.registered_on
            )
    return sorted(
        ranked,
        key=lambda c: (c.order[0], priors.get(c.subject_key, _NO_PRIOR), c.order, c.subject_key),
    )


def prior(
    status: str, provisional: bool, capital_wan: str | None, registered_on: date | None
) -> tuple[Any, ...]:
    """A subject's prominence, smaller first, for ordering equally good matches (字节跳动 is the
    trade name of more than one subject; zjtd, the initials of more than one trade name): live
    before revoked or cancelled, confirmed before provisional, larger registered capital, then
    registered earlier. Only what the registry holds; a tie-breaker, never above a better match."""
    try:
        capital = float(capital_wan) if capital_wan else 0.0
    except ValueError:
        capital = 0.0
    return (status != "active", provisional, -capital, registered_on or date.max)


def _hits(conn: Connection, page: list[_Scored], known_at: int | None) -> list[SearchHit]:
    """The page's subjects, read in one statement, in ranked order."""
    if not page:
        return []
    rows = {
        r.subject_key: r
        for r in conn.execute(
            select(subjects).where(
                subjects.c.subject_key.in_([c.subject_key for c in page]),
                visible(subjects, known_at),
            )
        )
    }
    return [
        _hit(rows[c.subject_key], c.matched, c.name_type, c.score, c.matched_on)
        for c in page
        if c.subject_key in rows
    ]


def _hit(r: Any, matched: str, name_type: str, value: float, matched_on: str) -> SearchHit:
    return SearchHit(
        r.subject_key,
        r.code,
        r.name,
        r.kind,
        r.status,
        bool(r.provisional),
        matched,
        name_type,
        value,
        matched_on,
        r.legal_representative,
    )
