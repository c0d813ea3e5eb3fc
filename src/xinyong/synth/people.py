"""Synthetic natural persons: names for legal representatives, and penalised individuals.

Names are drawn from the commonest surnames, weighted by their approximate national shares, and
one or two given-name characters; that gives the heavy repetition real registries show (many
王伟 and 张敏) without depending on Faker's locale data changing under us. Penalised individuals
get a resident ID whose address code, birth date and check character all pass stdnum.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from xinyong.synth.identifiers import make_ric, ric_valid_years
from xinyong.synth.regions import Region, region_table
from xinyong.synth.weighted import Weighted

BIRTH_YEARS = (1950, 2004)

# Approximate shares (per mille) of the commonest surnames in the 2020 household register.
_SURNAMES = (
    "王72 李70 张67 刘54 陈45 杨31 黄22 赵20 吴19 周19 徐17 孙15 马15 朱14 胡13 郭12 何12 林11 "
    "罗11 高11 郑9 梁9 谢8 宋7 唐7 许7 韩6 冯6 邓6 曹6 彭6 曾6 肖6 田5 董5 潘5 袁5 蔡5 蒋5 "
    "余5 于5 杜5 叶4 程4 魏4 苏4 吕4 丁4 任4 卢4 姚4 沈4 钟4 姜4 崔4 谭3 陆3 范3 汪3 廖3 石3 "
    "金3 韦3 贾3 夏3 付3 方3 邹3 熊3 白3 孟3 秦3 邱3 侯3 江3 尹3 薛3 闫3 段2 雷2 龙2 黎2 史2 "
    "陶2 贺2 毛2 郝2 顾2 龚2 邵2 万2 覃2 武2 钱2 戴2 严2 莫2 孔2 向2 常2 汤2 康2 易2 乔2 赖2 "
    "文2 欧阳1 上官1 司马1"
)
_MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国庆文亮成兵峰晨洋志"
    "新海东坤彬锋翔瑞博昊哲睿轩铭天子豪"
)
_FEMALE_GIVEN = (
    "芳娜敏静丽艳娟霞秀英玲桂兰萍燕红梅琳颖雪慧晶倩婷莉洁琴云月凤婕琪欣怡萱雨涵可馨悦"
    "瑶思佳璐蕾蓉珊薇丹彤妍淑"
)


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person; ``ric`` is empty unless the person appears as a party in a record."""

    name: str
    male: bool
    region: Region | None = None
    ric: str = ""


@cache
def _surnames() -> Weighted[str]:
    return Weighted(
        (surname, float(share)) for surname, share in re.findall(r"([^\s\d]+)(\d+)", _SURNAMES)
    )


def person_name(rng: random.Random, male: bool) -> str:
    """A plausible Chinese name: surname plus one (a third of names) or two given characters."""
    pool = _MALE_GIVEN if male else _FEMALE_GIVEN
    given = rng.choice(pool) if rng.random() < 0.33 else rng.choice(pool) + rng.choice(pool)
    return _surnames().pick(rng) + given


def random_person(rng: random.Random) -> Person:
    """A legal representative or business operator (no ID: real exports omit theirs)."""
    male = rng.random() < 0.7
    return Person(person_name(rng, male), male)


class PersonFactory:
    """Makes penalised natural persons with resident IDs that are valid and unique."""

    def __init__(self) -> None:
        self._issued: set[str] = set()
        self._valid_years: dict[str, tuple[int, ...]] = {}

    def _years(self, region: Region) -> tuple[int, ...]:
        years = self._valid_years.get(region.code)
        if years is None:
            years = ric_valid_years(region.code, *BIRTH_YEARS)
            self._valid_years[region.code] = years
        return years

    def make(self, rng: random.Random) -> Person:
        """One person born 1950-2004, registered in a census-weighted region."""
        while True:
            region = region_table().pick(rng)
            years = self._years(region)
            if not years:  # a district created after 2004 issues no IDs to our birth cohorts
                continue
            year = rng.choice(years)
            born = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            male = rng.random() < 0.75  # penalised individuals are mostly men (drivers, hawkers)
            sequence = rng.randrange(0, 999, 2) + (1 if male else 0)
            ric = make_ric(region.code, born, sequence)
            if ric in self._issued:
                continue
            self._issued.add(ric)
            return Person(person_name(rng, male), male, region, ric)
