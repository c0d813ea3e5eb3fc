"""The parts of a Chinese company name, for forgiving matching.

A registered name reads [region] + trade name (字号) + [industry] + organisational form:
北京 + 字节跳动 + 科技 + 有限公司. People type it without the region (字节跳动科技有限公司), with
another form (…有限责任公司, Co., Ltd.), or as the trade name alone. The *core* of a name is what
is left when the leading region and the trailing form are taken off (and a bracketed region such
as 阿里巴巴(中国) is dropped): 字节跳动科技. Names are compared on their cores as well as whole.

Region names come from the GB/T 2260 division list that python-stdnum ships (the one it checks
resident IDs against), so they are real names, not a list kept by hand.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
from pypinyin.seg.simpleseg import seg as pinyin_seg
from pypinyin.style import convert as convert_style

# Longest first, so 股份有限公司 is taken before 有限公司. Names are normalised first (NFKC,
# simplified, lower case, no spaces), so the English forms appear lower-cased and unspaced.
LEGAL_FORMS: tuple[str, ...] = tuple(
    sorted(
        {
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "股份合作公司",
            "集团公司",
            "公司",
            "(有限合伙)",
            "(普通合伙)",
            "(特殊普通合伙)",
            "有限合伙企业",
            "合伙企业",
            "个人独资企业",
            "co.,ltd.",
            "co.,ltd",
            "co.ltd.",
            "co.ltd",
            "companylimited",
            "co.,limited",
            "limited",
            "ltd.",
            "ltd",
            "inc.",
            "inc",
            "corporation",
            "corp.",
            "corp",
        },
        key=len,
        reverse=True,
    )
)
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "地区",
    "省",
    "市",
)
_BRACKETED = re.compile(r"\(([^()]{2,12})\)")
_TRAILING_ALIAS = re.compile(r"(?<=公司)\([^()]{1,12}\)$")


@functools.cache
def _division_names() -> tuple[frozenset[str], frozenset[str]]:
    """(full names, short names) of provinces and prefecture-level cities, and full county names."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    full: set[str] = set()
    short: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        indent = len(line) - len(line.lstrip())
        # A division renamed over time lists every name with its years, comma-separated
        # ("[-1980]旅大市,[1981-]大连市"): each of them is a region name, but only a current one
        # (no years, or open-ended ones) gives a short form: names of places abolished long ago
        # (新汶市, 1982; 下关市, until 1983) live on as trade names (新汶矿业, 下关沱茶).
        parts = (
            re.match(r"^(?:\[(\d*)-(\d*)\])?(.*)$", part.strip())
            for value in re.findall(r'="([^"]+)"', line)
            for part in value.split(",")
        )
        for match in parts:
            assert match is not None  # the pattern matches any text
            name, ended = match.group(3).strip(), bool(match.group(2))
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            full.add(name)
            # Short forms (深圳 for 深圳市) only for provinces and cities: 地区 and 自治州 short
            # forms (阿里 of 阿里地区) are too often the start of a trade name.
            if indent <= 2 and not ended and not name.endswith(("地区", "自治州", "盟")):
                for suffix in _SUFFIXES:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        short.add(name[: -len(suffix)])
                        break
    return frozenset(full), frozenset(short)


def division_names() -> tuple[frozenset[str], frozenset[str]]:
    """(full names, short names) of China's divisions, as region stripping knows them."""
    return _division_names()


# Bracketed, these name a place, never a trade name: 阿里巴巴(中国), 字节跳动(北京).
_BRACKET_ONLY = frozenset({"中国", "中华人民共和国"})


def strip_legal_form(key: str) -> str:
    if key.endswith(LEGAL_FORMS):  # one C call answers for nearly every name
        for form in LEGAL_FORMS:
            if key.endswith(form) and len(key) > len(form):
                return key[: -len(form)].rstrip(",. ")
    # A typo in the form itself (有限工司): four characters or more, one of them different. The
    # longest such form wins, as above; forms of one length cut the same, so any of them does.
    for size, masked, ends in _TYPO_FORMS:
        # One character off means the last two cannot both be off: most names end elsewhere.
        if len(key) > size + 1 and (key[-1] in ends[0] or key[-2] in ends[1]):
            tail = key[-size:]
            if any(tail[:i] + "\0" + tail[i + 1 :] in masked for i in range(size)):
                return key[:-size]
    return key


def _masked_forms() -> tuple[tuple[int, frozenset[str], tuple[frozenset[str], ...]], ...]:
    """Per form length (longest first), every form of that length with one character masked
    (a tail one character off a form equals one of these once the same position is masked), and
    the last and second-last characters of those forms."""
    sizes = sorted({len(f) for f in LEGAL_FORMS if len(f) >= 4}, reverse=True)
    out = []
    for size in sizes:
        forms = [f for f in LEGAL_FORMS if len(f) == size]
        masked = frozenset(f[:i] + "\0" + f[i + 1 :] for f in forms for i in range(size))
        ends = (frozenset(f[-1] for f in forms), frozenset(f[-2] for f in forms))
        out.append((size, masked, ends))
    return tuple(out)


_TYPO_FORMS = _masked_forms()


def strip_region(key: str) -> str:
    """Leading region names (full, or short for provinces and cities), as long as two characters
    of name remain; bracketed region names anywhere."""
    full, short = _division_names()
    key = _BRACKETED.sub(
        lambda m: (
            ""
            if m.group(1) in full or m.group(1) in short or m.group(1) in _BRACKET_ONLY
            else m.group(0)
        ),
        key,
    )
    return key[leading_region_length(key) :]


def leading_region_length(key: str) -> int:
    """How many characters of region names the key starts with (深圳市南山区… → 6), as long as two
    characters of name remain (a short form: three, so 朝阳科技 stays whole)."""
    full, short = _division_names()
    start = 0
    changed = True
    while changed:
        changed = False
        rest = len(key) - start
        for size in range(min(rest - 2, 12), 1, -1):
            head = key[start : start + size]
            if head in full or (head in short and rest - size >= 3):
                start += size
                changed = True
                break
    return start


@functools.lru_cache(maxsize=1 << 16)
def core_name(name_key: str) -> str:
    """The name without region and organisational form: 北京字节跳动科技有限公司 → 字节跳动科技.
    Takes a normalised key (`normalise_name`); returns it unchanged when nothing would remain."""
    # A bracketed short name after the form (…股份有限公司(台积电)) is an alias, not the name.
    name_key = _TRAILING_ALIAS.sub("", name_key) or name_key
    core = strip_region(strip_legal_form(name_key))
    core = strip_legal_form(core)  # 深圳市某某(集团)有限公司: the form may sit behind the region
    return core if len(core) >= 2 else name_key


@functools.lru_cache(maxsize=1 << 16)
def initials(text: str) -> str:
    """Pinyin initials of the Chinese characters (字节跳动科技 → zjtdkj); other characters kept
    when they are ASCII letters or digits.

    Exactly what ``lazy_pinyin(text, style=Style.FIRST_LETTER)`` gives (pypinyin's segmentation,
    its phrase readings, else each character's first reading), without its per-character style
    pipeline, which cost three times as much: ingest computes this for every new name
    (tests/codes/test_initials_fast.py holds the two equal)."""
    letters: list[str] = []
    for word in pinyin_seg(text):
        if not RE_HANS.match(word):  # other runs (abc, 3d) come back whole, as typed
            letters.append(word)
            continue
        phrase = PHRASES_DICT.get(word) if len(word) > 1 else None
        if phrase is not None:
            letters.extend(_first_letter(readings[0]) for readings in phrase)
            continue
        for char in word:
            readings = PINYIN_DICT.get(ord(char))
            letters.append(_first_letter(readings.split(",", 1)[0]) if readings else char)
    joined = "".join(letters).lower()
    return "".join(c for c in joined if c.isascii() and c.isalnum())


@functools.lru_cache(maxsize=8192)
def _first_letter(reading: str) -> str:
    return str(convert_style(reading, Style.FIRST_LETTER, strict=True))


def grams(core: str) -> list[str]:
    """The bigram side index's entries for a core name: every character bigram, and the first
    character alone (a one-character query looks for names starting with it)."""
    out = {core[i : i + 2] for i in range(len(core) - 1)}
    if core:
        out.add(core[0])
    return sorted(g for g in out if g.strip())


# Industry words that follow a trade name (北京字节跳动 + 科技): the last part of a core name that
# is not the trade name. From the national economic industry classification's common wording.
INDUSTRY_WORDS: tuple[str, ...] = tuple(
    sorted(
        {
            "科技",
            "技术",
            "网络",
            "信息",
            "电子",
            "数码",
            "软件",
            "智能",
            "通信",
            "计算机",
            "贸易",
            "商贸",
            "商务",
            "实业",
            "发展",
            "投资",
            "控股",
            "集团",
            "管理",
            "咨询",
            "服务",
            "建筑",
            "工程",
            "建设",
            "装饰",
            "设计",
            "劳务",
            "农业",
            "林业",
            "渔业",
            "牧业",
            "食品",
            "餐饮",
            "酒店",
            "物流",
            "运输",
            "货运",
            "供应链",
            "环保",
            "环境",
            "能源",
            "新能源",
            "电力",
            "医药",
            "生物",
            "医疗",
            "健康",
            "化工",
            "材料",
            "机械",
            "设备",
            "制造",
            "汽车",
            "汽车销售",
            "房地产",
            "置业",
            "物业",
            "教育",
            "培训",
            "文化",
            "传媒",
            "广告",
            "旅游",
            "体育",
            "娱乐",
            "影视",
            "印刷",
            "包装",
            "纺织",
            "服装",
            "家具",
            "电器",
            "五金",
            "钢铁",
            "金属",
            "矿业",
            "石油",
            "化学",
            "塑料",
            "橡胶",
            "玻璃",
            "陶瓷",
            "建材",
            "水泥",
            "电气",
            "自动化",
            "仪器",
            "光电",
            "半导体",
            "新材料",
            "金融",
            "保险",
            "证券",
            "担保",
            "融资租赁",
            "资产",
            "基金",
            "人力资源",
            "系统",
            "计算机系统",
            "在线",
            "数字",
            "工业",
            "乳业",
            "调味",
            "创新",
            "奶茶店",
            "餐厅",
            "饭店",
            "商店",
            "便利店",
            "经营部",
            "门市部",
            "工作室",
            "中心",
            "商行",
            "药店",
            "厂",
            "店",
            "企业",
            "经营",
            "销售",
            "批发",
            "零售",
            "超市",
            "药房",
            "百货",
        },
        key=len,
        reverse=True,
    )
)


_INDUSTRY_AT_END = re.compile("(?:" + "|".join(map(re.escape, INDUSTRY_WORDS)) + ")$")


@functools.lru_cache(maxsize=1 << 18)
def trade_name(core: str) -> str:
    """The trade name (字号) of a core name, as far as the industry words that follow it can be
    told apart: 字节跳动科技 → 字节跳动, 腾讯计算机系统 → 腾讯计算机系统 (no known word at the end).
    At least two characters always remain."""
    while True:
        match = _INDUSTRY_AT_END.search(core)
        if match is None or match.start() < 2:
            return core
        core = core[: match.start()]


@functools.lru_cache(maxsize=4096)
def in_region_or_form(fragment: str) -> bool:
    """Whether a short fragment occurs in a region name or an organisational form: the parts of
    a name the core-name side index does not cover."""
    full, short = _division_names()
    return any(fragment in form for form in LEGAL_FORMS) or any(
        fragment in name for name in (*full, *short)
    )
