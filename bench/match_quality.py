"""Name-matching quality (issue 5): top-1 and recall@5 per variant kind, xinyong against a peer.

Two labelled sets, both searched in one SQLite registry of the synthetic subjects plus the real
companies of ``bench/data/real_company_names.csv``:

- synthetic: ``--sample`` subjects drawn (seeded) from the generator's ``--subjects`` subjects;
- real: every row of the committed CSV (real names, made-up codes where the CSV has none).

Each subject gives one query per variant kind that applies to it (``KINDS``); a query's answer
is the subject it was made from. xinyong is asked through ``search_subjects(conn, q, limit=5)``.

The peer is nomenklatura's ``logic-v2`` name comparison (``name_match``), the matcher OpenSanctions
runs. A pairwise comparer needs a shortlist, so the peer gets one from a blocker that uses nothing
of xinyong: every name of every subject in the same registry (current, former and English) is
keyed by NFKC, OpenCC t2s, case folding and no spaces, cut into character bigrams, and a query's
shortlist is the ``PEER_SHORTLIST`` subjects whose names share the most IDF-weighted bigrams with
it. nomenklatura then scores the query against each shortlisted subject (all its names), ranked by
that score, ties by the blocker's score, then code. The report gives the blocker's own recall, so
a peer miss can be told from a blocking miss.

    python bench/match_quality.py --subjects 200000 --sample 500 --seed 7
    python bench/match_quality.py --subjects 20000 --show-misses 5
    python bench/match_quality.py --no-peer --no-prior   # without the prominence prior

The registry database is built once per (subjects, seed, schema head, digest of src/xinyong/synth,
store and codes) under bench/out/ and reused: the search code is not part of the key.
Variant generation is pure and deterministic (``variants``) so tests/search/test_match_sets.py can
check it without building anything.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
REAL_CSV = HERE / "data" / "real_company_names.csv"

KINDS: tuple[str, ...] = (
    "traditional",  # OpenCC s2t
    "width",  # half-width <-> full-width (an all-CJK name: its English name in full width)
    "bracket",  # （） <-> ()
    "suffix",  # form dropped or swapped: 有限公司 / 有限责任公司 / 股份有限公司 / Co., Ltd.
    "region",  # leading region (深圳市…) or bracketed region (…（北京）…) removed
    "typo1",  # one wrong character
    "typo2",  # two wrong characters
    "short",  # the trade name alone (字节跳动)
    "initials",  # pinyin initials of the trade name (zjtd)
)
TOP1_GOAL = 0.97
TOP1_KINDS = ("traditional", "width", "bracket", "suffix", "region")
RECALL5_GOAL = 0.95
RECALL5_KINDS = ("typo1", "typo2", "short", "initials")
PEER_SHORTLIST = 100

CHINESE_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
ENGLISH_FORMS = ("Co., Ltd.", "Co., Limited", "Company Limited", "Limited", "Corporation")


# -- variants (pure) ---------------------------------------------------------------------------


@cache
def _opencc(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def traditional(name: str) -> str | None:
    out: str = _opencc("s2t").convert(name)
    return out if out != name else None


def _flip_char(ch: str) -> str:
    if ch in "()（）":  # brackets are the bracket kind's
        return ch
    if "!" <= ch <= "~":
        return chr(ord(ch) + 0xFEE0)
    if "\uff01" <= ch <= "\uff5e":
        return chr(ord(ch) - 0xFEE0)
    if ch == " ":
        return "\u3000"
    if ch == "\u3000":
        return " "
    return ch


def width(name: str, english: str = "") -> str | None:
    """Every character with a width twin flipped (brackets aside); for an all-CJK name, the
    English name in full width."""
    flipped = "".join(map(_flip_char, name))
    if flipped != name:
        return flipped
    if english:
        return "".join(map(_flip_char, english))
    return None


def bracket(name: str) -> str | None:
    if "（" in name or "）" in name:
        return name.replace("（", "(").replace("）", ")")
    if "(" in name or ")" in name:
        return name.replace("(", "（").replace(")", "）")
    return None


def suffix(name: str, english: str, rng: random.Random) -> str | None:
    """The Chinese form dropped or swapped for another; for a name without one, the English
    name's form dropped."""
    for form in CHINESE_FORMS:
        if name.endswith(form) and len(name) > len(form) + 1:
            body = name[: -len(form)]
            choices = ["", *(f for f in CHINESE_FORMS if f != form)]
            return body + rng.choice(choices)
    for form in ENGLISH_FORMS:
        if english.endswith(form):
            return english[: -len(form)].rstrip(" ,")
    return None


@cache
def region_words() -> tuple[str, ...]:
    """Place names a registered name may start with, longest first: every province, city and
    county the generator uses (with and without 省/市/区/县), and the cities of the real set."""
    from xinyong.synth.regions import PROVINCES, REGIONS

    words: set[str] = set()
    for p in PROVINCES:
        words.update((p.name, p.short))
    for r in REGIONS:
        words.update((r.city, r.city_short, r.county, r.county_short, r.full_name))
    for city in REAL_CITIES.split():
        words.update((city, city + "市"))
    words.discard("")
    return tuple(sorted((w for w in words if len(w) >= 2), key=lambda w: (-len(w), w)))


REAL_CITIES = (
    "北京 上海 天津 重庆 深圳 广州 杭州 佛山 无锡 珠海 宜宾 宁德 青岛 泸州 苏州 南京 成都 武汉 "
    "西安 厦门 合肥 长沙 郑州 济南 大连 宁波 东莞"
)


def region(name: str, keep: str = "") -> str | None:
    """The leading place names removed (深圳市…, 杭州市西湖区…), else a bracketed one (…（北京）…).
    ``keep``: a short name that must survive (青岛啤酒 keeps its 青岛)."""
    rest = name
    while True:
        word = next((w for w in region_words() if rest.startswith(w)), None)
        if word is None or len(rest) - len(word) < 4 or (keep and keep not in rest[len(word) :]):
            break
        rest = rest[len(word) :]
    if rest != name:
        return rest
    for word in region_words():
        for opened, closed in (("（", "）"), ("(", ")")):
            token = f"{opened}{word}{closed}"
            if token in name:
                return name.replace(token, "", 1)
    return None


@cache
def _pinyin_index() -> dict[str, tuple[str, ...]]:
    """Homophones (toneless pinyin) among the generator's trade characters and this file's
    common characters: the pool typos draw from."""
    from pypinyin import lazy_pinyin

    by_sound: dict[str, list[str]] = defaultdict(list)
    for ch in typo_pool():
        by_sound[lazy_pinyin(ch)[0]].append(ch)
    return {sound: tuple(chars) for sound, chars in by_sound.items()}


COMMON_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线"
    "内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并"
    "提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见"
    "计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研质信技科达海金银集团控股贸易"
)


@cache
def typo_pool() -> tuple[str, ...]:
    from xinyong.synth.names import TRADE_CHARS

    return tuple(dict.fromkeys([*TRADE_CHARS, *COMMON_CHARS]))


def typo(name: str, count: int, rng: random.Random) -> str | None:
    """``count`` CJK characters replaced: half the time by a homophone, else by any character
    of the pool; never by the same character or its traditional/simplified twin."""
    from pypinyin import lazy_pinyin

    positions = [i for i, ch in enumerate(name) if is_cjk(ch)]
    if len(positions) < count + 2:
        return None
    chars = list(name)
    t2s = _opencc("t2s")
    for i in sorted(rng.sample(positions, count)):
        original = chars[i]
        pool: Sequence[str] = ()
        if rng.random() < 0.5:
            pool = _pinyin_index().get(lazy_pinyin(original)[0], ())
        pool = [c for c in pool if c != original]
        if not pool:
            pool = typo_pool()
        while True:
            pick = pool[rng.randrange(len(pool))]
            if pick != original and t2s.convert(pick) != t2s.convert(original):
                break
        chars[i] = pick
    return "".join(chars)


def initials(short: str) -> str | None:
    """Pinyin initials of an all-CJK short name: 字节跳动 -> zjtd."""
    if not short or not all(is_cjk(ch) for ch in short):
        return None
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(short, style=Style.FIRST_LETTER)).lower()


def variants(name: str, short: str, english: str, seed: str) -> dict[str, str | None]:
    """One query per kind for a subject (None where the kind does not apply), the same for the
    same inputs on any machine: each kind draws from its own generator seeded by name and seed."""

    def rng(kind: str) -> random.Random:
        return random.Random(f"{seed}|{kind}|{name}")

    out: dict[str, str | None] = {
        "traditional": traditional(name),
        "width": width(name, english),
        "bracket": bracket(name),
        "suffix": suffix(name, english, rng("suffix")),
        "region": region(name, keep=short),
        "typo1": typo(name, 1, rng("typo1")),
        "typo2": typo(name, 2, rng("typo2")),
        "short": short if short and short != name else None,
        "initials": initials(short),
    }
    return out


# -- the sets ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RealCompany:
    name: str
    code: str
    short_name: str
    source: str
    english: str


def read_real(path: Path = REAL_CSV) -> list[RealCompany]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            RealCompany(r["name"], r["code"], r["short_name"], r["source"], r.get("english") or "")
            for r in csv.DictReader(fh)
        ]


def made_up_uscc(name: str, taken: set[str]) -> str:
    """A valid USCC for a real name without a known code (tests/factories.make_uscc's way),
    derived from the name so that it is the same on every build; ``taken``: organisation codes
    (positions 9-17) already in use."""
    sys.path.insert(0, str(ROOT))
    from tests.factories import make_uscc

    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    while True:
        code = make_uscc(f"{digest % 10**8:08d}", "110108")
        if code[8:17] not in taken:
            return code
        digest //= 7


@dataclass
class Query:
    set_name: str
    kind: str
    text: str
    expected: str  # subject code
    origin: str  # the registered name the query was made from
    ambiguous: bool = False  # region/short/initials query that fits other subjects as well


@dataclass
class Outcome:
    xy_codes: list[str] = field(default_factory=list)
    xy_detail: list[str] = field(default_factory=list)
    xy_seconds: float = 0.0
    peer_codes: list[str] = field(default_factory=list)
    peer_in_shortlist: bool = False


# -- the registry ------------------------------------------------------------------------------


def _fingerprint(*folders: str) -> str:
    """A digest of the Python sources under src/xinyong/<folder> for each folder."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((ROOT / "src" / "xinyong" / folder).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:8]


def registry_db(subjects: int, seed: int, real: list[RealCompany]) -> tuple[str, dict[str, str]]:
    """The SQLite URL of the registry (built when missing), and real name -> code.

    The synthetic rows are written here from ``iter_subjects`` with the generator's own
    ``registry_row``, not taken from a cached ``xinyong generate`` folder: the queries are made
    from the same ``iter_subjects``, and a folder generated by an older generator silently
    disagrees with it (bench/out/synth-200000-7-0.0 did, from subject 11,378 on). The key holds
    what decides the database's content: size, seed, the schema head, and a digest of
    src/xinyong/{synth,store,codes} (generator, schema, projections, stored name keys). The search
    code is not in it: a search rewrite that changes none of those reuses the database.
    """
    from xinyong.store.migrate import head_revision

    OUT.mkdir(parents=True, exist_ok=True)
    key = f"{subjects}-{seed}-{head_revision()}-{_fingerprint('synth', 'store', 'codes')}"
    stem = OUT / f"match-{key}"
    db, done = Path(f"{stem}.db"), Path(f"{stem}.done")
    synth_file, real_file = Path(f"{stem}-registry.csv"), Path(f"{stem}-real.csv")
    url = f"sqlite:///{db}"
    if not done.exists():
        from xinyong.codes import IdHasher
        from xinyong.ingest import ingest_files
        from xinyong.store import make_engine, upgrade
        from xinyong.synth.generator import REGISTRY_HEADERS, registry_row
        from xinyong.synth.subjects import iter_subjects

        for extra in ("", "-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        taken = {r.code[8:17] for r in real if r.code}  # organisation codes are unique
        with synth_file.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(REGISTRY_HEADERS)
            for subject in iter_subjects(subjects, seed):
                writer.writerow(registry_row(subject))
                taken.add(subject.org_code)
        with real_file.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(REGISTRY_HEADERS)
            for r in real:
                code = r.code or made_up_uscc(r.name, taken)
                taken.add(code[8:17])
                kind = "股份有限公司" if "股份有限公司" in r.name else "有限责任公司"
                writer.writerow(
                    [code, r.name, "", r.english, "张三", code[2:8],
                     "信息传输、软件和信息技术服务业", kind, "2000-01-01", "存续", "10000"]
                )  # fmt: skip
        engine = make_engine(url)
        upgrade(engine)
        hasher = IdHasher(b"bench-key-bench-key-bench-key-bench-key")
        t0 = time.perf_counter()
        for path in (synth_file, real_file):
            s = ingest_files(
                engine, [path], source="samr", actor="bench", hasher=hasher, kind="registry"
            )
            print(
                f"ingested {path.name}: {s.rows:,} rows, {s.accepted:,} accepted, "
                f"{s.quarantined:,} quarantined ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
        engine.dispose()
        done.write_text("ok\n")
    codes: dict[str, str] = {}
    with real_file.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            codes[row[1]] = row[0]
    return url, codes


def subject_names(url: str) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Codes and current names of every subject in the registry, and code -> all its names."""
    from sqlalchemy import select

    from xinyong.store import make_engine
    from xinyong.store.schema import subject_names as names_t
    from xinyong.store.schema import subjects as subjects_t

    engine = make_engine(url)
    with engine.connect() as conn:
        current = conn.execute(
            select(subjects_t.c.code, subjects_t.c.name).where(
                subjects_t.c.superseded_seq.is_(None)
            )
        ).all()
        every = conn.execute(
            select(subjects_t.c.code, names_t.c.name)
            .join(subjects_t, subjects_t.c.subject_key == names_t.c.subject_key)
            .where(names_t.c.superseded_seq.is_(None), subjects_t.c.superseded_seq.is_(None))
        ).all()
    engine.dispose()
    all_names: dict[str, list[str]] = defaultdict(list)
    for code, name in every:
        if name not in all_names[code]:
            all_names[code].append(name)
    return [c for c, _ in current], [n for _, n in current], dict(all_names)


# -- building the queries ----------------------------------------------------------------------


def _ambiguity(shorts: Iterable[str], current_names: list[str]) -> dict[str, int]:
    """How many subjects' current names contain each short name (one pass over the names)."""
    wanted = set(shorts)
    lengths = sorted({len(s) for s in wanted})
    counts: Counter[str] = Counter()
    for name in current_names:
        seen = {name[i : i + n] for n in lengths for i in range(len(name) - n + 1)}
        counts.update(seen & wanted)
    return dict(counts)


def _initials_ambiguity(wanted: set[str], shorts: Iterable[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for s in set(shorts):
        key = initials(s)
        if key in wanted:
            counts[key] += 1
    return dict(counts)


def _queries_for(
    set_name: str,
    items: list[tuple[str, str, str, str]],  # (code, name, short, english)
    seed: int,
    current_names: list[str],
    all_shorts: Iterable[str],
) -> list[Query]:
    queries: list[Query] = []
    for code, name, short, english in items:
        for kind, text in variants(name, short, english, str(seed)).items():
            if text:
                queries.append(Query(set_name, kind, text, code, name))
    shorts = {q.text for q in queries if q.kind == "short"}
    contain = _ambiguity(shorts, current_names)
    keys = {q.text for q in queries if q.kind == "initials"}
    sharing = _initials_ambiguity(keys, all_shorts)
    stripped = {q.text for q in queries if q.kind == "region"}
    ends: Counter[str] = Counter()
    lengths = sorted({len(t) for t in stripped})
    for name in current_names:
        ends.update({name[-n:] for n in lengths} & stripped)
    for q in queries:
        if q.kind == "region":  # another subject has the same name in another place
            q.ambiguous = ends.get(q.text, 0) > (1 if q.origin.endswith(q.text) else 0)
        elif q.kind == "short":
            q.ambiguous = contain.get(q.text, 0) > 1
        elif q.kind == "initials":
            q.ambiguous = sharing.get(q.text, 0) > 1
    return queries


def synthetic_queries(
    subjects: int, seed: int, sample: int, current_names: list[str]
) -> list[Query]:
    from xinyong.synth.subjects import iter_subjects

    everyone = list(iter_subjects(subjects, seed))
    picked = random.Random(f"match-quality-{seed}").sample(range(len(everyone)), sample)
    items = [(s.uscc, s.name, s.trade_name, s.english_name) for s in (everyone[i] for i in picked)]
    trades = {s.trade_name for s in everyone if s.trade_name}
    return _queries_for("synthetic", items, seed, current_names, trades)


def real_queries(
    real: list[RealCompany], codes: dict[str, str], seed: int, current_names: list[str]
) -> list[Query]:
    items = [(codes[r.name], r.name, r.short_name, r.english) for r in real]
    return _queries_for("real", items, seed, current_names, [r.short_name for r in real])


# -- the matchers ------------------------------------------------------------------------------


def run_xinyong(url: str, queries: list[Query], outcomes: list[Outcome]) -> None:
    from xinyong.search import search_subjects
    from xinyong.store import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        for q in queries[:20]:  # warm-up: OpenCC dictionaries, SQLite page cache
            search_subjects(conn, q.text, limit=5)
        for q, o in zip(queries, outcomes, strict=True):
            t0 = time.perf_counter()
            page = search_subjects(conn, q.text, limit=5)
            o.xy_seconds = time.perf_counter() - t0
            o.xy_codes = [h.code for h in page.results]
            o.xy_detail = [
                f"{h.name} [{h.matched_name_type}: {h.matched_name}"
                + (f", score {getattr(h, 'score', None)}" if hasattr(h, "score") else "")
                + (f", on {getattr(h, 'matched_on', None)}" if hasattr(h, "matched_on") else "")
                + "]"
                for h in page.results
            ]
    engine.dispose()


def _peer_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(text.split())
    return str(_opencc("t2s").convert(text)).casefold()


def _bigrams(key: str) -> set[str]:
    if len(key) < 2:
        return {key} if key else set()
    return {key[i : i + 2] for i in range(len(key) - 1)}


class PeerBlocker:
    """IDF-weighted character-bigram overlap over every name in the registry."""

    def __init__(self, all_names: dict[str, list[str]]) -> None:
        import numpy as np

        self.np = np
        self.codes = sorted(all_names)
        postings: dict[str, list[int]] = defaultdict(list)
        for i, code in enumerate(self.codes):
            grams: set[str] = set()
            for name in all_names[code]:
                grams |= _bigrams(_peer_key(name))
            for g in grams:
                postings[g].append(i)
        n = len(self.codes)
        self.postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}
        self.idf = {g: math.log(n / len(ids)) + 0.01 for g, ids in postings.items()}
        self.n = n

    def shortlist(self, text: str, k: int) -> list[tuple[str, float]]:
        np = self.np
        scores = np.zeros(self.n, dtype=np.float32)
        for g in _bigrams(_peer_key(text)):
            ids = self.postings.get(g)
            if ids is not None:
                scores[ids] += self.idf[g]
        hit = np.flatnonzero(scores)
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        return [(self.codes[i], float(scores[i])) for i in hit]


class Peer:
    def __init__(self, all_names: dict[str, list[str]]) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
        from nomenklatura.matching.logic_v2.names import name_match

        self.model, self.name_match = model, name_match
        self.config = LogicV2.default_config()
        self.all_names = all_names
        self.blocker = PeerBlocker(all_names)
        self.entities: dict[str, Any] = {}
        self.count = 0

    def _entity(self, entity_id: str, names: list[str]) -> Any:
        e = self.model.make_entity("Company")
        e.id = entity_id  # nomenklatura memoises name analysis by entity id: ids must be unique
        e.add("name", names)
        return e

    def rank(self, text: str, expected: str) -> tuple[list[str], bool]:
        self.count += 1
        query = self._entity(f"q{self.count}", [text])
        shortlist = self.blocker.shortlist(text, PEER_SHORTLIST)
        scored = []
        for code, block in shortlist:
            cand = self.entities.get(code)
            if cand is None:
                cand = self.entities[code] = self._entity(f"s{code}", self.all_names[code])
            score = self.name_match(query, cand, self.config).score
            scored.append((-score, -block, code))
        scored.sort()
        return [c for _, _, c in scored[:5]], any(c == expected for c, _ in shortlist)


def run_peer(peer: Peer, queries: list[Query], outcomes: list[Outcome]) -> None:
    for q, o in zip(queries, outcomes, strict=True):
        o.peer_codes, o.peer_in_shortlist = peer.rank(q.text, q.expected)


# -- report ------------------------------------------------------------------------------------


def _pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f} %" if total else "—"


def report(
    title: str, queries: list[Query], outcomes: list[Outcome], with_peer: bool
) -> list[tuple[str, str, float, bool]]:
    """Print the set's table; return (set, kind, value, pass) for each goal."""
    by_kind: dict[str, list[tuple[Query, Outcome]]] = defaultdict(list)
    for q, o in zip(queries, outcomes, strict=True):
        by_kind[q.kind].append((q, o))
    print(f"\n### {title}\n")
    head = "| kind | queries | ambiguous | xinyong top-1 | xinyong recall@5 |"
    rule = "| --- | ---: | ---: | ---: | ---: |"
    if with_peer:
        head += " peer top-1 | peer recall@5 | peer shortlist recall |"
        rule += " ---: | ---: | ---: |"
    print(head)
    print(rule)
    goals = []
    for kind in KINDS:
        pairs = by_kind.get(kind, [])
        n = len(pairs)
        xy1 = sum(bool(o.xy_codes) and o.xy_codes[0] == q.expected for q, o in pairs)
        xy5 = sum(q.expected in o.xy_codes[:5] for q, o in pairs)
        amb = sum(q.ambiguous for q, _ in pairs)
        line = f"| {kind} | {n} | {amb if kind in ('region', 'short', 'initials') else ''} "
        line += f"| {_pct(xy1, n)} | {_pct(xy5, n)} |"
        if with_peer:
            p1 = sum(bool(o.peer_codes) and o.peer_codes[0] == q.expected for q, o in pairs)
            p5 = sum(q.expected in o.peer_codes[:5] for q, o in pairs)
            sl = sum(o.peer_in_shortlist for _, o in pairs)
            line += f" {_pct(p1, n)} | {_pct(p5, n)} | {_pct(sl, n)} |"
        print(line)
        if n and kind in TOP1_KINDS:
            goals.append((title, f"{kind} top-1 ≥ 97 %", xy1 / n, xy1 / n >= TOP1_GOAL))
        if n and kind in RECALL5_KINDS:
            goals.append((title, f"{kind} recall@5 ≥ 95 %", xy5 / n, xy5 / n >= RECALL5_GOAL))
    for kind in ("region", "short", "initials"):
        pairs = [(q, o) for q, o in by_kind.get(kind, []) if not q.ambiguous]
        if pairs:
            k = len(pairs)
            xy1 = sum(bool(o.xy_codes) and o.xy_codes[0] == q.expected for q, o in pairs)
            xy5 = sum(q.expected in o.xy_codes[:5] for q, o in pairs)
            extra = ""
            if with_peer:
                p1 = sum(bool(o.peer_codes) and o.peer_codes[0] == q.expected for q, o in pairs)
                p5 = sum(q.expected in o.peer_codes[:5] for q, o in pairs)
                extra = f"; peer {_pct(p1, k)} / {_pct(p5, k)}"
            print(
                f"\n{kind}, unambiguous queries only ({k}): top-1 / recall@5 "
                f"xinyong {_pct(xy1, k)} / {_pct(xy5, k)}{extra}",
                end="",
            )
    times = [o.xy_seconds for o in outcomes]
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(
        f"\n\nxinyong in-process latency over {len(times)} queries: median "
        f"{statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )
    return goals


def show_misses(queries: list[Query], outcomes: list[Outcome], n: int) -> None:
    by_kind: dict[str, list[tuple[Query, Outcome]]] = defaultdict(list)
    for q, o in zip(queries, outcomes, strict=True):
        if not o.xy_codes or o.xy_codes[0] != q.expected:
            by_kind[q.kind].append((q, o))
    for kind in KINDS:
        misses = by_kind.get(kind, [])
        if not misses:
            continue
        print(f"\n  {kind}: {len(misses)} not first")
        for q, o in misses[:n]:
            rank = o.xy_codes.index(q.expected) + 1 if q.expected in o.xy_codes else None
            print(f"    {q.text!r} for {q.origin} -> rank {rank}")
            for line in o.xy_detail[:3]:
                print(f"        {line}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    parser.add_argument("--no-peer", action="store_true", help="xinyong only (faster)")
    parser.add_argument(
        "--no-prior",
        action="store_true",
        help="ablation: every subject equally prominent (search.subjects.prior made constant)",
    )
    args = parser.parse_args(argv)
    if args.no_prior:
        import xinyong.search.subjects as search_subjects_module

        search_subjects_module.prior = lambda *_: ()

    t0 = time.perf_counter()
    real = read_real()
    url, real_codes = registry_db(args.subjects, args.seed, real)
    codes, current, all_names = subject_names(url)
    print(f"registry: {len(codes):,} subjects ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    sets = {
        "synthetic": synthetic_queries(args.subjects, args.seed, args.sample, current),
        "real": real_queries(real, real_codes, args.seed, current),
    }
    missing = [
        q for qs in sets.values() for q in qs if q.origin not in all_names.get(q.expected, ())
    ]
    if missing:  # the sets and the registry disagree: the figures would be meaningless
        raise SystemExit(f"{len(missing)} queries' subjects are not in the registry: {missing[:3]}")
    peer = None if args.no_peer else Peer(all_names)
    print(f"queries ready ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    goals = []
    print(
        f"\n## {args.subjects:,} synthetic subjects (seed {args.seed}) + {len(real)} real "
        f"companies; synthetic sample {args.sample}"
    )
    for set_name, queries in sets.items():
        outcomes = [Outcome() for _ in queries]
        run_xinyong(url, queries, outcomes)
        if peer is not None:
            t1 = time.perf_counter()
            run_peer(peer, queries, outcomes)
            print(f"peer on {set_name}: {time.perf_counter() - t1:.0f} s", file=sys.stderr)
        title = "synthetic set" if set_name == "synthetic" else "real-name set"
        goals += report(title, queries, outcomes, peer is not None)
        if args.show_misses:
            show_misses(queries, outcomes, args.show_misses)
    print("\n### goals (xinyong)\n")
    print("| set | goal | measured | |")
    print("| --- | --- | ---: | --- |")
    for set_title, goal, value, ok in goals:
        print(f"| {set_title} | {goal} | {100 * value:.1f} % | {'PASS' if ok else 'FAIL'} |")
    print(f"\n(total {time.perf_counter() - t0:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
