"""Licence and penalty records, as rows of the national 双公示 publicity format (FACTS §9).

Records have their own random stream, drawn subject by subject in registry order, so the same
seed yields the same records whatever the defect rate. Shape of the data:

- about 40% of subjects hold one to three licences matched to their industry;
- about 85% of subjects have no penalty; the rest have one, and a tail several;
- about 5% of penalties are against natural persons (drivers, unlicensed practitioners, …);
- penalty categories are mostly fines, warnings and criticism; suspension, revocation, downgrade,
  restriction and closure together about 3%;
- decision dates fall in the four years (penalties) or six years (licences) before
  ``REFERENCE_DATE`` and never after it; publicity ends three months after light penalties and
  three years after others (SAMR Order 45, FACTS §4e).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from xinyong.synth.agencies import AGENCIES, Bureaus, DocumentNumbers
from xinyong.synth.formats import add_months, add_years, wan
from xinyong.synth.identifiers import USCC_ALPHABET
from xinyong.synth.licence_kinds import LICENCE_KINDS, LicenceKind, licence_number
from xinyong.synth.people import Person, PersonFactory
from xinyong.synth.regions import Region
from xinyong.synth.subjects import NATURAL_PERSON, REFERENCE_DATE, SHOP, Subject
from xinyong.synth.violations import (
    CLOSE,
    CONFISCATE_GAINS,
    CONFISCATE_PROPERTY,
    CRITICISM,
    DOWNGRADE,
    FINE,
    LIGHT_CATEGORIES,
    RESTRICT,
    REVOKE,
    SUSPEND,
    VIOLATIONS,
    WARNING,
    Violation,
    penalty_content,
)
from xinyong.synth.weighted import Weighted

RecordKind = Literal["licence", "penalty"]

PARTY_HEADERS: tuple[str, ...] = (
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "工商注册号", "组织机构代码",
    "税务登记号", "事业单位证书号", "社会组织登记证号", "法定代表人", "法定代表人证件类型",
    "法定代表人证件号码", "证件类型", "证件号码",
)  # fmt: skip
LICENCE_HEADERS: tuple[str, ...] = (
    *PARTY_HEADERS,
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号",
    "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码",
    "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
)  # fmt: skip
PENALTY_HEADERS: tuple[str, ...] = (
    *PARTY_HEADERS,
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
    "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
    "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码",
    "数据来源单位", "数据来源单位统一社会信用代码", "备注",
)  # fmt: skip

PENALTY_WINDOW_START = add_years(REFERENCE_DATE, -4)
LICENCE_WINDOW_START = add_years(REFERENCE_DATE, -6)
OPEN_ENDED = date(2099, 12, 31)
SMALL_FINE_YUAN = 10_000  # below this a fine alone is "small": three months of publicity

LICENSED_SHARE = 0.40
PENALISED_SHARE = 0.15
PERSON_SHARE = 0.017  # penalised persons per subject: about 5% of all penalties

_LICENCE_COUNTS: Weighted[int] = Weighted([(1, 60.0), (2, 28.0), (3, 12.0)])
_PENALTY_COUNTS: Weighted[int] = Weighted(
    [(1, 58.0), (2, 20.0), (3, 10.0), (4, 5.0)] + [(count, 7.0 / 8) for count in range(5, 13)]
)
_CATEGORIES: Weighted[str] = Weighted(
    [
        (FINE, 72.0),
        (WARNING, 13.0),
        (CRITICISM, 3.0),
        (CONFISCATE_GAINS, 6.0),
        (CONFISCATE_PROPERTY, 1.5),
        # Serious outcomes: nominal weights above the ~3% they end up as, because many
        # industries have no violation that allows them and fall back to a fine.
        (SUSPEND, 2.0),
        (REVOKE, 1.8),
        (RESTRICT, 0.8),
        (DOWNGRADE, 0.6),
        (CLOSE, 0.4),
    ]
)
_BASE_AGENCY_WEIGHTS: dict[str, float] = {
    "samr": 36.0, "sta": 34.0, "mee": 5.0, "mem": 6.0, "nhc": 4.0, "mohurd": 4.0, "mot": 4.0,
}  # fmt: skip
# Industry letter -> agency -> factor: who inspects whom.
_AGENCY_BOOSTS: dict[str, dict[str, float]] = {
    "B": {"mee": 4.0, "mem": 4.0},
    "C": {"mee": 4.0, "mem": 3.0},
    "D": {"mee": 3.0, "mem": 2.0},
    "E": {"mohurd": 8.0, "mem": 2.0, "mee": 1.5},
    "G": {"mot": 8.0, "mem": 1.5},
    "H": {"samr": 1.3, "nhc": 2.5},
    "K": {"mohurd": 4.0},
    "N": {"mee": 3.0},
    "O": {"nhc": 2.5},
    "Q": {"nhc": 8.0},
    "R": {"nhc": 1.5},
}
_REMARKS: Weighted[str] = Weighted(
    [
        ("", 95.0),
        ("依法从轻处罚", 2.0),
        ("当事人已履行处罚决定", 2.0),
        ("首次违法，依法减轻处罚", 1.0),
    ]
)
_TAX_MULTIPLES: Weighted[tuple[int, str]] = Weighted(
    [((50, "百分之五十"), 70.0), ((100, "一倍"), 20.0), ((200, "两倍"), 8.0), ((300, "三倍"), 2.0)]
)
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Record:
    """One row for the file of ``agency`` and ``kind``."""

    agency: str
    kind: RecordKind
    row: list[str]


@dataclass(frozen=True, slots=True)
class _Held:
    agency: str
    certificate: str
    number: str


class RecordMaker:
    """Makes every record of a run, subject by subject, from the run's record stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"xinyong-records-{seed}")
        self.bureaus = Bureaus()
        self.numbers = DocumentNumbers()
        self.persons = PersonFactory()

    # -- public --------------------------------------------------------------------------------

    def for_subject(self, subject: Subject) -> list[Record]:
        """The licences, then the penalties, of one registered subject."""
        rng = self.rng
        records: list[Record] = []
        held: list[_Held] = []
        if rng.random() < LICENSED_SHARE:
            for kind in self._licence_kinds(subject):
                record, number = self._licence(subject, kind)
                records.append(record)
                if kind.certificate and kind.number != "uscc":  # revocable, unlike registration
                    held.append(_Held(kind.agency, kind.certificate, number))
        if rng.random() < PENALISED_SHARE:
            for _ in range(_PENALTY_COUNTS.pick(rng)):
                records.append(self._subject_penalty(subject, held))
        return records

    def for_persons(self) -> list[Record]:
        """Penalties against natural persons to interleave after a subject (usually none)."""
        rng = self.rng
        if rng.random() >= PERSON_SHARE:
            return []
        person = self.persons.make(rng)
        count = 1 if rng.random() < 0.9 else 2
        return [self._person_penalty(person) for _ in range(count)]

    # -- licences ------------------------------------------------------------------------------

    def _licence_kinds(self, subject: Subject) -> list[LicenceKind]:
        table = _licence_table(subject.industry.letter, subject.kind)
        if table is None:
            return []
        wanted = _LICENCE_COUNTS.pick(self.rng)
        chosen: list[LicenceKind] = []
        for _ in range(wanted * 4):
            kind = table.pick(self.rng)
            if kind not in chosen:
                chosen.append(kind)
                if len(chosen) == wanted:
                    break
        return chosen

    def _licence(self, subject: Subject, kind: LicenceKind) -> tuple[Record, str]:
        rng = self.rng
        region = subject.region
        bureau = self.bureaus.get(kind.agency, region, rng.random() < kind.county_share)
        if kind.number == "uscc":
            decided = subject.established
            document = self.numbers.format(
                rng,
                kind.agency,
                "licence",
                f"（{bureau.abbr}）登记内设字",
                decided.year,
                width=6,
                ordinal=True,
            )
        else:
            decided = _day_between(rng, max(subject.established, LICENCE_WINDOW_START))
            document = self.numbers.format(
                rng, kind.agency, "licence", bureau.abbr + kind.doc, decided.year
            )
        number = licence_number(kind, subject, decided, document, rng, self.numbers)
        valid_to = OPEN_ENDED if kind.years == 0 else _years_later(decided, kind.years)
        in_force = valid_to >= REFERENCE_DATE and subject.status not in ("吊销", "注销")
        row = [
            *self._party(subject, kind.agency, decided),
            kind.title,
            document,
            kind.category,
            kind.certificate,
            number,
            rng.choice(kind.contents),
            decided.isoformat(),
            decided.isoformat(),
            valid_to.isoformat(),
            bureau.name,
            bureau.uscc,
            "1" if in_force else "2",
            bureau.name,
            bureau.uscc,
            "",
        ]
        return Record(kind.agency, "licence", row), number

    # -- penalties -----------------------------------------------------------------------------

    def _subject_penalty(self, subject: Subject, held: list[_Held]) -> Record:
        rng = self.rng
        letter = subject.industry.letter
        category = _CATEGORIES.pick(rng)
        agencies = _agency_table(letter, category)
        if agencies is None:  # nothing this subject could do carries that penalty
            category = FINE
            agencies = _agency_table(letter, FINE)
        assert agencies is not None, "every industry has some fineable violation"
        agency = agencies.pick(rng)
        violation, category = _violation(rng, agency, letter, category, False)
        decided = _day_between(rng, max(subject.established, PENALTY_WINDOW_START))
        revoked = next((h for h in held if h.agency == violation.agency), None)
        party = self._party(subject, agency, decided)
        return self._penalty(violation, category, decided, subject.region, party, revoked)

    def _person_penalty(self, person: Person) -> Record:
        rng = self.rng
        violation, category = _violation(rng, "", "", _CATEGORIES.pick(rng), True)
        decided = _day_between(rng, PENALTY_WINDOW_START)
        party = [person.name, NATURAL_PERSON, *([""] * 9), "身份证", person.ric]
        assert person.region is not None  # PersonFactory always places a person
        return self._penalty(violation, category, decided, person.region, party, None)

    def _penalty(
        self,
        violation: Violation,
        category: str,
        decided: date,
        region: Region,
        party: list[str],
        held: _Held | None,
    ) -> Record:
        rng = self.rng
        agency = violation.agency
        if violation.office == "inspection":
            name = f"国家税务总局{region.city}税务局稽查局"
            bureau = self.bureaus.special(agency, region, name, region.city_abbr)
        else:
            county = violation.doc == "税简罚" or rng.random() < 0.6
            bureau = self.bureaus.get(agency, region, county)
        document = self.numbers.format(
            rng, agency, "penalty", bureau.abbr + violation.doc, decided.year
        )
        item = rng.choice(violation.items) if violation.items else ""
        value = _log_between(rng, 500, 50000)
        tax_multiple: tuple[int, str] | None = None
        if violation.tax_multiple:
            value = _log_between(rng, *violation.fine)
            tax_multiple = _TAX_MULTIPLES.pick(rng)
        facts = violation.facts.format(x=item, v=value, plate=_plate(rng, region))

        fine = 0
        if category == FINE or (category not in LIGHT_CATEGORIES and rng.random() < 0.8):
            if tax_multiple is not None:
                fine = value * tax_multiple[0] // 100
            else:
                fine = _nice(rng, _log_between(rng, *violation.fine))
        confiscated = 0
        if category in (CONFISCATE_GAINS, CONFISCATE_PROPERTY):
            confiscated = _log_between(rng, 100, 50000)
        licence = ""
        if category == REVOKE:
            licence = f"{held.certificate}（{held.number}）" if held else _REVOKABLE.get(agency, "")
        period, validity = "", ""
        if category == SUSPEND:
            days = rng.choice((7, 15, 30, 60))
            period, validity = f"{days}日", (decided + timedelta(days=days)).isoformat()
        elif category == RESTRICT:
            months = rng.choice((1, 2, 3, 6))
            period, validity = f"{months}个月", add_months(decided, months).isoformat()
        content = penalty_content(category, fine, confiscated, licence, item, tax_multiple, period)
        light = category in LIGHT_CATEGORIES or (
            category == FINE and fine < SMALL_FINE_YUAN and not confiscated
        )
        publicity_end = add_months(decided, 3) if light else add_years(decided, 3)
        row = [
            *party,
            document,
            violation.kind,
            facts,
            violation.basis,
            category,
            content,
            wan(fine) if fine else "",
            wan(confiscated) if confiscated else "",
            licence,
            decided.isoformat(),
            validity,
            publicity_end.isoformat(),
            bureau.name,
            bureau.uscc,
            bureau.name,
            bureau.uscc,
            _REMARKS.pick(rng),
        ]
        return Record(agency, "penalty", row)

    # -- the party columns ---------------------------------------------------------------------

    def _party(self, subject: Subject, agency: str, decided: date) -> list[str]:
        """The 13 identity columns, filled the patchy way real exports fill them."""
        rng = self.rng
        name = subject.name
        renamed_since = subject.former_names and decided < REFERENCE_DATE - timedelta(days=365)
        if renamed_since and rng.random() < 0.3:  # decided before the change of name
            name = subject.former_names[0]
        org_code = ""
        if subject.kind != SHOP and rng.random() < 0.15:
            code = subject.org_code
            org_code = f"{code[:8]}-{code[8]}" if rng.random() < 0.5 else code
        return [
            name,
            subject.party_category,
            subject.uscc,
            subject.registration_no if rng.random() < 0.2 else "",
            org_code,
            subject.uscc if agency == "sta" and rng.random() < 0.5 else "",
            subject.institution_cert if rng.random() < 0.6 else "",
            subject.social_org_cert if rng.random() < 0.6 else "",
            subject.legal_rep,
            "身份证",
            "",
            "",
            "",
        ]


_REVOKABLE: dict[str, str] = {
    "samr": "食品经营许可证",
    "mee": "排污许可证",
    "mem": "危险化学品经营许可证",
    "nhc": "医疗机构执业许可证",
    "mohurd": "建筑业企业资质证书",
    "mot": "道路运输经营许可证",
    "sta": "",
}


@cache
def _agency_table(letter: str, category: str) -> Weighted[str] | None:
    """Agencies that can impose ``category`` on this industry, weighted by how often they act."""
    boosts = _AGENCY_BOOSTS.get(letter, {})
    pairs = [
        (agency.code, _BASE_AGENCY_WEIGHTS[agency.code] * boosts.get(agency.code, 1.0))
        for agency in AGENCIES
        if _violation_table(agency.code, letter, category, False) is not None
    ]
    return Weighted(pairs) if pairs else None


@cache
def _licence_table(letter: str, kind: str) -> Weighted[LicenceKind] | None:
    pairs = [
        (licence, licence.weight)
        for licence in LICENCE_KINDS
        if kind not in licence.excluded_kinds
        and (not licence.industries or letter in licence.industries)
    ]
    return Weighted(pairs) if pairs else None


@cache
def _violation_table(
    agency: str, letter: str, category: str, person: bool
) -> Weighted[Violation] | None:
    pairs = [
        (violation, violation.weight)
        for violation in VIOLATIONS
        if (not agency or violation.agency == agency)
        and (violation.persons if person else violation.organisations)
        and (person or not violation.industries or letter in violation.industries)
        and (category == FINE or category in violation.categories)
    ]
    return Weighted(pairs) if pairs else None


def _violation(
    rng: random.Random, agency: str, letter: str, category: str, person: bool
) -> tuple[Violation, str]:
    """A violation allowing ``category``; falls back to a fine where none does."""
    table = _violation_table(agency, letter, category, person)
    if table is None:
        category = FINE
        table = _violation_table(agency, letter, FINE, person)
    assert table is not None, "agencies are only chosen where some violation fits"
    return table.pick(rng), category


def _day_between(rng: random.Random, first: date, last: date = REFERENCE_DATE) -> date:
    """A uniformly drawn day in [first, last]; ``last`` if the range is empty."""
    span = (last - first).days
    return last if span <= 0 else first + timedelta(days=rng.randrange(span + 1))


def _years_later(day: date, years: int) -> date:
    """The last day of a validity of ``years`` starting on ``day`` (2024-05-01 -> 2029-04-30)."""
    return add_years(day, years) - timedelta(days=1)


def _log_between(rng: random.Random, low: int, high: int) -> int:
    """Skewed towards ``low``, as fines and amounts are: most small, a long tail."""
    return round(low * float((high / low) ** (rng.random() ** 1.6)))


def _nice(rng: random.Random, yuan: int) -> int:
    """Round as decisions do: mostly one or two significant figures, sometimes to the hundred."""
    if yuan < 100:
        return max(10, yuan // 10 * 10)
    roll = rng.random()
    if roll >= 0.8:
        return yuan // 100 * 100
    scale = int(10 ** (len(str(yuan)) - (1 if roll < 0.35 else 2)))
    return yuan // scale * scale


def _plate(rng: random.Random, region: Region) -> str:
    """A vehicle plate registered in the region's province: 浙A12345."""
    tail = "".join(rng.choice("0123456789" + USCC_ALPHABET[10:]) for _ in range(4))
    return f"{region.province.abbr}{rng.choice(_PLATE_LETTERS)}{rng.choice('0123456789')}{tail}"
