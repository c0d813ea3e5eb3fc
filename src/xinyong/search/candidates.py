"""Candidate name rows for a query: the provider seam between the two engines.

Every path is index-backed and capped; none ranks (ranking is ours, in `subjects.py`):

- exact name and exact core name (`codes/company.py`: the name without region and form);
- substring of the name: SQLite's FTS5 trigram index, PostgreSQL's pg_trgm GIN index, for three
  characters or more;
- one or two characters, which a trigram index cannot answer: the bigram side index
  (`core_grams`), plus names starting with them (a region typed alone: 河北);
- a typo: the rarest trigrams of the query (SQLite, from the FTS5 vocabulary), or pg_trgm
  similarity (PostgreSQL) — a wrong character spoils the trigrams around it, not the rare ones
  elsewhere in the name;
- pinyin initials (zjtd) by prefix, shortest first (also without a leading 中国, and after a
  region's initials), and legal representatives by exact name.

DESIGN.md measured bm25 ranking over common fragments at p99 ≈ 1 s: never ask the engine to rank.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
)

from xinyong.codes.company import (
    core_name,
    division_names,
    in_region_or_form,
    initials,
    leading_region_length,
    strip_legal_form,
)
from xinyong.store.projections.batching import chunked
from xinyong.store.schema import core_grams, subject_names, subjects
from xinyong.store.versions import visible

MAX_CANDIDATES = 2000
# Core names a one- or two-character query takes from the bigram index (and names it starts).
# Such a query fits thousands of names at a million subjects (河: 4,848 cores, 4,078 names
# ranked, 92 ms); the page shows 20 and says the list was capped, so more would only cost time.
SHORT_CORES = 500
ESCAPE = "\\"
TYPO_PER_TRIGRAM = 300


_FTS = (
    "SELECT f.rowid FROM subject_names_fts AS f JOIN subject_names AS n ON n.id = f.rowid "
    "WHERE subject_names_fts MATCH :q AND "
)
_FTS_NOW = _FTS + "n.superseded_seq IS NULL LIMIT :n"
_FTS_AT = (
    _FTS + "n.recorded_seq <= :k AND (n.superseded_seq IS NULL OR n.superseded_seq > :k) LIMIT :n"
)


_DOC_COUNTS: dict[tuple[str, str], int] = {}
_VOCAB = text("SELECT term, doc FROM subject_names_fts_vocab WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ids(conn: Connection, stmt: Select[Any]) -> list[int]:
    return [int(r[0]) for r in conn.execute(stmt)]


def _names(known_at: int | None) -> Select[Any]:
    return select(subject_names.c.id).where(visible(subject_names, known_at))


def exact(conn: Connection, key: str, core: str, known_at: int | None) -> list[int]:
    """Names equal to the query, whole or as a core name."""
    out = _ids(conn, _names(known_at).where(subject_names.c.name_key == key).limit(MAX_CANDIDATES))
    if core:
        out += _ids(
            conn, _names(known_at).where(subject_names.c.core_key == core).limit(MAX_CANDIDATES)
        )
    return out


def containing(
    conn: Connection, fragment: str, known_at: int | None, limit: int = MAX_CANDIDATES
) -> tuple[list[int], bool]:
    """Names whose key contains `fragment` (three characters or more), and whether the cap cut
    the list short."""
    if conn.dialect.name == "sqlite":
        phrase = '"' + fragment.replace('"', '""') + '"'
        sql = _FTS_NOW if known_at is None else _FTS_AT
        rows = conn.execute(text(sql), {"q": phrase, "n": limit + 1, "k": known_at}).all()
        found = [int(r[0]) for r in rows]
    else:
        found = _ids(
            conn,
            _names(known_at)
            .where(subject_names.c.name_key.like(_like_pattern(fragment), escape=ESCAPE))
            .limit(limit + 1),
        )
    return found[:limit], len(found) > limit


def _prefix(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    """`column` starts with `value`, as an index range (LIKE 'x%' uses no index on SQLite)."""
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return and_(column >= value, column < upper)


def short(conn: Connection, fragment: str, known_at: int | None) -> tuple[list[int], bool]:
    """One or two characters: core names holding them (bigram side index), and names starting
    with them."""
    cores = [
        str(r[0])
        for r in conn.execute(
            select(core_grams.c.core_key)
            .where(core_grams.c.gram == fragment)
            .limit(SHORT_CORES + 1)
        )
    ]
    capped = len(cores) > SHORT_CORES
    out: list[int] = []
    for part in chunked(cores[:SHORT_CORES]):
        out += _ids(conn, _names(known_at).where(subject_names.c.core_key.in_(part)))
    out += _ids(
        conn,
        _names(known_at).where(_prefix(subject_names.c.name_key, fragment)).limit(SHORT_CORES),
    )
    if len(out) < 20 and not fragment.isascii() and in_region_or_form(fragment):
        # Characters that sit only in the region or form part of names (公司, 有限): a capped
        # scan, which stops early exactly when such characters are common. Anything else (a
        # person's name, two letters) would scan every name to find nothing — and letters
        # always would: "yl" is inside the form "companylimited" but starts no one's name
        # (160 ms at 1M).
        found = _ids(
            conn,
            _names(known_at)
            .where(subject_names.c.name_key.like(_like_pattern(fragment), escape=ESCAPE))
            .limit(MAX_CANDIDATES + 1),
        )
        out += found[:MAX_CANDIDATES]
        capped = capped or len(found) > MAX_CANDIDATES
    return out, capped


def trigrams(key: str) -> list[str]:
    return list(dict.fromkeys(key[i : i + 3] for i in range(len(key) - 2)))


def similar(conn: Connection, key: str, known_at: int | None) -> list[int]:
    """Names sharing the query's rarest trigrams (or, on PostgreSQL, trigram-similar): the
    candidates for a query with a wrong character or two."""
    grams = trigrams(key)
    if not grams:
        return []
    # A wrong character inside a short trade name spoils every rare trigram; names whose core
    # starts with the same character are the other way in (ranked by closeness afterwards).
    core = core_name(key)
    # Only short cores: in a long name the rare trigrams away from the typo find it.
    starting = _same_ends(conn, core, known_at) if 3 <= len(core) <= 8 else []
    if conn.dialect.name == "postgresql":
        # On the core name: whole names share 上海市 and 有限公司 with half the registry, and
        # the trigram index then returns tens of thousands of rows to check (433 ms at 1M).
        target = core if len(core) >= 3 else key
        column = subject_names.c.core_key if len(core) >= 3 else subject_names.c.name_key
        # A short core shares few trigrams even with one character wrong: a lower bar than the
        # default 0.3, for this transaction only.
        conn.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.2"))
        found = _ids(
            conn,
            _names(known_at)
            .where(column.op("%")(target))
            .order_by(column.op("<->")(target))
            .limit(TYPO_PER_TRIGRAM),
        )
        if not found and column is subject_names.c.core_key and len(core) >= 5:
            # Two wrong characters in a longer core leave few of its trigrams (腾迅计算机糸统:
            # 2 of 14): a lower bar, still on the core. Not on the whole name: whole names share
            # their region and company form with half the registry, and that query walked the
            # trigram index for 1.4 s (p99, unregistered names at 1M).
            conn.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.1"))
            found = _ids(
                conn,
                _names(known_at)
                .where(column.op("%")(target))
                .order_by(column.op("<->")(target))
                .limit(TYPO_PER_TRIGRAM),
            )
        if not found and len(core) == 3:
            # The first character wrong in a three-character core (无粮液 for 五粮液) leaves it one
            # padded trigram in six, under any similarity bar (a four-character core keeps two,
            # enough); cores of three ending the same way are a trigram-indexed LIKE here.
            tail = _like_pattern(core[1:])[1:]  # "粮液%" → anchored "_粮液"
            found = _ids(
                conn,
                _names(known_at)
                .where(subject_names.c.core_key.like("_" + tail[:-1], escape=ESCAPE))
                .limit(TYPO_PER_TRIGRAM),
            )
        return found + starting
    # Document counts of the name's trigrams without its company form (有限公 alone walks
    # 600,000 entries), remembered per process: they change slowly and only decide which
    # trigrams to try. The region stays: where it meets the trade name (宁波淼…) or brackets it
    # (田诚(洛阳)…) are the rare trigrams a short trade name with a typo still has, and the
    # core's own trigrams across a bracketed region are in no stored name.
    # So are those where the trade name meets the form (粮液股 of 宜宾五粮液股份有限公司): only
    # trigrams wholly inside the form are left out.
    # Nor those wholly inside a leading region (深圳市 is in 5 % of names: counting it alone walks
    # 50,000 entries, once per process) — only the trigram that crosses into the name is kept.
    body = strip_legal_form(key)
    if len(body) >= 3:
        inside_form = set(trigrams(key[len(body) :])) if len(body) < len(key) else set()
        start = max(0, min(leading_region_length(body), len(body) - 3) - 2)
        grams = [g for g in trigrams(key[start : len(body) + 2]) if g not in inside_form]
    # Keyed by database; only counts above zero are kept (a trigram new to the registry is
    # asked about again, cheaply: absent terms cost nothing to look up).
    db = str(conn.engine.url)
    missing = [g for g in grams if (db, g) not in _DOC_COUNTS]
    counts = {g: _DOC_COUNTS.get((db, g), 0) for g in grams}
    if missing:
        if len(_DOC_COUNTS) > 200_000:
            _DOC_COUNTS.clear()
        for r in conn.execute(_VOCAB, {"terms": missing}):
            counts[str(r[0])] = int(r[1])
            _DOC_COUNTS[(db, str(r[0]))] = int(r[1])
    rare = sorted((g for g in grams if counts.get(g)), key=lambda g: counts[g])[:4]
    out: list[int] = list(starting)
    sql = _FTS_NOW if known_at is None else _FTS_AT
    for gram in rare:
        phrase = '"' + gram.replace('"', '""') + '"'
        rows = conn.execute(text(sql), {"q": phrase, "n": TYPO_PER_TRIGRAM, "k": known_at})
        out += [int(r[0]) for r in rows]
    return out


def _same_ends(conn: Connection, core: str, known_at: int | None, limit: int = 300) -> list[int]:
    """Core names of the query's length (±1) that keep its first character and its last two,
    or its first two and its last one: one wrong character in a short trade name leaves one of
    the two intact. Both are index range scans on `core_key`."""
    out: list[int] = []
    for head, tail in ((core[:1], core[-2:]), (core[:2], core[-1:])):
        out += _ids(
            conn,
            _names(known_at)
            .where(
                _prefix(subject_names.c.core_key, head),
                subject_names.c.core_key.like(_like_pattern(tail)[:-1], escape=ESCAPE),
                func.length(subject_names.c.core_key).between(len(core) - 1, len(core) + 1),
            )
            .limit(limit),
        )
    return out


# Names whose initials run this many letters past the query are not initials candidates.
INITIALS_SPAN = 16
# Initials candidates kept, shortest first (each is ranked one by one). 600 found as much as
# 2,000 at 200,000 subjects (and 250 nearly so) at a third of the latency: docs/benchmarks.md.
INITIALS_KEEP = 600


def by_initials(conn: Connection, letters: str, known_at: int | None) -> list[int]:
    """Names whose initials (of the core name: 字节跳动科技 → zjtdkj) start with the query.

    Shortest first, from the (length(initials), initials) index: a two-letter query starts the
    initials of thousands of names (yh: 4,500 of 224,000), and the unordered first 2,000 left
    out the subjects whose trade name it is. Shortest first keeps the names that are little
    more than those letters (hw → 华为技术 hwjs before 华旺电子商务服务 hwdzswfw).
    Two other readings people type: the name without a leading 中国 (gsyh: 中国工商银行, whose
    core keeps 中国, zggsyh), and a short name that keeps the region the core drops (gzmt:
    贵州茅台, core 茅台酒, mtj) — see `in_region`.
    """
    out = _initials_prefix(conn, letters, known_at, INITIALS_KEEP)
    if not letters.startswith("zg"):
        out += _initials_prefix(conn, "zg" + letters, known_at, INITIALS_KEEP // 4)
    for head, regions in region_splits(letters):
        out += in_region(conn, letters[len(head) :], regions, known_at)
    return out


def _initials_prefix(
    conn: Connection,
    letters: str,
    known_at: int | None,
    keep: int,
    *also: ColumnElement[bool],
) -> list[int]:
    """Visible names whose initials start with `letters` (and that meet `also`), shortest first:
    one range scan of the (length(initials), initials) index per length (migration 0018), until
    `keep` are found or the initials are `INITIALS_SPAN` letters longer than the query."""
    out: list[int] = []
    for size in range(len(letters), len(letters) + INITIALS_SPAN):
        out += _ids(
            conn,
            _names(known_at)
            .where(
                func.length(subject_names.c.initials) == size,
                _prefix(subject_names.c.initials, letters),
                *also,
            )
            .order_by(subject_names.c.initials)
            .limit(keep - len(out)),
        )
        if len(out) >= keep:
            break
    return out


@functools.cache
def _region_initials() -> dict[str, tuple[str, ...]]:
    """Pinyin initials of province and city names (short and full: 贵州, 贵州省 → gz, gzs), and
    the names with those initials."""
    full, short = division_names()
    by_letters: dict[str, list[str]] = {}
    for name in sorted(short | {n for n in full if n[:-1] in short}):
        by_letters.setdefault(initials(name), []).append(name)
    return {k: tuple(v) for k, v in by_letters.items() if len(k) >= 2}


def region_splits(letters: str) -> list[tuple[str, tuple[str, ...]]]:
    """Ways to read the query as a region's initials and then at least two more letters."""
    table = _region_initials()
    return [
        (letters[:n], table[letters[:n]])
        for n in range(2, len(letters) - 1)
        if letters[:n] in table
    ]


def in_region(
    conn: Connection, letters: str, regions: Iterable[str], known_at: int | None, limit: int = 100
) -> list[int]:
    """Names starting with one of `regions` whose core's initials start with `letters`,
    shortest first like every initials candidate (贵州茅台: mtj, name 贵州…; gz is also 广州,
    whose many mt… names must not fill the list first)."""
    starts = or_(*(_prefix(subject_names.c.name_key, r) for r in regions))
    return _initials_prefix(conn, letters, known_at, limit, starts)


def by_legal_representative(conn: Connection, name: str, known_at: int | None) -> list[str]:
    """Subject keys whose legal representative is exactly this name."""
    return [
        str(r[0])
        for r in conn.execute(
            select(subjects.c.subject_key)
            .where(subjects.c.legal_representative == name, visible(subjects, known_at))
            .limit(MAX_CANDIDATES)
        )
    ]


def names_of(conn: Connection, keys: Iterable[str], known_at: int | None) -> list[int]:
    """The current-type name rows of these subjects."""
    out: list[int] = []
    for part in chunked(sorted(set(keys))):
        out += _ids(
            conn,
            _names(known_at).where(
                subject_names.c.subject_key.in_(part), subject_names.c.name_type == "current"
            ),
        )
    return out


def name_row_ids(
    conn: Connection, fragment: str, known_at: int | None, limit: int = MAX_CANDIDATES
) -> tuple[list[int], bool]:
    """Exact matches first, then names containing the fragment (kept for callers of the first
    version of this module)."""
    ids = exact(conn, fragment, "", known_at)
    if len(fragment) >= 3:
        found, capped = containing(conn, fragment, known_at, limit)
    else:
        found, capped = short(conn, fragment, known_at)
    return list(dict.fromkeys([*ids, *found])), capped
