"""Organisation subjects: the rows of ``registry.csv`` and the parties of most records.

Subjects come from their own random stream (seeded from the run's seed), separate from the
streams for records and defects, so ``iter_subjects(n, seed)`` yields exactly the subjects that
``generate(out, n, seed)`` writes: tests and benchmarks can reason about the registry without
parsing it, and injecting defects never changes which subjects exist.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from xinyong.synth.formats import wan
from xinyong.synth.identifiers import make_registration_number, make_uscc, org_code_body
from xinyong.synth.industries import (
    INDUSTRY_BY_LETTER,
    Industry,
    company_industries,
    shop_industries,
)
from xinyong.synth.names import (
    ASSOCIATION_FORMS,
    COOPERATIVE_WORDS,
    INSTITUTION_WORDS,
    LIMITED_FORMS,
    PARTNERSHIP_FORMS,
    PATTERNS,
    PRIVATE_NONPROFIT_WORDS,
    SOLE_FORMS,
    CompanyName,
    TradeNamePool,
    branch_name,
)
from xinyong.synth.people import random_person
from xinyong.synth.regions import PROVINCES, Region, region_table
from xinyong.synth.weighted import Weighted

REFERENCE_DATE = date(2026, 9, 30)

ORGANISATION = "法人及非法人组织"
INDIVIDUAL_BUSINESS = "个体工商户"
NATURAL_PERSON = "自然人"

LIMITED = "有限责任公司"
JOINT_STOCK = "股份有限公司"
LIMITED_BRANCH = "有限责任公司分公司"
JOINT_STOCK_BRANCH = "股份有限公司分公司"
SOLE_PROPRIETORSHIP = "个人独资企业"
PARTNERSHIP = "合伙企业"
SHOP = "个体工商户"
COOPERATIVE = "农民专业合作社"
ASSOCIATION = "社会团体"
PRIVATE_NONPROFIT = "民办非企业单位"
INSTITUTION = "事业单位"

# Subject kind -> (share, USCC registration authority + category).
_KINDS: dict[str, tuple[float, str]] = {
    LIMITED: (50.0, "91"),
    SHOP: (28.0, "92"),
    LIMITED_BRANCH: (5.0, "91"),
    SOLE_PROPRIETORSHIP: (4.0, "91"),
    COOPERATIVE: (3.0, "93"),
    JOINT_STOCK: (2.0, "91"),
    PARTNERSHIP: (2.0, "91"),
    ASSOCIATION: (0.8, "51"),
    PRIVATE_NONPROFIT: (0.6, "52"),
    INSTITUTION: (0.6, "12"),
    JOINT_STOCK_BRANCH: (0.5, "91"),
}
_KIND_TABLE: Weighted[str] = Weighted((kind, share) for kind, (share, _) in _KINDS.items())

# Registrations per year rose steeply after the 2014 commercial-registration reform.
_YEARS: Weighted[int] = Weighted(
    [(year, 0.3) for year in range(1990, 2000)]
    + [(year, 0.8) for year in range(2000, 2010)]
    + [(year, 1.5) for year in range(2010, 2014)]
    + [(year, 2.5) for year in range(2014, 2017)]
    + [(year, 3.5) for year in range(2017, 2022)]
    + [(year, 3.0) for year in range(2022, REFERENCE_DATE.year)]
    + [(REFERENCE_DATE.year, 2.2)]
)
_STATUSES: Weighted[str] = Weighted([("存续", 78.0), ("在业", 9.0), ("吊销", 5.0), ("注销", 8.0)])

# Registered capital in 万元, by kind: round figures dominate real registers.
_LIMITED_CAPITAL: Weighted[int] = Weighted(
    [(1, 1), (3, 2), (5, 3), (10, 8), (20, 4), (30, 5), (50, 9), (100, 14), (200, 8), (300, 5),
     (500, 8), (1000, 8), (2000, 3), (3000, 2), (5000, 2), (10000, 1.5), (50000, 0.3)]
)  # fmt: skip
_CAPITAL_RANGES: dict[str, tuple[int, int]] = {
    JOINT_STOCK: (1000, 100000),
    SOLE_PROPRIETORSHIP: (1, 100),
    PARTNERSHIP: (100, 10000),
    SHOP: (1, 50),
    COOPERATIVE: (10, 1000),
    ASSOCIATION: (3, 50),
    PRIVATE_NONPROFIT: (3, 500),
    INSTITUTION: (10, 10000),
}
_NONPROFIT_INDUSTRY = {
    "培训学校": "P", "幼儿园": "P", "职业技能培训学校": "P", "养老院": "Q", "康复中心": "Q",
    "社会工作服务中心": "Q",
}  # fmt: skip
_INSTITUTION_INDUSTRY = {
    "疾病预防控制中心": "Q", "人民医院": "Q", "中医院": "Q", "妇幼保健院": "Q", "图书馆": "R",
    "文化馆": "R", "实验小学": "P", "第一中学": "P",
}  # fmt: skip
_PARENT_POOL = 4096  # companies remembered as possible parents of branches; bounds memory


@dataclass(frozen=True, slots=True)
class Subject:
    """An organisation in the registry, with what records about it need to know."""

    uscc: str
    name: str
    former_names: tuple[str, ...]
    english_name: str
    legal_rep: str  # 法定代表人 / 负责人 / 经营者
    region: Region
    industry: Industry
    kind: str  # 市场主体类型
    established: date
    status: str  # 登记状态
    capital: str  # 注册资本（万元）, empty for branches and some individual businesses
    trade_name: str  # 字号, empty where the name has none
    registration_no: str  # legacy 工商注册号 for those registered before 2016
    institution_cert: str  # 事业单位证书号
    social_org_cert: str  # 社会组织登记证号

    @property
    def party_category(self) -> str:
        """行政相对人类别 in licence and penalty records."""
        return INDIVIDUAL_BUSINESS if self.kind == SHOP else ORGANISATION

    @property
    def org_code(self) -> str:
        """The GB 11714 organisation code inside the USCC (positions 9-17)."""
        return self.uscc[8:17]


@dataclass(frozen=True, slots=True)
class _Parent:
    name: CompanyName
    full_name: str
    kind: str
    industry: Industry
    established: date
    legal_rep: str


@dataclass(frozen=True, slots=True)
class _Named:
    name: str
    trade: str
    industry: Industry
    parts: CompanyName | None = None


class SubjectFactory:
    """Makes subjects one at a time with unique codes and unique names."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"xinyong-subjects-{seed}")
        self._org_codes: set[str] = set()  # unique nationwide (GB 11714), so USCCs are too
        self._names: set[str] = set()
        self._trades = TradeNamePool()
        self._parents: list[_Parent] = []

    def make(self) -> Subject:
        """The next subject."""
        rng = self.rng
        kind = _KIND_TABLE.pick(rng)
        region = region_table().pick(rng)
        established = self._established()
        legal_rep = random_person(rng).name
        parent: _Parent | None = None
        if kind in (LIMITED_BRANCH, JOINT_STOCK_BRANCH):
            parent = self._parent(JOINT_STOCK if kind == JOINT_STOCK_BRANCH else LIMITED)
            if parent is None:
                kind = LIMITED
        if parent is not None:
            named = self._branch(parent, region)
            established = max(established, parent.established)
        else:
            named = self._name(kind, region, legal_rep)
        capital = self._capital(kind)
        former = self._former_names(kind, named, established)
        english = ""
        if named.parts is not None and kind in (LIMITED, JOINT_STOCK):
            large = kind == JOINT_STOCK or (capital != "" and float(capital) >= 1000)
            if rng.random() < (0.10 if large else 0.01):
                english = named.parts.english
        uscc = self._uscc(kind, region, established)
        subject = Subject(
            uscc=uscc,
            name=named.name,
            former_names=former,
            english_name=english,
            legal_rep=legal_rep,
            region=region,
            industry=named.industry,
            kind=kind,
            established=established,
            status=_STATUSES.pick(rng) if kind != INSTITUTION else "存续",
            capital=capital,
            trade_name=named.trade,
            registration_no=(
                make_registration_number(rng, region.code)
                if established.year < 2016 and uscc.startswith("9")
                else ""
            ),
            institution_cert=(
                f"事证第1{region.code}{rng.randrange(100000):05d}号" if kind == INSTITUTION else ""
            ),
            social_org_cert=uscc if uscc.startswith("5") else "",
        )
        if kind in (LIMITED, JOINT_STOCK) and named.parts is not None:
            self._remember_parent(
                _Parent(named.parts, named.name, kind, named.industry, established, legal_rep)
            )
        return subject

    # -- parts ---------------------------------------------------------------------------------

    def _established(self) -> date:
        year = _YEARS.pick(self.rng)
        first = date(year, 1, 1)
        last = min(date(year, 12, 31), REFERENCE_DATE)
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def _uscc(self, kind: str, region: Region, established: date) -> str:
        """A fresh USCC whose organisation code (positions 9-17) no other subject has.

        Real organisation codes are unique nationwide, and a record that carries only the legacy
        organisation code (``placeholder_code``) must point at exactly one subject.
        """
        prefix = _KINDS[kind][1]
        while True:
            code = make_uscc(prefix, region.code, org_code_body(self.rng, established))
            if code[8:17] not in self._org_codes:
                self._org_codes.add(code[8:17])
                return code

    def _capital(self, kind: str) -> str:
        rng = self.rng
        if kind in (LIMITED_BRANCH, JOINT_STOCK_BRANCH):
            return ""
        if kind == SHOP and rng.random() < 0.4:
            return ""
        if kind == LIMITED:
            if rng.random() < 0.1:  # a tenth register an odd figure, to the hundred yuan
                return wan(rng.randrange(10, 100000) * 100)
            return wan(_LIMITED_CAPITAL.pick(rng) * 10_000)
        low, high = _CAPITAL_RANGES[kind]
        value = round(low * (high / low) ** rng.random())  # log-uniform: small ones commoner
        return wan(_round_figure(value) * 10_000)

    def _claim(self, name: str) -> bool:
        if name in self._names:
            return False
        self._names.add(name)
        return True

    def _name(self, kind: str, region: Region, operator: str) -> _Named:
        """A unique name for a subject of ``kind``; later attempts widen the space."""
        rng = self.rng
        for attempt in range(100):
            fresh = attempt >= 3
            trade = self._trades.draw(rng, fresh=fresh)
            named = self._compose(kind, region, operator, trade, fresh)
            if self._claim(named.name):
                if named.trade:
                    self._trades.commit(named.trade)
                return named
        raise RuntimeError("could not find a free name")  # pragma: no cover - 100 misses

    def _compose(self, kind: str, region: Region, operator: str, trade: str, fresh: bool) -> _Named:
        rng = self.rng
        if kind in (LIMITED, JOINT_STOCK, SOLE_PROPRIETORSHIP, PARTNERSHIP):
            industry = company_industries().pick(rng)
            word, word_en = rng.choice(industry.words)
            if kind == LIMITED:
                form, pattern = LIMITED_FORMS.pick(rng), PATTERNS.pick(rng)
            elif kind == JOINT_STOCK:
                form, pattern = "股份有限公司", PATTERNS.pick(rng)
            elif kind == SOLE_PROPRIETORSHIP:
                form, pattern = rng.choice(SOLE_FORMS), rng.choice(("city", "city_short", "county"))
            else:
                form = PARTNERSHIP_FORMS.pick(rng)
                pattern = rng.choice(("city", "city_short", "province", "county"))
            parts = CompanyName(pattern, region, trade, word, word_en, form)
            return _Named(parts.chinese, trade, industry, parts)
        if kind == SHOP:
            industry = shop_industries().pick(rng)
            shop = rng.choice(industry.shop_words)
            if fresh or rng.random() < 0.4:
                return _Named(region.full_name + trade + shop, trade, industry)
            return _Named(region.full_name + operator + shop, "", industry)
        if kind == COOPERATIVE:
            word = rng.choice(COOPERATIVE_WORDS)
            return _Named(
                f"{region.full_name}{trade}{word}专业合作社", trade, INDUSTRY_BY_LETTER["A"]
            )
        if kind == ASSOCIATION:
            place = region.city if rng.random() < 0.6 else region.full_name
            if rng.random() < 0.3:
                home = rng.choice(PROVINCES).short
                if home != region.province.short and not fresh:
                    return _Named(f"{place}{home}商会", "", INDUSTRY_BY_LETTER["S"])
            word = rng.choice(company_industries().pick(rng).words)[0]
            form = rng.choice(ASSOCIATION_FORMS)
            if fresh:
                return _Named(f"{place}{trade}{word}{form}", trade, INDUSTRY_BY_LETTER["S"])
            return _Named(f"{place}{word}{form}", "", INDUSTRY_BY_LETTER["S"])
        if kind == PRIVATE_NONPROFIT:
            word = rng.choice(PRIVATE_NONPROFIT_WORDS)
            industry = INDUSTRY_BY_LETTER[_NONPROFIT_INDUSTRY[word]]
            return _Named(f"{region.full_name}{trade}{word}", trade, industry)
        # INSTITUTION: one of each per county first, then named ones (…锦泰小学)
        word = rng.choice(INSTITUTION_WORDS)
        industry = INDUSTRY_BY_LETTER[_INSTITUTION_INDUSTRY.get(word, "S")]
        if not fresh:
            return _Named(region.full_name + word, "", industry)
        school = rng.choice(("小学", "中学", "幼儿园"))
        return _Named(f"{region.full_name}{trade}{school}", trade, INDUSTRY_BY_LETTER["P"])

    def _branch(self, parent: _Parent, region: Region) -> _Named:
        rng = self.rng
        for _ in range(20):
            name = branch_name(parent.full_name, parent.name.region, region)
            if self._claim(name):
                return _Named(name, parent.name.trade, parent.industry)
            region = region_table().pick(rng)
        for number in range(1, 1000):  # 第一分公司-style numbering when the places are taken
            name = f"{parent.full_name}第{number}分公司"
            if self._claim(name):
                return _Named(name, parent.name.trade, parent.industry)
        raise RuntimeError("could not find a free branch name")  # pragma: no cover

    def _former_names(self, kind: str, named: _Named, established: date) -> tuple[str, ...]:
        """Earlier names for about 8% of subjects: a changed line of business or trade name."""
        rng = self.rng
        parts = named.parts
        if parts is None or (REFERENCE_DATE - established).days < 730 or rng.random() >= 0.15:
            return ()
        count = 1 if rng.random() < 0.75 else 2
        former: list[str] = []
        for _ in range(count):
            for _attempt in range(10):
                if rng.random() < 0.6:  # same trade name, different business or place style
                    industry = company_industries().pick(rng)
                    word, word_en = rng.choice(industry.words)
                    old = CompanyName(
                        PATTERNS.pick(rng), parts.region, parts.trade, word, word_en, parts.form
                    )
                else:  # renamed outright
                    trade = self._trades.draw(rng, fresh=True)
                    old = CompanyName(
                        parts.pattern, parts.region, trade, parts.word, parts.word_en, parts.form
                    )
                if self._claim(old.chinese):
                    former.append(old.chinese)
                    break
        return tuple(former)

    def _parent(self, kind: str) -> _Parent | None:
        candidates = [parent for parent in self._parents[-64:] if parent.kind == kind]
        if not candidates:
            candidates = [parent for parent in self._parents if parent.kind == kind]
        return self.rng.choice(candidates) if candidates else None

    def _remember_parent(self, parent: _Parent) -> None:
        if len(self._parents) < _PARENT_POOL:
            self._parents.append(parent)
        else:
            self._parents[self.rng.randrange(_PARENT_POOL)] = parent


def _round_figure(value: int) -> int:
    """Two significant figures, as people choose capital: 1234 -> 1200, 57 -> 57."""
    if value < 100:
        return value
    scale = int(10 ** (len(str(value)) - 2))
    return value // scale * scale


def iter_subjects(count: int, seed: int) -> Iterator[Subject]:
    """The first ``count`` subjects of a run with this seed, exactly as ``generate`` writes them."""
    factory = SubjectFactory(seed)
    for _ in range(count):
        yield factory.make()
