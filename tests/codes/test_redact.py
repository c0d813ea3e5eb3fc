"""Resident IDs hidden in free text are masked wherever they are, and nothing else changes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from xinyong.codes import mask_ric, redact_ids, ric_expected_check

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@st.composite
def rics(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "330106", "440305", "510104"]))
    born = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)))
    body = region + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return body + ric_expected_check(body)


text = st.text(alphabet=st.sampled_from("公司备注身份证，。 ;:abcXY"), max_size=12)


@given(text, rics(), text, st.booleans())
def test_an_embedded_id_is_masked_and_the_rest_kept(
    before: str, ric: str, after: str, wide: bool
) -> None:
    shown = ric.translate(FULL_WIDTH) if wide else ric
    out = redact_ids(before + shown + after)
    assert out == before + mask_ric(ric) + after
    assert ric[6:14] not in out


@given(st.text(max_size=40))
def test_text_without_ids_is_returned_unchanged(value: str) -> None:
    out = redact_ids(value)
    assert out == value or "********" in out
