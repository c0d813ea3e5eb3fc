"""Search forgives how names are really typed: traditional or simplified, full- or half-width,
either brackets, another or no company form, no region prefix, a wrong character or two, the
short name, pinyin initials, the legal representative — and says why each hit matched."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, subject

from xinyong.search import search_subjects
from xinyong.store import apply

BYTEDANCE = make_uscc("MA01ABCD", region="110108")
TENCENT = make_uscc("19216811", region="440305")
HUAWEI = make_uscc("19235068", region="440307")
ALIBABA = make_uscc("79965566", region="330100")
OTHERS = [
    ("北京字节科技有限公司", make_uscc("MA02XYW1", region="110105")),
    ("上海跳动网络技术有限公司", make_uscc("MA03XYW2", region="310115")),
    ("深圳市腾飞计算机有限公司", make_uscc("MA04XYW3", region="440305")),
    ("华为终端有限公司", make_uscc("MA05XYW4", region="441900")),
    ("杭州阿里云计算有限公司", make_uscc("MA06XYW5", region="330106")),
]


@pytest.fixture
def registry(engine: Engine) -> Engine:
    apply(
        engine,
        [
            agency(),
            subject(BYTEDANCE, "北京字节跳动科技有限公司", legal_representative="张利东"),
            subject(TENCENT, "深圳市腾讯计算机系统有限公司", legal_representative="马化腾"),
            subject(
                HUAWEI,
                "华为技术有限公司",
                names=[
                    {"name": "华为技术有限公司", "type": "current"},
                    {"name": "深圳市华为技术有限公司", "type": "former"},
                    {"name": "Huawei Technologies Co., Ltd.", "type": "english"},
                ],
            ),
            subject(ALIBABA, "阿里巴巴（中国）有限公司"),
            *(subject(code, name) for name, code in OTHERS),
        ],
        actor="test",
    )
    return engine


def _top(engine: Engine, q: str, n: int = 1) -> list[tuple[str, str, float]]:
    with engine.connect() as conn:
        page = search_subjects(conn, q, limit=n)
    return [(h.code, h.matched_on, h.score) for h in page.results]


@pytest.mark.parametrize(
    ("query", "code", "matched_on"),
    [
        ("北京字节跳动科技有限公司", BYTEDANCE, "name:exact"),
        ("北京字節跳動科技有限公司", BYTEDANCE, "name:exact"),  # traditional
        ("北京字节跳动科技有限公司　", BYTEDANCE, "name:exact"),  # full-width space
        ("阿里巴巴(中国)有限公司", ALIBABA, "name:exact"),  # half-width brackets
        ("北京字节跳动科技有限责任公司", BYTEDANCE, "name:without_region_or_form"),  # other form
        ("字节跳动科技有限公司", BYTEDANCE, "name:without_region_or_form"),  # no region
        ("腾讯计算机系统有限公司", TENCENT, "name:without_region_or_form"),
        ("深圳市腾讯计算机系统", TENCENT, "name:without_region_or_form"),  # no form
        ("阿里巴巴有限公司", ALIBABA, "name:without_region_or_form"),  # no bracketed region
        ("字节跳动", BYTEDANCE, "name:short_name"),  # short name
        ("腾讯", TENCENT, "name:short_name"),  # two characters: the bigram path
        ("北京字节挑动科技有限公司", BYTEDANCE, "name:similar"),  # one wrong character
        ("深圳市腾迅计算机糸统有限公司", TENCENT, "name:similar"),  # two wrong characters
        ("zjtd", BYTEDANCE, "name:pinyin_initials"),
        ("txjsjxt", TENCENT, "name:pinyin_initials"),
        ("Huawei Technologies Co., Ltd.", HUAWEI, "english_name:exact"),
        ("HUAWEI TECHNOLOGIES CO.,LTD", HUAWEI, "english_name:without_region_or_form"),
        ("马化腾", TENCENT, "legal_representative:exact"),
    ],
)
def test_variant_finds_the_subject_first_and_says_why(
    registry: Engine, query: str, code: str, matched_on: str
) -> None:
    hits = _top(registry, query, 5)
    assert hits, query
    assert hits[0][0] == code, (query, hits)
    assert hits[0][1] == matched_on, (query, hits)
    assert 0 < hits[0][2] <= 1


def test_scores_order_exact_above_forgiving(registry: Engine) -> None:
    exact = _top(registry, "华为技术有限公司")[0]
    former = _top(registry, "深圳市华为技术有限公司")[0]
    assert exact == (HUAWEI, "name:exact", 1.0)
    # The former name is matched exactly, but a current name matching as well ranks higher.
    assert former[0] == HUAWEI and former[1] in ("former_name:exact", "name:without_region_or_form")
    assert former[2] < 1.0


def test_a_one_character_query_and_nonsense(registry: Engine) -> None:
    assert BYTEDANCE in [c for c, _, _ in _top(registry, "字", 10)]
    assert _top(registry, "完全无关的名字有限公司") == []


def test_organisation_code_finds_the_subject(registry: Engine) -> None:
    org = BYTEDANCE[8:17]
    assert _top(registry, f"{org[:8]}-{org[8]}") == [(BYTEDANCE, "org_code:exact", 1.0)]


def test_api_hits_carry_score_and_matched_on(registry: Engine, db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from xinyong.web import create_app

    app = create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit=0)
    with TestClient(app) as client:
        body = client.get("/api/v1/subjects", params={"q": "字節跳動"}).json()
    first = body["results"][0]
    assert first["code"] == BYTEDANCE
    assert first["matched_on"] == "name:short_name" and 0.8 < first["score"] < 1


def test_trade_name_initials_and_short_name_typos(engine: Engine) -> None:
    bytedance = make_uscc("MA07QWE1", region="110108")
    lookalike = make_uscc("MA08QWE2", region="530100")
    tcl = make_uscc("MA09QWE3", region="441302")
    initials_tcl = make_uscc("MA10QWE4", region="370100")
    huawei = make_uscc("MA11QWE5", region="440307")
    apply(
        engine,
        [
            agency(),
            subject(bytedance, "北京字节跳动科技有限公司"),
            subject(lookalike, "昆明正健天电子有限公司"),  # initials zjtdz: a longer prefix match
            subject(tcl, "TCL科技集团股份有限公司"),
            subject(initials_tcl, "山东田昌林业有限公司"),  # initials tcl
            subject(huawei, "华为技术有限公司"),
            subject(make_uscc("MA20QWE0"), "华夏银行股份有限公司"),
            subject(make_uscc("MA21QWE1"), "华美食品有限公司"),
        ],
        actor="test",
    )
    assert _top(engine, "zjtd")[0][:2] == (bytedance, "name:pinyin_initials")
    assert _top(engine, "TCL")[0][:2] == (tcl, "name:short_name")
    assert _top(engine, "华位技术有限公司")[0][0] == huawei  # a typo inside a two-character name


def test_legacy_registration_number_finds_the_subject(engine: Engine) -> None:
    code = make_uscc("MA30QWE3", region="330106")
    apply(
        engine,
        [agency(), subject(code, "杭州老字号贸易有限公司", registration_no="330106000123456")],
        actor="test",
    )
    assert _top(engine, "330106000123456") == [(code, "registration_no:exact", 1.0)]
