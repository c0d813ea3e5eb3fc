"""Pinyin initials find a company among namesakes, and equally good matches come in order of
prominence: the initials of its trade name alone (zjtd), of its name without a leading 中国
(gsyh), of its short name with the region kept (gzmt); among subjects sharing a trade name or
its initials, the live one with the larger registered capital first."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, subject

from xinyong.search import search_subjects
from xinyong.search.subjects import prior, word_ends
from xinyong.store import apply

BYTEDANCE = make_uscc("MA40PNY1", region="110108")
ICBC = make_uscc("MA41PNY2", region="110102")
MOUTAI = make_uscc("MA42PNY3", region="520381")
SMALL = make_uscc("MA43PNY4", region="440305")  # 字节 too, smaller and younger
GONE = make_uscc("MA44PNY5", region="310115")  # 字节 too, larger but cancelled


@pytest.fixture
def registry(engine: Engine) -> Engine:
    namesakes = [  # initials zj… / gs… / mt… that are not the companies asked for
        ("昆明正健天电子有限公司", "MA50PNY0"),  # zjtdz: zjtd runs into 电子
        ("杭州郑记通达物流有限公司", "MA51PNY1"),  # zjtdwl: zjtd is its trade name as well
        ("广森园华贸易有限公司", "MA52PNY2"),  # gsyh
        ("明泰服装有限公司", "MA53PNY3"),  # mt…, not in 贵州
    ]
    apply(
        engine,
        [
            agency(),
            subject(
                BYTEDANCE,
                "北京字节跳动科技有限公司",
                registered_capital_wan="10000",
                registered_on="2012-03-09",
                status="active",
            ),
            subject(ICBC, "中国工商银行股份有限公司", registered_capital_wan="35640625"),
            subject(MOUTAI, "贵州茅台酒股份有限公司", registered_capital_wan="125620"),
            subject(
                SMALL,
                "深圳市字节跳动网络有限公司",
                registered_capital_wan="50",
                registered_on="2021-06-01",
                status="active",
            ),
            subject(
                GONE,
                "上海字节跳动信息技术有限公司",
                registered_capital_wan="50000",
                registered_on="2010-01-01",
                status="cancelled",
            ),
            *(subject(make_uscc(body, region="330106"), name) for name, body in namesakes),
        ],
        actor="test",
    )
    return engine


def _codes(engine: Engine, q: str, n: int = 5) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(h.code, h.matched_on) for h in search_subjects(conn, q, limit=n).results]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("zjtd", BYTEDANCE),  # the trade name's initials; the core's are zjtdkj
        ("ZJTD", BYTEDANCE),
        ("gsyh", ICBC),  # 工商银行: the core keeps 中国 (zggsyh)
        ("gzmt", MOUTAI),  # 贵州茅台: the core drops 贵州 (mtj)
        ("zjtdkj", BYTEDANCE),  # the whole core
    ],
)
def test_initials_find_the_company_in_the_top_five(registry: Engine, query: str, code: str) -> None:
    hits = _codes(registry, query)
    assert (code, "name:pinyin_initials") in hits, (query, hits)


def test_the_prominent_namesake_comes_first(registry: Engine) -> None:
    # Four subjects' trade names have the initials zjtd; three of them are 字节跳动. Live before
    # cancelled, then the larger registered capital.
    hits = [c for c, _ in _codes(registry, "zjtd")]
    assert hits.index(BYTEDANCE) < hits.index(SMALL) < hits.index(GONE), hits
    # The same order for the trade name typed in full.
    names = [c for c, _ in _codes(registry, "字节跳动")]
    assert names[:3] == [BYTEDANCE, SMALL, GONE], names


def test_a_page_further_on_agrees_with_the_first(registry: Engine) -> None:
    both = _codes(registry, "zjtd", 4)
    with registry.connect() as conn:
        first = search_subjects(conn, "zjtd", limit=2).results
        second = search_subjects(conn, "zjtd", limit=2, offset=2).results
    assert [(h.code, h.matched_on) for h in [*first, *second]] == both


def test_initials_running_into_an_industry_word_rank_below_the_trade_name(
    registry: Engine,
) -> None:
    lookalike = make_uscc("MA50PNY0", region="330106")  # 正健天电子: zjtd is 正健天 + 电
    hits = [c for c, _ in _codes(registry, "zjtd", 10)]
    assert hits.index(BYTEDANCE) < hits.index(lookalike)


def test_word_ends_and_prior() -> None:
    assert word_ends("字节跳动科技") == (4, 6)
    assert word_ends("中国石油化工") == (2, 4, 6)
    assert word_ends("晨锦芳会展服务有限公司成都分") == (5, 7, 14)
    small = prior("active", False, "50", None)
    assert prior("active", False, "10000", None) < small < prior("cancelled", False, "90000", None)
    assert prior("active", False, "", None) == prior("active", False, "abc", None)
