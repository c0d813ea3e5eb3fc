"""The catalogue lint, rule by rule: each test writes a small catalogue folder, changes one entry,
and checks the exact finding (code, rule, message). Then the loader's refusal, the models'
validators, the `xinyong catalogue lint` command, and a property of `protected_terms`."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from xinyong.catalogue import CatalogueError, load_catalogue
from xinyong.catalogue.lint import PROTECTED, Finding, Report, lint_folder, protected_terms
from xinyong.catalogue.load import REPOSITORY_CATALOGUE
from xinyong.catalogue.model import Condition, Criteria, MeasureDef, RecordKind
from xinyong.cli import app

runner = CliRunner()

# --- A minimal valid catalogue -------------------------------------------------------------------
# Two record kinds (a fault and a rating, so the redlist rests on something of its own), one
# blacklist, one redlist, one punishment, one incentive, a punishment and an incentive memorandum.
# Each entry is its own snippet so a test can swap one line of one entry.

TAX_EVASION = """
[[record_kind]]
code = "tax_evasion"
name = "偷税、逃避追缴欠税行为"
name_en = "Tax evasion"
category = "行政管理信息"
authority = "税务机关"
legal_basis = ["《中华人民共和国税收征收管理法》第六十三条"]
fields = ["amount_wan", "penalty_category"]
repairable = true
default_severity = "general"
severity_rules = [
  { severity = "serious", field = "amount_wan", at_least = "100" },
]

[record_kind.publicity]
general = { min_days = 0, max_days = 1095 }
serious = { min_days = 365, max_days = 1095 }
"""

GRADE_A = """
[[record_kind]]
code = "tax_credit_grade_a"
name = "纳税信用A级评价"
name_en = "Tax credit rating grade A"
category = "信用评价信息"
legal_basis = ["《纳税信用管理办法（试行）》第二十条"]
repairable = false
default_severity = "none"

[record_kind.publicity]
none = { min_days = 0, max_days = 365 }
"""

BLACKLIST = """
[[list]]
code = "tax.major_violations"
name = "重大税收违法失信主体名单"
name_en = "Major tax violations"
kind = "black"
authority = "国家税务总局"
legal_basis = ["《重大税收违法失信主体信息公布管理办法》第六条"]
criteria = { record_kinds = ["tax_evasion"], min_severity = "serious" }
max_days = 1095
removal = "公布期满，税务机关停止公布并从名单中撤出"
repair = "补缴税款、滞纳金和罚款后申请提前停止公布"
"""

REDLIST = """
[[list]]
code = "tax.grade_a"
name = "纳税信用A级纳税人名单"
name_en = "Grade-A taxpayers"
kind = "red"
authority = "国家税务总局"
legal_basis = ["《纳税信用管理办法（试行）》第二十九条"]
criteria = { record_kinds = ["tax_credit_grade_a"] }
max_days = 365
"""

PUNISHMENT = """
[[measure]]
code = "procurement.bar"
name = "限制参与政府采购"
name_en = "No government procurement"
kind = "punishment"
category = "限制参与政府采购、招标投标、补贴"
agency = "财政部"
targets = ["subject"]
legal_basis = ["《中华人民共和国政府采购法》第二十二条"]
"""

INCENTIVE = """
[[measure]]
code = "incentive.green_channel"
name = "行政审批绿色通道"
name_en = "Green channel for approvals"
kind = "incentive"
category = "激励"
agency = "国家发展改革委"
targets = ["subject"]
legal_basis = ["国发〔2016〕33号 二（五）"]
"""

MEMO_PUNISH = """
[[memorandum]]
code = "memo.punish"
name = "关于对重大税收违法失信主体实施联合惩戒的合作备忘录"
signatories = ["国家税务总局", "财政部"]
lists = ["tax.major_violations"]
measures = ["procurement.bar"]
legal_basis = ["国发〔2016〕33号 三（十一）"]
"""

MEMO_REWARD = """
[[memorandum]]
code = "memo.reward"
name = "关于对纳税信用A级纳税人实施联合激励措施的合作备忘录"
signatories = ["国家税务总局", "国家发展改革委"]
lists = ["tax.grade_a"]
measures = ["incentive.green_channel"]
legal_basis = ["国发〔2016〕33号 二（五）"]
"""

BASE: dict[str, dict[str, str]] = {
    "record_kinds.toml": {"tax_evasion": TAX_EVASION, "tax_credit_grade_a": GRADE_A},
    "lists.toml": {"tax.major_violations": BLACKLIST, "tax.grade_a": REDLIST},
    "measures.toml": {"procurement.bar": PUNISHMENT, "incentive.green_channel": INCENTIVE},
    "memoranda.toml": {"memo.punish": MEMO_PUNISH, "memo.reward": MEMO_REWARD},
}

BLACK = "tax.major_violations"
BASE_PILE_ON = Finding(
    "tax_evasion",
    "pile-on",
    "record_kind tax_evasion: one record can trigger 1 measures from 1 agencies through lists "
    "tax.major_violations",
    1,
)


def _snippet(code: str) -> str:
    for entries in BASE.values():
        if code in entries:
            return entries[code]
    raise KeyError(code)


def swap(code: str, old: str, new: str) -> str:
    """The base entry `code` with `old` (which must occur exactly once) replaced by `new`."""
    text = _snippet(code)
    assert text.count(old) == 1, (code, old)
    return text.replace(old, new)


def without(code: str, *keys: str) -> str:
    """The base entry `code` without the lines setting `keys`."""
    lines = _snippet(code).splitlines(keepends=True)
    kept = [ln for ln in lines if not any(ln.startswith(f"{k} =") for k in keys)]
    assert len(kept) == len(lines) - len(keys), (code, keys)
    return "".join(kept)


def write_catalogue(
    folder: Path,
    change: Mapping[str, str | None] | None = None,
    add: Mapping[str, str] | None = None,
) -> Path:
    """Write the base catalogue to `folder`; `change` replaces (or, with None, drops) base
    entries by code; `add` appends text to a file (a new file if not a base one)."""
    change = change or {}
    add = add or {}
    folder.mkdir(parents=True, exist_ok=True)
    unknown = set(change) - {c for entries in BASE.values() for c in entries}
    assert not unknown, unknown
    for name in sorted({*BASE, *add}):
        entries = [change.get(code, text) for code, text in BASE.get(name, {}).items()]
        text = "".join(e for e in entries if e is not None) + add.get(name, "")
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def lint(
    tmp_path: Path,
    change: Mapping[str, str | None] | None = None,
    add: Mapping[str, str] | None = None,
) -> Report:
    return lint_folder(write_catalogue(tmp_path / "catalogue", change, add))


def rule(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if f.rule == name]


def q(text: str) -> str:
    """A TOML basic string (JSON string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def kind_toml(
    code: str,
    name: str = "违法行为",
    name_en: str = "Violation",
    *,
    category: str = "行政管理信息",
    fields: tuple[str, ...] = (),
    severity_rules: str = "",
) -> str:
    """A record kind with a legal basis and one severity, `general`."""
    return f"""
[[record_kind]]
code = {q(code)}
name = {q(name)}
name_en = {q(name_en)}
category = {q(category)}
legal_basis = ["《中华人民共和国行政处罚法》第四十八条"]
fields = [{", ".join(q(f) for f in fields)}]
repairable = true
default_severity = "general"
severity_rules = [{severity_rules}]

[record_kind.publicity]
general = {{ min_days = 0, max_days = 1095 }}
"""


def protected_message(label: str, code: str, what: str, term: str, text: str) -> str:
    return (
        f"{label} {code}: criterion on {what} ({term!r} in {text!r}) — the registry records "
        "conduct established by official decisions, never who a person is"
    )


# --- The base catalogue and the repository's ------------------------------------------------------


def test_base_catalogue_is_clean_but_for_its_one_pile_on(tmp_path: Path) -> None:
    report = lint(tmp_path)
    assert report.errors == []
    assert report.warnings == [BASE_PILE_ON]


def test_repository_catalogue_has_no_errors() -> None:
    report = lint_folder(REPOSITORY_CATALOGUE)
    assert report.errors == []
    assert {w.rule for w in report.warnings} <= {"pile-on", "overlap", "multi-memorandum"}
    catalogue = load_catalogue(REPOSITORY_CATALOGUE)
    assert "court.dishonest_judgment_debtors" in catalogue.lists


# --- Errors: legal basis --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("record_kind", "tax_evasion"),
        ("record_kind", "tax_credit_grade_a"),
        ("list", "tax.major_violations"),
        ("list", "tax.grade_a"),
        ("measure", "procurement.bar"),
        ("measure", "incentive.green_channel"),
        ("memorandum", "memo.punish"),
        ("memorandum", "memo.reward"),
    ],
)
def test_legal_basis_missing(tmp_path: Path, label: str, code: str) -> None:
    report = lint(tmp_path, change={code: without(code, "legal_basis")})
    assert report.errors == [
        Finding(
            code,
            "legal-basis",
            f"{label} {code}: no legal basis — every entry must cite the instrument and article "
            "that allow it",
        )
    ]


def test_legal_basis_of_blank_strings_is_no_legal_basis(tmp_path: Path) -> None:
    blank = swap(
        "procurement.bar",
        'legal_basis = ["《中华人民共和国政府采购法》第二十二条"]',
        'legal_basis = ["", "  "]',
    )
    report = lint(tmp_path, change={"procurement.bar": blank})
    assert [(f.code, f.rule) for f in report.errors] == [("procurement.bar", "legal-basis")]


def test_legal_basis_checked_on_every_version(tmp_path: Path) -> None:
    old = without("tax_evasion", "legal_basis").replace(
        'default_severity = "general"', 'default_severity = "general"\neffective_from = 2015-01-01'
    )
    new = swap(
        "tax_evasion",
        'default_severity = "general"',
        'default_severity = "general"\neffective_from = 2021-01-01',
    )
    report = lint(tmp_path, change={"tax_evasion": old + new})
    assert [(f.code, f.rule) for f in report.errors] == [("tax_evasion", "legal-basis")]


# --- Errors: list criteria ------------------------------------------------------------------------


def test_criteria_record_kind_not_in_catalogue(tmp_path: Path) -> None:
    black = swap(BLACK, 'record_kinds = ["tax_evasion"]', 'record_kinds = ["tax_fraud"]')
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "criteria-record-kind",
            "list tax.major_violations: criteria name 'tax_fraud', which is not a record kind of "
            "the catalogue — lists may rest only on catalogue record kinds",
        )
    ]


def test_criteria_severity_not_a_severity_of_the_kind(tmp_path: Path) -> None:
    black = swap(BLACK, 'min_severity = "serious"', 'min_severity = "grave"')
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "criteria-severity",
            "list tax.major_violations: min_severity 'grave' is not a severity of record kind "
            "tax_evasion (general, serious)",
        )
    ]


def test_criteria_list_not_in_catalogue(tmp_path: Path) -> None:
    escalation = """
[[list]]
code = "tax.repeat_offenders"
name = "重复失信名单"
name_en = "Repeat offenders"
kind = "watch"
authority = "国家税务总局"
legal_basis = ["《重大税收违法失信主体信息公布管理办法》第七条"]
criteria = { lists = ["tax.major_violation"], for_days = 365 }
"""
    report = lint(tmp_path, add={"lists.toml": escalation})
    assert report.errors == [
        Finding(
            "tax.repeat_offenders",
            "criteria-list",
            "list tax.repeat_offenders: criteria name list 'tax.major_violation', which the "
            "catalogue lacks",
        )
    ]


def test_criteria_list_naming_itself(tmp_path: Path) -> None:
    black = swap(
        BLACK,
        'criteria = { record_kinds = ["tax_evasion"], min_severity = "serious" }',
        'criteria = { record_kinds = ["tax_evasion"], lists = ["tax.major_violations"], '
        "for_days = 30 }",
    )
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(BLACK, "criteria-list", "list tax.major_violations: criteria name itself")
    ]


# --- Errors: blacklist terms and exits ------------------------------------------------------------


def test_blacklist_without_duration(tmp_path: Path) -> None:
    report = lint(tmp_path, change={BLACK: without(BLACK, "max_days")})
    assert report.errors == [
        Finding(
            BLACK,
            "blacklist-duration",
            "list tax.major_violations: a blacklist needs max_days or until — no listing may "
            "last for ever",
        )
    ]


def test_redlist_and_watch_list_need_no_duration(tmp_path: Path) -> None:
    red = without("tax.grade_a", "max_days")
    report = lint(
        tmp_path,
        change={"tax.grade_a": red, BLACK: without(BLACK, "max_days", "removal", "repair")},
    )
    assert [(f.code, f.rule) for f in report.errors] == [
        (BLACK, "blacklist-duration"),
        (BLACK, "blacklist-exit"),
    ]
    watch = without(BLACK, "max_days", "removal", "repair").replace(
        'kind = "black"', 'kind = "watch"'
    )
    assert lint(tmp_path, change={"tax.grade_a": red, BLACK: watch}).errors == []


def test_blacklist_without_removal_or_repair(tmp_path: Path) -> None:
    report = lint(tmp_path, change={BLACK: without(BLACK, "removal", "repair")})
    assert report.errors == [
        Finding(
            BLACK,
            "blacklist-exit",
            "list tax.major_violations: a blacklist needs a removal or repair path — criteria "
            "must state how to get off the list",
        )
    ]


@pytest.mark.parametrize("key", ["removal", "repair"])
def test_blacklist_with_either_exit_passes(tmp_path: Path, key: str) -> None:
    assert lint(tmp_path, change={BLACK: without(BLACK, key)}).errors == []


def test_blacklist_with_blank_exits_has_no_exit(tmp_path: Path) -> None:
    black = without(BLACK, "removal", "repair") + 'removal = "  "\nrepair = ""\n'
    report = lint(tmp_path, change={BLACK: black})
    assert [(f.code, f.rule) for f in report.errors] == [(BLACK, "blacklist-exit")]


def test_until_without_until_basis(tmp_path: Path) -> None:
    black = swap(BLACK, "max_days = 1095", 'until = "补缴税款、滞纳金和罚款"')
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "until-basis",
            "list tax.major_violations: until = '补缴税款、滞纳金和罚款' needs until_basis, the "
            "law that sets no fixed term",
        )
    ]


def test_until_with_until_basis_is_a_duration(tmp_path: Path) -> None:
    black = swap(
        BLACK,
        "max_days = 1095",
        'until = "补缴税款、滞纳金和罚款"\nuntil_basis = "《税收征收管理法》第三十二条"',
    )
    assert lint(tmp_path, change={BLACK: black}).errors == []


@pytest.mark.parametrize("none", ["none", "None", " NONE "])
def test_repair_none_without_repair_basis(tmp_path: Path, none: str) -> None:
    black = swap(
        BLACK, 'repair = "补缴税款、滞纳金和罚款后申请提前停止公布"', f"repair = {q(none)}"
    )
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "repair-basis",
            'list tax.major_violations: repair = "none" needs repair_basis — repair is a right '
            "unless a law or State Council document rules it out",
        )
    ]


def test_repair_none_with_repair_basis_passes(tmp_path: Path) -> None:
    black = swap(
        BLACK,
        'repair = "补缴税款、滞纳金和罚款后申请提前停止公布"',
        'repair = "none"\nrepair_basis = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"',
    )
    assert lint(tmp_path, change={BLACK: black}).errors == []


def test_repair_none_is_not_an_exit(tmp_path: Path) -> None:
    black = without(BLACK, "removal").replace(
        'repair = "补缴税款、滞纳金和罚款后申请提前停止公布"',
        'repair = "none"\nrepair_basis = "《某法》第十条"',
    )
    report = lint(tmp_path, change={BLACK: black})
    assert [(f.code, f.rule) for f in report.errors] == [(BLACK, "blacklist-exit")]


def test_local_list_without_region(tmp_path: Path) -> None:
    black = swap(BLACK, "max_days = 1095", 'max_days = 1095\nlevel = "local"')
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "local-region",
            "list tax.major_violations: a local list needs region (its division code) and a local "
            "regulation as its basis",
        )
    ]
    black = swap(BLACK, "max_days = 1095", 'max_days = 1095\nlevel = "local"\nregion = "330100"')
    assert lint(tmp_path, change={BLACK: black}).errors == []


# --- Errors: memoranda ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'lists = ["tax.major_violations"]',
            'lists = ["tax.major_violations", "tax.minor_violations"]',
            "memorandum memo.punish: names list 'tax.minor_violations', which the catalogue lacks",
        ),
        (
            'measures = ["procurement.bar"]',
            'measures = ["procurement.bar", "procurement.ban"]',
            "memorandum memo.punish: names measure 'procurement.ban', which the catalogue lacks",
        ),
    ],
)
def test_memorandum_names_unknown_entry(tmp_path: Path, old: str, new: str, message: str) -> None:
    report = lint(tmp_path, change={"memo.punish": swap("memo.punish", old, new)})
    assert report.errors == [Finding("memo.punish", "memorandum-unknown", message)]


def test_incentive_from_blacklist(tmp_path: Path) -> None:
    memo = swap(
        "memo.punish",
        'measures = ["procurement.bar"]',
        'measures = ["procurement.bar", "incentive.green_channel"]',
    )
    report = lint(tmp_path, change={"memo.punish": memo})
    assert report.errors == [
        Finding(
            "memo.punish",
            "incentive-from-blacklist",
            "memorandum memo.punish: blacklist tax.major_violations would trigger incentive "
            "incentive.green_channel",
        )
    ]


def test_punishment_from_redlist(tmp_path: Path) -> None:
    memo = swap(
        "memo.reward",
        'measures = ["incentive.green_channel"]',
        'measures = ["procurement.bar", "incentive.green_channel"]',
    )
    report = lint(tmp_path, change={"memo.reward": memo})
    assert report.errors == [
        Finding(
            "memo.reward",
            "punishment-from-redlist",
            "memorandum memo.reward: redlist tax.grade_a would trigger punishment procurement.bar",
        )
    ]


# --- Errors: parsing (load.py) --------------------------------------------------------------------


def test_unknown_key_names_the_key(tmp_path: Path) -> None:
    black = swap(BLACK, "max_days = 1095", "max_day = 730")
    report = lint(tmp_path, change={BLACK: black})
    assert rule(report.errors, "unknown-key") == [
        Finding(
            BLACK, "unknown-key", "lists.toml: list tax.major_violations: unknown key 'max_day'"
        )
    ]
    # The misspelt entry is dropped whole, so what names it no longer finds it.
    assert rule(report.errors, "memorandum-unknown") == [
        Finding(
            "memo.punish",
            "memorandum-unknown",
            "memorandum memo.punish: names list 'tax.major_violations', which the catalogue lacks",
        )
    ]


def test_unknown_key_inside_criteria(tmp_path: Path) -> None:
    black = swap(BLACK, "record_kinds = ", "record_kind = ")
    report = lint(tmp_path, change={BLACK: black})
    assert rule(report.errors, "unknown-key") == [
        Finding(
            BLACK,
            "unknown-key",
            "lists.toml: list tax.major_violations: unknown key 'criteria.record_kind'",
        )
    ]


def test_unknown_entry_kind(tmp_path: Path) -> None:
    plural = PUNISHMENT.replace("[[measure]]", "[[measures]]").replace(
        'code = "procurement.bar"', 'code = "bidding.bar"'
    )
    report = lint(tmp_path, add={"extra.toml": plural})
    assert report.errors == [
        Finding("-", "unknown-kind", "extra.toml: unknown entry kind [[measures]]")
    ]


def test_not_toml(tmp_path: Path) -> None:
    broken = '\n[[measure]]\ncode = "bidding.bar\n'
    with pytest.raises(tomllib.TOMLDecodeError) as exc:
        tomllib.loads(broken)
    report = lint(tmp_path, add={"broken.toml": broken})
    assert report.errors == [Finding("-", "not-toml", f"broken.toml: not valid TOML ({exc.value})")]


def test_not_utf8_is_not_toml(tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "catalogue")
    raw = 'name = "限制招标"'.encode("gb18030")
    (folder / "gbk.toml").write_bytes(raw)
    with pytest.raises(UnicodeDecodeError) as exc:
        raw.decode("utf-8")
    assert lint_folder(folder).errors == [
        Finding("-", "not-toml", f"gbk.toml: not valid TOML ({exc.value})")
    ]


def test_duplicate_version(tmp_path: Path) -> None:
    again = swap("tax_evasion", 'name_en = "Tax evasion"', 'name_en = "Tax evasion (again)"')
    report = lint(tmp_path, add={"record_kinds_more.toml": again})
    assert report.errors == [
        Finding(
            "tax_evasion",
            "duplicate-version",
            "record_kinds_more.toml: record_kind tax_evasion: two versions effective from the "
            "same date",
        )
    ]


def test_schema_problem_names_file_entry_and_field(tmp_path: Path) -> None:
    kind = swap(
        "tax_evasion",
        "general = { min_days = 0, max_days = 1095 }",
        "general = { min_days = 30, max_days = 7 }",
    )
    report = lint(tmp_path, change={"tax_evasion": kind})
    assert rule(report.errors, "schema") == [
        Finding(
            "tax_evasion",
            "schema",
            "record_kinds.toml: record_kind tax_evasion: publicity.general: Value error, "
            "min_days 30 exceeds max_days 7",
        )
    ]


def test_schema_problem_of_the_whole_entry_reads_cleanly(tmp_path: Path) -> None:
    kind = swap("tax_evasion", '{ severity = "serious",', '{ severity = "grave",')
    report = lint(tmp_path, change={"tax_evasion": kind})
    assert rule(report.errors, "schema") == [
        Finding(
            "tax_evasion",
            "schema",
            "record_kinds.toml: record_kind tax_evasion: Value error, no publicity window for "
            "severity grave",
        )
    ]


def test_measure_cannot_bind_family(tmp_path: Path) -> None:
    measure = swap("procurement.bar", 'targets = ["subject"]', 'targets = ["subject", "spouse"]')
    report = lint(tmp_path, change={"procurement.bar": measure})
    [problem] = rule(report.errors, "schema")
    assert problem.code == "procurement.bar"
    assert problem.message.startswith(
        "measures.toml: measure procurement.bar: targets.1: Input should be 'subject', "
    )


def test_missing_folder(tmp_path: Path) -> None:
    report = lint_folder(tmp_path / "nowhere")
    assert report.errors == [
        Finding("-", "no-folder", f"{tmp_path / 'nowhere'}: no catalogue folder there")
    ]


# --- Errors: severity rules -----------------------------------------------------------------------


def test_severity_rule_on_undeclared_field(tmp_path: Path) -> None:
    kind = swap("tax_evasion", 'field = "amount_wan"', 'field = "fine_wan"')
    report = lint(tmp_path, change={"tax_evasion": kind})
    assert report.errors == [
        Finding(
            "tax_evasion",
            "severity-field",
            "record_kind tax_evasion: severity rule 1 tests field 'fine_wan', which the kind "
            "does not carry (amount_wan, penalty_category)",
        )
    ]


def test_severity_rule_also_field_is_checked(tmp_path: Path) -> None:
    kind = swap(
        "tax_evasion",
        'at_least = "100" }',
        'at_least = "100", also = { field = "violation_type", any_of = ["偷税"] } }',
    )
    report = lint(tmp_path, change={"tax_evasion": kind})
    assert report.errors == [
        Finding(
            "tax_evasion",
            "severity-field",
            "record_kind tax_evasion: severity rule 1 tests field 'violation_type', which the "
            "kind does not carry (amount_wan, penalty_category)",
        )
    ]


def test_severity_fields_unchecked_when_none_declared(tmp_path: Path) -> None:
    kind = without("tax_evasion", "fields").replace('field = "amount_wan"', 'field = "fine_wan"')
    assert lint(tmp_path, change={"tax_evasion": kind}).errors == []


# --- Errors: protected characteristics ------------------------------------------------------------


def test_protected_speech_and_politics_in_code_and_name(tmp_path: Path) -> None:
    kind = kind_toml("political_speech", "网络言论", "Online speech")
    report = lint(tmp_path, add={"record_kinds.toml": kind})
    assert report.errors == [
        Finding(
            "political_speech",
            "protected-data",
            protected_message(
                "record_kind", "political_speech", "speech", "speech", "political_speech"
            ),
        ),
        Finding(
            "political_speech",
            "protected-data",
            protected_message(
                "record_kind",
                "political_speech",
                "political opinion",
                "political",
                "political_speech",
            ),
        ),
    ]


def test_protected_chinese_speech_term_in_name(tmp_path: Path) -> None:
    kind = kind_toml("online_conduct", "网络言论", "Online conduct")
    report = lint(tmp_path, add={"record_kinds.toml": kind})
    assert report.errors == [
        Finding(
            "online_conduct",
            "protected-data",
            protected_message("record_kind", "online_conduct", "speech", "言论", "网络言论"),
        )
    ]


@pytest.mark.parametrize(
    ("kind", "what", "term", "text"),
    [
        (kind_toml("believer_record", fields=("religion",)), "religious belief", "religion",
         "religion"),
        (kind_toml("resident_origin", "少数民族聚居区居民"), "ethnicity", "民族",
         "少数民族聚居区居民"),
        (kind_toml("patient_history", "病历信息"), "health data", "病历", "病历信息"),
        (kind_toml("face_capture", "违规行为", "Face recognition capture"), "biometrics",
         "face", "face_capture"),
        (kind_toml("access_log", "人脸识别记录"), "biometrics", "人脸", "人脸识别记录"),
        (kind_toml("access_log", fields=("fingerprint",)), "biometrics", "fingerprint",
         "fingerprint"),
        (kind_toml("debtor_circle", "失信人员亲属"), "family and personal ties", "亲属",
         "失信人员亲属"),
        (kind_toml("debtor_contacts", fields=("relatives",)), "family and personal ties",
         "relatives", "relatives"),
        (kind_toml("applicant", category="健康状况"), "health data", "健康状况", "健康状况"),
    ],
)  # fmt: skip
def test_protected_characteristic(
    tmp_path: Path, kind: str, what: str, term: str, text: str
) -> None:
    code = tomllib.loads(kind)["record_kind"][0]["code"]
    report = lint(tmp_path, add={"record_kinds.toml": kind})
    assert report.errors == [
        Finding(code, "protected-data", protected_message("record_kind", code, what, term, text))
    ]


def test_protected_term_in_severity_rule_words(tmp_path: Path) -> None:
    rules = '{ severity = "general", field = "violation_type", any_of = ["越级上访"] }'
    kind = kind_toml("order_violation", fields=("violation_type",), severity_rules=rules)
    report = lint(tmp_path, add={"record_kinds.toml": kind})
    assert report.errors == [
        Finding(
            "order_violation",
            "protected-data",
            protected_message(
                "record_kind", "order_violation", "political opinion", "上访", "越级上访"
            ),
        )
    ]


def test_list_resting_on_a_protected_kind_is_flagged_too(tmp_path: Path) -> None:
    kind = kind_toml("religious_activity", "违规行为", "Unregistered activity")
    black = swap(BLACK, 'record_kinds = ["tax_evasion"]', 'record_kinds = ["religious_activity"]')
    black = black.replace(', min_severity = "serious"', "")
    report = lint(tmp_path, change={BLACK: black}, add={"record_kinds.toml": kind})
    assert report.errors == [
        Finding(
            "religious_activity",
            "protected-data",
            protected_message(
                "record_kind",
                "religious_activity",
                "religious belief",
                "religious",
                "religious_activity",
            ),
        ),
        Finding(
            BLACK,
            "protected-data",
            protected_message("list", BLACK, "religious belief", "religious", "religious_activity"),
        ),
    ]


def test_unknown_protected_criteria_kind_reported_once(tmp_path: Path) -> None:
    black = swap(BLACK, 'record_kinds = ["tax_evasion"]', 'record_kinds = ["petitioners"]')
    report = lint(tmp_path, change={BLACK: black})
    assert report.errors == [
        Finding(
            BLACK,
            "criteria-record-kind",
            "list tax.major_violations: criteria name 'petitioners', which is not a record kind "
            "of the catalogue — lists may rest only on catalogue record kinds",
        ),
        Finding(
            BLACK,
            "protected-data",
            protected_message("list", BLACK, "political opinion", "petitioners", "petitioners"),
        ),
    ]


def test_ordinary_conduct_is_not_flagged(tmp_path: Path) -> None:
    food = kind_toml(
        "food_safety_violation",
        "危害公共卫生的食品安全违法行为",
        "Food safety violation endangering public health",
        category="行政管理信息",
        fields=("violation_type", "fine_wan"),
        severity_rules='{ severity = "general", field = "violation_type", '
        'any_of = ["食品安全", "公共卫生"] }',
    )
    wage = kind_toml(
        "wage_arrears",
        "拒不支付劳动报酬",
        "Refusal to pay wages",
        fields=("amount_wan",),
    )
    report = lint(tmp_path, add={"record_kinds.toml": food + wage})
    assert report.errors == []


@pytest.mark.parametrize(
    "text",
    [
        "非法种植转基因作物",
        "未按规定缴纳残疾人就业保障金",
        "Drug and medical device violation",
        "Bad faith debt evasion",
        "投标人与招标人或者其他利害关系人串通投标",
    ],
)
def test_ordinary_conduct_false_positives(text: str) -> None:
    assert protected_terms(text) == []


@pytest.mark.parametrize("field", ["healthData", "religiousBelief", "politicalView"])
def test_camel_case_field_is_flagged(field: str) -> None:
    assert protected_terms(field) != []


# --- Warnings -------------------------------------------------------------------------------------


def test_overlap_of_two_blacklists(tmp_path: Path) -> None:
    second = (
        BLACKLIST.replace('code = "tax.major_violations"', 'code = "samr.serious_illegal"')
        .replace("重大税收违法失信主体名单", "严重违法失信名单")
        .replace("国家税务总局", "国家市场监督管理总局")
    )
    report = lint(tmp_path, add={"lists.toml": second})
    assert report.errors == []
    assert rule(report.warnings, "overlap") == [
        Finding(
            "samr.serious_illegal",
            "overlap",
            "lists samr.serious_illegal and tax.major_violations: criteria overlap on record "
            "kinds tax_evasion — one decision can list a subject twice",
            1,
        )
    ]


def test_blacklist_and_redlist_on_one_kind_do_not_overlap(tmp_path: Path) -> None:
    red = swap(
        "tax.grade_a", 'record_kinds = ["tax_credit_grade_a"]', 'record_kinds = ["tax_evasion"]'
    )
    report = lint(tmp_path, change={"tax.grade_a": red})
    assert rule(report.warnings, "overlap") == []


def test_pile_on_counts_measures_and_agencies(tmp_path: Path) -> None:
    more = PUNISHMENT.replace(
        'code = "procurement.bar"', 'code = "subsidy.bar"'
    ) + PUNISHMENT.replace('code = "procurement.bar"', 'code = "bidding.bar"').replace(
        'agency = "财政部"', 'agency = "国家发展改革委"'
    )
    memo = swap(
        "memo.punish",
        'measures = ["procurement.bar"]',
        'measures = ["procurement.bar", "subsidy.bar", "bidding.bar", "incentive.green_channel"]',
    )
    # The incentive is an error (incentive-from-blacklist) and is not counted as a punishment.
    report = lint(tmp_path, change={"memo.punish": memo}, add={"measures.toml": more})
    assert rule(report.warnings, "pile-on") == [
        Finding(
            "tax_evasion",
            "pile-on",
            "record_kind tax_evasion: one record can trigger 3 measures from 2 agencies through "
            "lists tax.major_violations",
            3,
        )
    ]


def test_pile_on_follows_escalation(tmp_path: Path) -> None:
    escalation = """
[[list]]
code = "tax.repeat_offenders"
name = "重复失信名单"
name_en = "Repeat offenders"
kind = "black"
authority = "国家税务总局"
legal_basis = ["《重大税收违法失信主体信息公布管理办法》第七条"]
criteria = { lists = ["tax.major_violations"], for_days = 365 }
max_days = 1095
removal = "期满撤出"
"""
    bond = PUNISHMENT.replace('code = "procurement.bar"', 'code = "bond.bar"').replace(
        'agency = "财政部"', 'agency = "中国证监会"'
    )
    memo = swap(
        "memo.punish",
        'lists = ["tax.major_violations"]',
        'lists = ["tax.major_violations", "tax.repeat_offenders"]',
    ).replace('measures = ["procurement.bar"]', 'measures = ["procurement.bar", "bond.bar"]')
    report = lint(
        tmp_path,
        change={"memo.punish": memo},
        add={"lists.toml": escalation, "measures.toml": bond},
    )
    assert report.errors == []
    assert rule(report.warnings, "pile-on") == [
        Finding(
            "tax_evasion",
            "pile-on",
            "record_kind tax_evasion: one record can trigger 2 measures from 2 agencies through "
            "lists tax.major_violations, tax.repeat_offenders",
            2,
        )
    ]
    assert rule(report.warnings, "multi-memorandum") == []


def test_multi_memorandum(tmp_path: Path) -> None:
    second = MEMO_PUNISH.replace('code = "memo.punish"', 'code = "memo.punish_2017"').replace(
        "关于对重大税收违法失信主体", "关于对重大税收违法案件当事人"
    )
    report = lint(tmp_path, add={"memoranda.toml": second})
    assert report.errors == []
    assert rule(report.warnings, "multi-memorandum") == [
        Finding(
            "tax_evasion",
            "multi-memorandum",
            "record_kind tax_evasion: one decision reaches lists tax.major_violations through 2 "
            "memoranda (memo.punish, memo.punish_2017)",
            2,
        )
    ]
    # One measure through two memoranda is still one measure.
    assert rule(report.warnings, "pile-on") == [BASE_PILE_ON]


def test_every_finding_names_its_code(tmp_path: Path) -> None:
    black = without(BLACK, "max_days", "removal", "repair", "legal_basis")
    memo = swap(
        "memo.reward",
        'measures = ["incentive.green_channel"]',
        'measures = ["procurement.bar", "nothing.here"]',
    )
    report = lint(
        tmp_path,
        change={BLACK: black, "memo.reward": memo},
        add={"record_kinds.toml": kind_toml("relatives_of_debtors")},
    )
    assert len(report.errors) >= 5
    for finding in [*report.errors, *report.warnings]:
        assert finding.code in finding.message


# --- load_catalogue -------------------------------------------------------------------------------


def test_load_catalogue_refuses_any_error(tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "catalogue", change={BLACK: without(BLACK, "max_days")})
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(folder)
    assert exc.value.problems == [
        "list tax.major_violations: a blacklist needs max_days or until — no listing may last "
        "for ever"
    ]
    assert str(exc.value).startswith("catalogue refused: list tax.major_violations: ")


def test_load_catalogue_accepts_warnings_only(tmp_path: Path) -> None:
    second = MEMO_PUNISH.replace('code = "memo.punish"', 'code = "memo.punish_2017"')
    folder = write_catalogue(tmp_path / "catalogue", add={"memoranda.toml": second})
    assert lint_folder(folder).warnings
    catalogue = load_catalogue(folder)
    assert catalogue.lists.codes() == ["tax.grade_a", "tax.major_violations"]
    assert catalogue.memoranda.codes() == ["memo.punish", "memo.punish_2017", "memo.reward"]
    assert catalogue.files["list tax.major_violations "] == "lists.toml"


def test_versions_by_effective_date(tmp_path: Path) -> None:
    old = swap(
        "tax_evasion",
        'default_severity = "general"',
        'default_severity = "general"\neffective_from = 2015-01-01',
    )
    new = swap(
        "tax_evasion",
        'default_severity = "general"',
        'default_severity = "general"\neffective_from = 2021-07-01',
    ).replace('at_least = "100"', 'at_least = "50"')
    # Written newest first: the loader orders versions by date, not by file position.
    folder = write_catalogue(tmp_path / "catalogue", change={"tax_evasion": new + old})
    catalogue = load_catalogue(folder)
    get = catalogue.record_kind
    assert get("tax_evasion", dt.date(2014, 12, 31)) is None
    before = get("tax_evasion", dt.date(2021, 6, 30))
    after = get("tax_evasion", dt.date(2021, 7, 1))
    assert before is not None and before.severity_rules[0].at_least == 100
    assert after is not None and after.severity_rules[0].at_least == 50
    assert get("tax_evasion") == after
    assert [k.code for k in catalogue.record_kinds.on(dt.date(2010, 1, 1))] == [
        "tax_credit_grade_a"
    ]


# --- Models ---------------------------------------------------------------------------------------


def test_condition_needs_exactly_one_test() -> None:
    with pytest.raises(ValidationError, match="a condition needs exactly one of any_of"):
        Condition.model_validate({"field": "fine_wan", "at_least": "1", "below": "5"})
    with pytest.raises(ValidationError, match="a condition needs exactly one of any_of"):
        Condition.model_validate({"field": "fine_wan"})
    assert Condition.model_validate({"field": "fine_wan", "below": "5"}).below == 5


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({}, "criteria need record_kinds or lists"),
        ({"lists": ["tax.major_violations"]}, "criteria over lists need for_days"),
        ({"lists": ["a"], "for_days": 30, "missing_by": "06-30"}, "missing_by needs the record"),
        ({"record_kinds": ["annual_report"], "missing_by": "13-01"}, "String should match"),
    ],
)
def test_criteria_validation(criteria: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Criteria.model_validate(criteria)


def test_record_kind_code_pattern_and_closed_schema() -> None:
    data = tomllib.loads(TAX_EVASION)["record_kind"][0]
    assert RecordKind.model_validate(data).code == "tax_evasion"
    with pytest.raises(ValidationError, match="String should match pattern"):
        RecordKind.model_validate({**data, "code": "Tax-Evasion"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RecordKind.model_validate({**data, "max_day": 730})


def test_measure_targets_are_roles_never_ties() -> None:
    data = tomllib.loads(PUNISHMENT)["measure"][0]
    assert MeasureDef.model_validate({**data, "targets": ["actual_controller"]}).targets == (
        "actual_controller",
    )
    with pytest.raises(ValidationError):
        MeasureDef.model_validate({**data, "targets": ["relatives"]})
    with pytest.raises(ValidationError):
        MeasureDef.model_validate({**data, "targets": []})


# --- The command ----------------------------------------------------------------------------------


def test_cli_json_with_an_error_exits_1(tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "catalogue", change={BLACK: without(BLACK, "max_days")})
    result = runner.invoke(app, ["catalogue", "lint", str(folder), "--json"])
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body == {
        "errors": [
            {
                "code": BLACK,
                "rule": "blacklist-duration",
                "message": "list tax.major_violations: a blacklist needs max_days or until — no "
                "listing may last for ever",
            }
        ],
        "warnings": [
            {
                "code": "tax_evasion",
                "rule": "pile-on",
                "message": BASE_PILE_ON.message,
                "count": 1,
            }
        ],
    }


def test_cli_json_warnings_only_exits_0(tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "catalogue")
    result = runner.invoke(app, ["catalogue", "lint", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["errors"] == []
    assert [set(w) for w in body["warnings"]] == [{"code", "rule", "message", "count"}]


def test_cli_human_output_names_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_catalogue(tmp_path / "catalogue", change={BLACK: without(BLACK, "max_days")})
    result = runner.invoke(app, ["catalogue", "lint", str(folder)], terminal_width=200)
    assert result.exit_code == 1
    assert "tax.major_violations" in result.stdout
    assert "blacklist-duration" in result.stdout
    assert "catalogue passes" not in result.stdout
    clean = write_catalogue(tmp_path / "clean")
    monkeypatch.setenv("XINYONG_CATALOGUE", str(clean))
    passed = runner.invoke(app, ["catalogue", "lint"], terminal_width=200)
    assert passed.exit_code == 0, passed.output
    assert "tax_evasion" in passed.stdout
    assert "catalogue passes (1 warnings)" in passed.stdout


def test_cli_missing_folder_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["catalogue", "lint", str(tmp_path / "nowhere"), "--json"])
    assert result.exit_code == 1
    assert [e["rule"] for e in json.loads(result.stdout)["errors"]] == ["no-folder"]


# --- protected_terms, as a property ---------------------------------------------------------------

ORDINARY_ZH = [
    "偷税",
    "逃避追缴欠税",
    "拖欠农民工工资",
    "危害公共卫生",
    "食品安全",
    "违法行为",
    "行政处罚",
    "罚款",
    "吊销营业执照",
    "虚假申报",
    "失信被执行人",
    "拒不履行",
    "安全生产事故",
    "走私",
    "未按期公示年度报告",
    "虚假宣传",
    "串通投标",
    "合同欺诈",
    "环境污染",
    "非法集资",
]
ORDINARY_EN = [
    "tax",
    "evasion",
    "wage",
    "arrears",
    "food",
    "safety",
    "violation",
    "endangering",
    "public",
    "health",
    "penalty",
    "fine",
    "licence",
    "revoked",
    "false",
    "declaration",
    "smuggling",
    "pollution",
    "bid",
    "rigging",
    "fraud",
    "annual",
    "report",
    "overdue",
    "judgment",
    "debtor",
]
SEPARATORS = ["", " ", "_", "、", "，", "-", ".", "/"]
ZH_TERMS = [(what, term) for what, (zh, _) in PROTECTED.items() for term in zh]

ordinary_text = st.lists(
    st.tuples(st.sampled_from(ORDINARY_ZH + ORDINARY_EN), st.sampled_from(SEPARATORS)),
    max_size=12,
).map(lambda parts: "".join(word + sep for word, sep in parts))
filler = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(ordinary_text)
def test_ordinary_conduct_words_never_flagged(text: str) -> None:
    assert protected_terms(text) == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZH_TERMS), filler, filler)
def test_protected_chinese_term_always_flagged(
    entry: tuple[str, str], before: str, after: str
) -> None:
    what, term = entry
    found = dict(protected_terms(before + term + after))
    assert what in found
    assert found[what] in before + term + after
