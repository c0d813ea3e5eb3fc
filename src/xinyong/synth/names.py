"""Names of organisations, composed the way Chinese registration rules compose them.

A company name is place + trade name (字号) + industry word + legal form, in one of the orders the
rules allow (杭州锦泰网络科技有限公司, 锦泰（杭州）网络科技有限公司, 锦泰网络科技（杭州）有限公司,
浙江锦泰…). Faker's ``company()`` yields a few hundred distinct names, far too few for search and
screening to be tested against (DESIGN.md), so names are composed here instead.

Trade names come from a combinatorial pool of two (sometimes three) characters that registrants
favour. As in real registries many are shared: a fixed share of new subjects reuse a trade name
already taken by another subject elsewhere or in another line of business, so that fuzzy search has
to tell 杭州锦泰网络科技 from 广东锦泰建设工程.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from xinyong.synth.regions import PROVINCES, REGIONS, Region
from xinyong.synth.weighted import Weighted

# Characters registrants like in trade names, each with its pinyin for English names.
_TRADE_CHARS = (
    "华hua 泰tai 鑫xin 源yuan 恒heng 盛sheng 达da 锦jin 瑞rui 宏hong 昌chang 隆long 兴xing "
    "丰feng 利li 通tong 安an 康kang 正zheng 信xin 诚cheng 德de 和he 顺shun 祥xiang 福fu 嘉jia "
    "金jin 银yin 宝bao 润run 博bo 远yuan 晟sheng 昊hao 鼎ding 旭xu 辉hui 光guang 明ming 新xin "
    "创chuang 智zhi 联lian 汇hui 中zhong 海hai 天tian 宇yu 星xing 云yun 峰feng 山shan 川chuan "
    "江jiang 河he 湖hu 林lin 森sen 松song 青qing 蓝lan 绿lv 红hong 紫zi 东dong 南nan 西xi 北bei "
    "永yong 久jiu 万wan 千qian 百bai 亿yi 众zhong 合he 协xie 同tong 力li 健jian 美mei 优you "
    "佳jia 品pin 卓zhuo 越yue 尚shang 思si 慧hui 睿rui 启qi 航hang 腾teng 飞fei 龙long 凤feng "
    "鹏peng 骏jun 豪hao 俊jun 杰jie 英ying 雅ya 韵yun 馨xin 芳fang 荣rong 耀yao 辰chen 晨chen "
    "阳yang 日ri 月yue 泽ze 涛tao 洋yang 浩hao 沃wo 澜lan 泓hong 淼miao 凯kai 捷jie 迅xun "
    "驰chi 奥ao 拓tuo 展zhan 鸿hong 弘hong 世shi 纪ji 亚ya 欧ou 普pu 益yi 友you 邦bang 道dao "
    "成cheng 立li 业ye 坤kun 乾qian 元yuan 亨heng 吉ji 禾he 谷gu 田tian 茂mao 盈ying 裕yu "
    "富fu 方fang 铭ming 钧jun 瀚han 宸chen 灏hao 晖hui 璟jing 琪qi 君jun 臻zhen 曜yao 煜yu "
    "焱yan 烨ye 炜wei 伟wei 振zhen 国guo 开kai 致zhi 景jing 维wei 纳na 斯si"
)
PINYIN: dict[str, str] = {token[0]: token[1:] for token in _TRADE_CHARS.split()}
TRADE_CHARS: tuple[str, ...] = tuple(PINYIN)

REUSE_SHARE = 0.3  # share of new subjects that take a trade name someone already uses
THREE_CHAR_SHARE = 0.15


@cache
def _place_words() -> frozenset[str]:
    """Place names a trade name may not be (registration rules reserve them)."""
    words: set[str] = set()
    for province in PROVINCES:
        words.add(province.short)
    for region in REGIONS:
        words.add(region.city_short)
        if region.county:
            words.add(region.county_short)
    return frozenset(words)


class TradeNamePool:
    """Draws trade names, reusing taken ones at a fixed rate.

    A drawn name is only remembered once ``commit`` says a subject kept it, so that names the
    caller rejects (because the full name was taken) are not reused later.
    """

    def __init__(self) -> None:
        self._taken: list[str] = []
        self._known: set[str] = set()

    def draw(self, rng: random.Random, *, fresh: bool = False) -> str:
        """A trade name: an existing one with probability ``REUSE_SHARE``, else a new one."""
        if not fresh and self._taken and rng.random() < REUSE_SHARE:
            return rng.choice(self._taken)
        while True:
            length = 3 if fresh or rng.random() < THREE_CHAR_SHARE else 2
            chars = rng.sample(TRADE_CHARS, length)
            name = "".join(chars)
            if name not in _place_words():
                return name

    def commit(self, name: str) -> None:
        """Record that a subject now carries ``name``; each distinct name is kept once."""
        if name not in self._known:
            self._known.add(name)
            self._taken.append(name)


def trade_pinyin(trade: str) -> str:
    """Jintai for 锦泰."""
    return "".join(PINYIN[char] for char in trade).capitalize()


@dataclass(frozen=True, slots=True)
class CompanyName:
    """The parts of a company-style name and the order they are written in."""

    pattern: str  # one of PATTERNS
    region: Region
    trade: str
    word: str
    word_en: str
    form: str  # 有限公司, 股份有限公司, 合伙企业（有限合伙）, 商行 ...

    @property
    def chinese(self) -> str:
        """The registered name."""
        region, head = self.region, self.trade + self.word
        if self.pattern == "city":
            return region.city + head + self.form
        if self.pattern == "city_short":
            return region.city_short + head + self.form
        if self.pattern == "province":
            return region.province.short + head + self.form
        if self.pattern == "bracket_after_trade":
            return f"{self.trade}（{region.city_short}）{self.word}{self.form}"
        if self.pattern == "bracket_before_form":
            return f"{head}（{region.city_short}）{self.form}"
        if self.pattern == "county":
            return region.full_name + head + self.form
        return head + self.form  # "none": registered nationally, no place in the name

    @property
    def english(self) -> str:
        """An English name of the kind larger companies register: Hangzhou Jintai … Co., Ltd."""
        region, trade = self.region, trade_pinyin(self.trade)
        suffix = "Co., Ltd." if "公司" in self.form else "Partnership"
        if self.pattern == "province":
            place = region.province.pinyin
        elif self.pattern == "none":
            place = ""
        else:
            place = region.city_pinyin
        if self.pattern.startswith("bracket") and place:
            return f"{trade} ({place}) {self.word_en} {suffix}"
        return " ".join(part for part in (place, trade, self.word_en, suffix) if part)


PATTERNS: Weighted[str] = Weighted(
    [
        ("city", 24.0),
        ("city_short", 24.0),
        ("province", 15.0),
        ("bracket_after_trade", 14.0),
        ("bracket_before_form", 10.0),
        ("county", 10.0),
        ("none", 3.0),
    ]
)

LIMITED_FORMS: Weighted[str] = Weighted([("有限公司", 9.0), ("有限责任公司", 1.0)])
SOLE_FORMS: tuple[str, ...] = ("商行", "经营部", "工作室", "服务部", "中心")
PARTNERSHIP_FORMS: Weighted[str] = Weighted(
    [("合伙企业（有限合伙）", 3.0), ("合伙企业（普通合伙）", 1.0)]
)
COOPERATIVE_WORDS: tuple[str, ...] = (
    "蔬菜种植", "茶叶种植", "水果种植", "生猪养殖", "家禽养殖", "水产养殖", "农机服务",
    "食用菌种植", "粮食种植", "中药材种植",
)  # fmt: skip
ASSOCIATION_FORMS: tuple[str, ...] = ("行业协会", "商会", "促进会")
PRIVATE_NONPROFIT_WORDS: tuple[str, ...] = (
    "培训学校", "幼儿园", "养老院", "社会工作服务中心", "康复中心", "职业技能培训学校",
)  # fmt: skip
INSTITUTION_WORDS: tuple[str, ...] = (
    "疾病预防控制中心", "图书馆", "文化馆", "人民医院", "中医院", "妇幼保健院", "档案馆",
    "市场监管服务中心", "公共资源交易中心", "综合行政执法服务中心", "实验小学", "第一中学",
)  # fmt: skip


def branch_name(parent: str, parent_region: Region, region: Region) -> str:
    """A branch's name: the parent's name plus where the branch is (…有限公司上海分公司)."""
    if region.city != parent_region.city or not region.county:
        return f"{parent}{region.city_short}分公司"
    return f"{parent}{region.county_short}分公司"
