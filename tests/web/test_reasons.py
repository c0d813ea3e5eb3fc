"""Workflow reasons on Chinese pages: the common ones in Chinese, anything else as written."""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.web.reasons import localise
from xinyong.workflows.deadlines import calendar


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("the minimum publicity period ends on 2026-05-10", "最短公示期至 2026-05-10 届满"),
        ("earliest: 2026-05-10", "最早可申请信用修复日期：2026-05-10"),
        (
            "objection 12 on this record is still open; wait for its answer",
            "该信息已有异议（编号 12）正在办理，请等待答复",
        ),
        (
            "entry 7 was entered by you; another reviewer of samr must decide it",
            "录入信息 7 由您本人提交，须由 samr 的其他审核人员决定",
        ),
    ],
)
def test_known_reasons_read_in_chinese(text: str, zh: str) -> None:
    assert localise(text, "zh") == (zh, "zh-CN")
    assert localise(text, "en") == (text, "en")


def test_the_calendar_warning_is_one_of_them() -> None:
    warning = calendar().add_working_days(dt.date(2026, 12, 28), 10).warning
    assert warning is not None
    text, lang = localise(warning, "zh")
    assert lang == "zh-CN" and "2027" in text and "2004–2026" in text


def test_an_unknown_reason_stays_as_written_and_says_so() -> None:
    assert localise("something new went wrong", "zh") == ("something new went wrong", "en")
