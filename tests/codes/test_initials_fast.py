"""The fast name keys equal the slow, obvious ones they replaced.

`initials` skips pypinyin's per-character style pipeline and `strip_legal_form` answers most names
with one `endswith`; a search by pinyin initials or by a name with a mistyped company form must
find exactly what it found before. The oracles here are the straightforward versions.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from xinyong.codes.company import LEGAL_FORMS, core_name, initials, strip_legal_form
from xinyong.codes.names import normalise_name

REAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "real_company_names.csv"


def slow_initials(text: str) -> str:
    joined = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return "".join(c for c in joined if c.isascii() and c.isalnum())


def slow_strip_legal_form(key: str) -> str:
    for form in LEGAL_FORMS:
        if key.endswith(form) and len(key) > len(form):
            return key[: -len(form)].rstrip(",. ")
    for form in LEGAL_FORMS:
        tail = key[-len(form) :]
        if (
            len(form) >= 4
            and len(key) > len(form) + 1
            and sum(a != b for a, b in zip(tail, form, strict=True)) == 1
        ):
            return key[: -len(form)]
    return key


def real_names() -> list[str]:
    with REAL.open(encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row if cell.strip()]


def test_initials_of_real_names_and_their_cores_are_pypinyins() -> None:
    names = real_names()
    assert len(names) > 100
    for name in names:
        key = normalise_name(name)
        for text in (name, key, core_name(key)):
            assert initials(text) == slow_initials(text), text


def test_polyphonic_characters_read_as_in_their_phrase() -> None:
    assert initials("重庆长安汽车") == "cqcaqc"  # 重 chóng, 长 cháng in these phrases
    assert initials("中国银行") == "zgyh"  # 行 háng
    assert initials("长城3d科技abc") == "cc3dkjabc"


_PHRASES = sorted(w for w in PHRASES_DICT if len(w) <= 4)
_PIECES = st.one_of(
    st.sampled_from(_PHRASES),
    st.sampled_from("重长行乐还都了着和大服区部合会广"),
    st.text(alphabet="abcXYZ019()（）·-有限公司", max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6))
def test_initials_equal_pypinyins_for_any_mix_of_phrases_and_characters(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert initials(text) == slow_initials(text)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="深圳字节跳动科技", min_size=0, max_size=6),
    st.sampled_from(LEGAL_FORMS),
    st.integers(min_value=-1, max_value=13),
    st.sampled_from("工司份限责任集团伙企"),
)
def test_strip_legal_form_equals_the_plain_loops(
    head: str, form: str, typo_at: int, typo: str
) -> None:
    tail = (
        form if typo_at < 0 or typo_at >= len(form) else form[:typo_at] + typo + form[typo_at + 1 :]
    )
    key = head + tail
    assert strip_legal_form(key) == slow_strip_legal_form(key)


def test_a_mistyped_company_form_is_still_taken_off() -> None:
    assert strip_legal_form("字节跳动科技有限工司") == "字节跳动科技"
    assert strip_legal_form("字节跳动科技股份有限公司") == "字节跳动科技"
    assert strip_legal_form("字节跳动") == "字节跳动"
