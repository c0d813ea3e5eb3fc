"""Name matching keys: the variants agencies write must meet, and the key must be a fixed point."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.codes import display_name, normalise_name

# Company-name characters in both scripts, bracket styles, full-width Latin and digits, spaces.
NAME_POOL = (
    "臺台灣湾積积體体電电路製制造股份有限公司廣广東东發发展銀银行國国際际貿贸易實实業业集團团"
    "華华為为術术開开關关係系區区縣县鄉乡鎮镇產产務务資资薴苧苎乾干隆著着髮後后裡里"
    "（）()【】〔〕［］[]〖〗﹙﹚﹝﹞ 　\u00a0\t\nＡＢＣａｂｃ０１２ABCabcİıßǰ¨\u0301-·."
)


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("臺灣積體電路製造股份有限公司（台積電）", "台湾积体电路制造股份有限公司(台积电)"),
        ("廣東發展銀行股份有限公司", "广东发展银行股份有限公司"),
        ("華為技術有限公司", "华为技术有限公司"),
        ("【廈門】國際貿易 有限公司", "(厦门)国际贸易有限公司"),
        ("〔廈門〕國際貿易有限公司", "［厦门］国际贸易有限公司"),
        ("ＡＢＣ　貿易有限公司", "abc贸易有限公司"),
        (" 深圳市 騰訊計算機系統 有限公司\t", "深圳市腾讯计算机系统有限公司"),
    ],
)
def test_variants_share_a_key(traditional: str, simplified: str) -> None:
    assert normalise_name(traditional) == normalise_name(simplified)


def test_key_form() -> None:
    assert normalise_name("臺灣積體電路製造股份有限公司（台積電）") == (
        "台湾积体电路制造股份有限公司(台积电)"
    )
    assert normalise_name(" 【Apple】 Computer　Trading (Shanghai) Co., Ltd. ") == (
        "(apple)computertrading(shanghai)co.,ltd."
    )
    assert normalise_name("") == ""


def test_inputs_that_need_more_than_one_pass() -> None:
    # OpenCC's t2s is not idempotent: 薴 -> 苧 -> 苎.
    assert normalise_name("薴") == normalise_name("苧") == normalise_name("苎") == "苎"
    # NFKC turns U+00A8 into space + combining diaeresis; without the space it composes.
    assert normalise_name("a¨") == "ä"
    # Case folding decomposes U+01F0, which NFKC recomposes.
    assert normalise_name("ǰ") == normalise_name(normalise_name("ǰ"))


def test_lone_surrogates_do_not_break_the_key() -> None:
    key = normalise_name("臺灣\ud800公司")
    assert key == "台湾\ud800公司"
    assert normalise_name(key) == key


def test_display_name_keeps_what_was_given() -> None:
    assert display_name("  臺灣積體電路　 製造  （台積電）\n") == "臺灣積體電路 製造 （台積電）"
    assert display_name("【廈門】國際貿易") == "【廈門】國際貿易"
    assert display_name(" \u3000 ") == ""


@settings(max_examples=500)
@given(st.text())
def test_key_is_idempotent_for_any_text(name: str) -> None:
    key = normalise_name(name)
    assert normalise_name(key) == key


@settings(max_examples=500)
@given(st.text(alphabet=NAME_POOL, max_size=30))
def test_key_is_idempotent_for_chinese_names(name: str) -> None:
    key = normalise_name(name)
    assert normalise_name(key) == key
    assert not any(c.isspace() for c in key)
    assert not set(key) & set("（）【】〔〕［］[]〖〗")


@given(st.text(alphabet=NAME_POOL, max_size=30))
def test_display_name_is_idempotent_and_does_not_change_the_key(name: str) -> None:
    shown = display_name(name)
    assert display_name(shown) == shown
    assert normalise_name(shown) == normalise_name(name)
