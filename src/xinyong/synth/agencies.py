"""Source agencies, their local bureaus, and the document numbers bureaus issue.

Every record file belongs to one national agency (its ``source``), but the decisions in it are
taken by that agency's local bureaus where the subject is registered
(杭州市市场监督管理局, 国家税务总局杭州市西湖区税务局), each with its own USCC (category 11,
机关). Bureau codes are derived from the bureau's name, not from the run's seed, so the same
bureau has the same code in every generated data set, as a real one would.

Document numbers follow the official pattern (杭市监处罚〔2024〕123号) and are allocated from one
counter per agency, record kind, prefix and year, which makes (agency, kind, number) unique even
where two bureaus abbreviate to the same prefix.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from xinyong.synth.identifiers import make_uscc
from xinyong.synth.regions import Region


@dataclass(frozen=True, slots=True)
class Agency:
    """A national agency that is the source of one licence file and one penalty file."""

    code: str
    name: str


AGENCIES: tuple[Agency, ...] = (
    Agency("samr", "国家市场监督管理总局"),
    Agency("sta", "国家税务总局"),
    Agency("mee", "生态环境部"),
    Agency("mem", "应急管理部"),
    Agency("nhc", "国家卫生健康委员会"),
    Agency("mohurd", "住房和城乡建设部"),
    Agency("mot", "交通运输部"),
)
AGENCY_BY_CODE: dict[str, Agency] = {agency.code: agency for agency in AGENCIES}


@dataclass(frozen=True, slots=True)
class Bureau:
    """A local office of an agency that takes decisions and publishes them."""

    agency: str
    name: str
    uscc: str
    abbr: str  # the place part of its document numbers: 杭, 杭西, 京朝


def bureau_name(agency: str, region: Region, county_level: bool) -> str:
    """The name a bureau of ``agency`` carries at the city or county level of ``region``."""
    city = region.city
    county = county_level and bool(region.county)
    place = region.full_name if county else city
    municipality = region.province.municipality
    if agency == "samr":
        return f"{place}市场监督管理局"
    if agency == "sta":
        return f"国家税务总局{place}税务局"
    if agency == "mee":
        if county and not municipality:  # county offices are branches of the city bureau
            return f"{city}生态环境局{region.county_short}分局"
        return f"{place}生态环境局"
    if agency == "mem":
        return f"{place}应急管理局"
    if agency == "nhc":
        return f"{place}卫生健康局" if county else f"{place}卫生健康委员会"
    if agency == "mohurd":
        if municipality and not county:
            return f"{place}住房和城乡建设委员会"
        return f"{place}住房和城乡建设局"
    if agency == "mot":
        return f"{place}交通运输局"
    raise ValueError(f"unknown agency {agency!r}")


class Bureaus:
    """Bureaus by (agency, region, level), made once and remembered."""

    def __init__(self) -> None:
        self._bureaus: dict[tuple[str, str, bool], Bureau] = {}
        self._codes: set[str] = set()

    def get(self, agency: str, region: Region, county_level: bool) -> Bureau:
        """The bureau of ``agency`` for ``region`` at the chosen level."""
        county = county_level and bool(region.county)
        key = (agency, region.code if county else region.city_code, county)
        bureau = self._bureaus.get(key)
        if bureau is None:
            name = bureau_name(agency, region, county)
            code_region = region.code if county else region.city_code
            bureau = Bureau(
                agency, name, self._code(name, code_region), _abbr(agency, region, county)
            )
            self._bureaus[key] = bureau
        return bureau

    def special(self, agency: str, region: Region, name: str, abbr: str) -> Bureau:
        """A named office with no place template of its own (a tax inspection bureau)."""
        key = (agency + ":" + name, region.city_code, False)
        bureau = self._bureaus.get(key)
        if bureau is None:
            bureau = Bureau(agency, name, self._code(name, region.city_code), abbr)
            self._bureaus[key] = bureau
        return bureau

    def _code(self, name: str, region_code: str) -> str:
        """A stable 11-category USCC derived from the bureau's name."""
        digest = hashlib.sha256(name.encode()).digest()
        salt = 0
        while True:
            number = int.from_bytes(digest[:8], "big") + salt
            body = f"{number % 10**8:08d}"  # government organisation codes are all digits
            code = make_uscc("11", region_code, body)
            if code not in self._codes:
                self._codes.add(code)
                return code
            salt += 1  # pragma: no cover - two bureaus hashing alike


def _abbr(agency: str, region: Region, county: bool) -> str:
    if agency == "mee" and county and not region.province.municipality:
        return region.city_abbr  # the branch decides in the city bureau's name
    return region.county_abbr if county else region.city_abbr


class DocumentNumbers:
    """Allocates 〔year〕number document numbers, unique per (agency, kind, prefix, year)."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, str, str, int], int] = {}

    def next(self, rng: random.Random, agency: str, kind: str, prefix: str, year: int) -> int:
        """The next number; gaps of a few stand for decisions that were never published.

        A series starts part-way through the year, as a sample of a bureau's decisions would.
        """
        key = (agency, kind, prefix, year)
        last = self._last.get(key)
        number = (rng.randrange(300) if last is None else last) + rng.randint(1, 3)
        self._last[key] = number
        return number

    def format(
        self,
        rng: random.Random,
        agency: str,
        kind: str,
        prefix: str,
        year: int,
        *,
        width: int = 1,
        ordinal: bool = False,
    ) -> str:
        """``{prefix}〔{year}〕{number}号``, the standard shape (``第…号`` when ``ordinal``)."""
        number = f"{self.next(rng, agency, kind, prefix, year):0{width}d}"
        return f"{prefix}〔{year}〕{'第' if ordinal else ''}{number}号"
