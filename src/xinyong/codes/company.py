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

from pypinyin import Style, lazy_pinyin

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
        for name in re.findall(r'="(?:\[[^\]]*\])?([^"]+)"', line):
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            full.add(name)
            # Short forms (深圳 for 深圳市) only for provinces and cities: 地区 and 自治州 short
            # forms (阿里 of 阿里地区) are too often the start of a trade name.
            if indent <= 2 and not name.endswith(("地区", "自治州", "盟")):
                for suffix in _SUFFIXES:
                    if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                        short.add(name[: -len(suffix)])
                        break
    return frozenset(full), frozenset(short)


# Bracketed, these name a place, never a trade name: 阿里巴巴(中国), 字节跳动(北京).
_BRACKET_ONLY = frozenset({"中国", "中华人民共和国"})


def strip_legal_form(key: str) -> str:
    for form in LEGAL_FORMS:
        if key.endswith(form) and len(key) > len(form):
            return key[: -len(form)].rstrip(",. ")
    return key


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
    changed = True
    while changed:
        changed = False
        for size in range(min(len(key) - 2, 12), 1, -1):
            head = key[:size]
            # A full name may leave two characters; a short form three (朝阳科技 stays whole).
            if head in full or (head in short and len(key) - size >= 3):
                key = key[size:]
                changed = True
                break
    return key


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
    when they are ASCII letters or digits."""
    # Each Chinese character gives one letter; other runs (abc, 3d) come back whole, as typed.
    joined = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return "".join(c for c in joined if c.isascii() and c.isalnum())


def grams(core: str) -> list[str]:
    """The bigram side index's entries for a core name: every character bigram, and the first
    character alone (a one-character query looks for names starting with it)."""
    out = {core[i : i + 2] for i in range(len(core) - 1)}
    if core:
        out.add(core[0])
    return sorted(g for g in out if g.strip())
