"""Workflow reasons in the page's language.

The workflows explain a refusal or a blocker in English sentences with dates and numbers in
them (the API's `errors` stay so: clients match on them). On a Chinese page the common ones are
shown in Chinese; anything not listed here is shown as written, marked `lang="en"`.
"""

from __future__ import annotations

import re

_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"^the minimum publicity period ends on (\S+)$", "最短公示期至 {0} 届满"),
        (r"^the least time on the list ends on (\S+)$", "列入名单的最短期限至 {0} 届满"),
        (r"^a repair application is already pending$", "已有信用修复申请正在办理"),
        (
            r"^a repeat violation of the same type \((.+), (\S+)\) within a year$",
            "一年内再次发生同类违法行为（{0}，{1}）",
        ),
        (r"^the subject is on (.+)$", "该主体在以下名单中：{0}"),
        (
            r"^(.+) records cannot be repaired under the catalogue rule$",
            "依目录规则不可修复（{0}）",
        ),
        (r"^(.+) has no repair path: (.*)$", "{0}无信用修复途径：{1}"),
        (
            r"^commitment: a signed credit commitment \(信用承诺书\) is required$",
            "须提交签署的信用承诺书",
        ),
        (r"^earliest: (\S+)$", "最早可申请信用修复日期：{0}"),
        (
            r"^objection (\d+) on this (?:record|listing) is still open; wait for its answer$",
            "该信息已有异议（编号 {0}）正在办理，请等待答复",
        ),
        (
            r"^entry (\d+) was entered by you; another reviewer of (\S+) must decide it$",
            "录入信息 {0} 由您本人提交，须由 {1} 的其他审核人员决定",
        ),
        (r"^statement: say what is wrong$", "请填写异议内容及理由"),
        (r"^reason: a (?:decision gives its reasons|rejection says why)$", "请填写理由"),
        (
            r"^the holiday calendar covers (\S+); (\S+) dates were counted as "
            r"Monday–Friday only.*$",
            "节假日数据仅覆盖 {0} 年；{1} 年的日期按周一至周五计算，期限仅供参考",
        ),
    )
)


def localise(text: str, lang: str) -> tuple[str, str]:
    """(text, its language code) for a page in `lang` ("zh" or "en")."""
    if lang == "zh":
        for pattern, zh in _ZH:
            found = pattern.match(text)
            if found:
                return zh.format(*found.groups()), "zh-CN"
    return text, "en"
