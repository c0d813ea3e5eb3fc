"""The committed name-matching set is well-formed, and bench/match_quality.py's variants of it are
the ones the benchmark documents (deterministic, one per kind)."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from xinyong.codes import validate_uscc

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "bench" / "data" / "real_company_names.csv"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "match_quality", ROOT / "bench" / "match_quality.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("match_quality", module)
    spec.loader.exec_module(module)
    return module


mq = _bench()
BYTEDANCE = "北京字节跳动科技有限公司"


def test_real_set_is_well_formed() -> None:
    with CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames is not None
        assert {"name", "code", "short_name", "source"} <= set(reader.fieldnames)
        rows = list(reader)
    assert len(rows) >= 50
    names = [r["name"] for r in rows]
    assert len(set(names)) == len(names)
    assert len({r["short_name"] for r in rows}) == len(rows)
    for r in rows:
        assert r["name"] == r["name"].strip() and r["name"], r
        assert r["short_name"] and r["short_name"] in r["name"], r
        assert r["source"], r
        if r["code"]:
            assert validate_uscc(r["code"]) == r["code"], r
    assert [c.name for c in mq.read_real()] == names


def test_bytedance_variants_without_pinyin() -> None:
    english = "Beijing ByteDance Technology Co., Ltd."
    assert mq.traditional(BYTEDANCE) == "北京字節跳動科技有限公司"
    assert mq.width(BYTEDANCE, english) == (
        "Ｂｅｉｊｉｎｇ\u3000ＢｙｔｅＤａｎｃｅ\u3000Ｔｅｃｈｎｏｌｏｇｙ\u3000Ｃｏ．，\u3000Ｌｔｄ．"
    )
    assert mq.width(BYTEDANCE) is None
    assert mq.bracket(BYTEDANCE) is None
    assert mq.region(BYTEDANCE, keep="字节跳动") == "字节跳动科技有限公司"
    suffixes = {mq.suffix(BYTEDANCE, english, mq.random.Random(i)) for i in range(50)}
    assert suffixes == {
        "北京字节跳动科技",
        "北京字节跳动科技有限责任公司",
        "北京字节跳动科技股份有限公司",
    }


def test_other_kinds_on_the_real_set() -> None:
    assert mq.bracket("阿里巴巴（中国）有限公司") == "阿里巴巴(中国)有限公司"
    assert mq.width("TCL科技集团股份有限公司") == "ＴＣＬ科技集团股份有限公司"
    assert mq.region("联想（北京）有限公司", keep="联想") == "联想有限公司"
    assert mq.region("深圳市腾讯计算机系统有限公司", keep="腾讯") == "腾讯计算机系统有限公司"
    assert mq.region("青岛啤酒股份有限公司", keep="青岛啤酒") is None  # the place is the brand
    assert mq.suffix("华为技术有限公司", "", mq.random.Random(0)) in {
        "华为技术",
        "华为技术有限责任公司",
        "华为技术股份有限公司",
    }


def test_bytedance_variants_with_pinyin() -> None:
    pytest.importorskip("pypinyin")
    english = "Beijing ByteDance Technology Co., Ltd."
    got = mq.variants(BYTEDANCE, "字节跳动", english, "7")
    assert got == mq.variants(BYTEDANCE, "字节跳动", english, "7")  # deterministic
    assert set(got) == set(mq.KINDS)
    assert got["short"] == "字节跳动"
    assert got["initials"] == "zjtd"
    assert got["suffix"] == "北京字节跳动科技股份有限公司"
    assert got["region"] == "字节跳动科技有限公司"
    assert got["traditional"] == "北京字節跳動科技有限公司"
    assert got["bracket"] is None
    for kind, wrong in (("typo1", 1), ("typo2", 2)):
        typo = got[kind]
        assert typo is not None and len(typo) == len(BYTEDANCE)
        assert sum(a != b for a, b in zip(typo, BYTEDANCE, strict=True)) == wrong, typo
