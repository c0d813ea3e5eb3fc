"""The catalogue lint: the legality gate of DESIGN.md, run whenever a catalogue loads.

Errors refuse the catalogue: each one is a failure the analyses of the real system name — lists
without legal basis, lists that never end or offer no way off, memoranda that point at nothing,
rewards and punishments crossed, and criteria on who a person is (speech, politics, religion,
ethnicity, health, biometrics, family and personal ties) rather than on conduct established by an
official decision. Warnings count the cascades the reforms worry about: overlapping lists and
pile-on fan-out from one decision.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xinyong.catalogue.load import Catalogue, Parsed, parse_catalogue
from xinyong.catalogue.model import ListDef, RecordKind


@dataclass(frozen=True)
class Finding:
    code: str  # the catalogue entry the finding is about ("-" for a whole file)
    rule: str
    message: str
    count: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.count is None:
            del out["count"]
        return out


@dataclass
class Report:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
        }

    def error(self, code: str, rule: str, message: str) -> None:
        self.errors.append(Finding(code, rule, message))

    def warn(self, code: str, rule: str, message: str, count: int) -> None:
        self.warnings.append(Finding(code, rule, message, count))


# Protected characteristics. These live in code, not in the catalogue folder, so that no
# catalogue can switch the guardrail off. Chinese terms match as substrings; English ones as
# whole words of identifiers and text. "Public health" conduct (危害公共卫生, 食品安全) is ordinary
# material, so bare 健康/health are not terms — health *data* about a person is.
PROTECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "speech": (
        ("言论", "发言", "发帖", "转发", "网络评论", "舆论", "言行"),
        (
            "speech",
            "speeches",
            "utterance",
            "utterances",
            "post",
            "posts",
            "posting",
            "repost",
            "reposts",
            "comment",
            "comments",
            "weibo",
            "wechat",
        ),
    ),
    "political opinion": (
        ("政治", "政见", "立场", "反动", "上访", "信访"),
        (
            "political",
            "politics",
            "petition",
            "petitions",
            "petitioner",
            "petitioners",
            "protester",
            "protesters",
            "dissidents",
            "protest",
            "protests",
            "dissent",
            "dissident",
            "ideology",
            "party_membership",
        ),
    ),
    "religious belief": (
        ("宗教", "信仰", "礼拜", "教徒", "教派"),
        (
            "religion",
            "religious",
            "faith",
            "belief",
            "beliefs",
            "worship",
            "church",
            "mosque",
            "temple",
        ),
    ),
    "ethnicity": (
        ("民族", "种族", "族裔", "少数民族"),
        ("ethnic", "ethnicity", "race", "racial", "ancestry"),
    ),
    "health data": (
        (
            "健康状况",
            "健康信息",
            "健康数据",
            "病历",
            "病史",
            "患病",
            "疾病",
            "体检",
            "残疾",
            "医疗记录",
            "心理",
            "精神疾病",
            "传染病患者",
        ),
        (
            "health_data",
            "health_status",
            "medical_record",
            "medical_records",
            "medical_history",
            "diagnosis",
            "disease",
            "illness",
            "disability",
            "psychiatric",
            "mental",
            "pregnancy",
        ),
    ),
    "biometrics": (
        ("生物识别", "人脸", "面部", "指纹", "虹膜", "声纹", "基因", "步态"),
        (
            "biometric",
            "biometrics",
            "face",
            "facial",
            "fingerprint",
            "fingerprints",
            "iris",
            "voiceprint",
            "genetic",
            "dna",
            "gait",
        ),
    ),
    "family and personal ties": (
        (
            "家庭",
            "家属",
            "亲属",
            "亲友",
            "配偶",
            "子女",
            "父母",
            "朋友",
            "社会关系",
            "关系人",
            "同事",
        ),
        (
            "family",
            "relative",
            "relatives",
            "spouse",
            "kin",
            "kinship",
            "friend",
            "friends",
            "associate",
            "associates",
            "ties",
            "sibling",
            "siblings",
        ),
    ),
}
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Ordinary conduct whose words contain a protected term: blanked out before matching, so that
# planting GMO crops (转基因), an employer's disability levy, bid-rigging by interested parties
# (利害关系人), medical-device rules or bad-faith debt evasion are not mistaken for data about
# who a person is.
ORDINARY_PHRASES: tuple[str, ...] = (
    "转基因",
    "残疾人就业保障金",
    "利害关系人",
    "医疗器械",
    "医疗保障",
    "医疗机构",
    "bad faith",
    "good faith",
    "medical device",
    "medical devices",
    "medical institution",
    "medical insurance",
)


def protected_terms(text: str) -> list[tuple[str, str]]:
    """Which protected characteristics a piece of criteria text touches, with the term found."""
    # camelCase splits into words first: "healthData" is "health data".
    spaced = _CAMEL.sub("_", unicodedata.normalize("NFKC", text))
    norm = spaced.lower()
    for phrase in ORDINARY_PHRASES:
        norm = norm.replace(phrase, " ")
    words = set(_WORD.findall(norm.replace("_", " ")))
    joined = "_".join(_WORD.findall(norm))  # lets "health_data" match "health data"/"healthData"
    found = []
    for what, (zh, en) in PROTECTED.items():
        hit = next((t for t in zh if t in norm), None)
        if hit is None:
            hit = next((t for t in en if t in words or ("_" in t and t in joined)), None)
        if hit is not None:
            found.append((what, hit))
    return found


def lint_folder(path: str | Path | None = None) -> Report:
    return lint_parsed(parse_catalogue(path))


def lint_parsed(parsed: Parsed) -> Report:
    report = Report()
    for code, rule, message in parsed.problems:
        report.error(code, rule, message)
    cat = parsed.catalogue
    _legal_basis(cat, report)
    _record_kinds(cat, report)
    _lists(cat, report)
    _memoranda(cat, report)
    _fan_out(cat, report)
    _overlap(cat, report)
    return report


def _all_versions(versions: Any) -> list[Any]:
    return [v for vs in versions.by_code.values() for v in vs]


def _legal_basis(cat: Catalogue, report: Report) -> None:
    for label, versions in (
        ("record_kind", cat.record_kinds),
        ("list", cat.lists),
        ("measure", cat.measures),
        ("memorandum", cat.memoranda),
    ):
        for entry in _all_versions(versions):
            if not [b for b in entry.legal_basis if b.strip()]:
                report.error(
                    entry.code,
                    "legal-basis",
                    f"{label} {entry.code}: no legal basis — every entry must cite the "
                    "instrument and article that allow it",
                )


def _criteria_text(kind: RecordKind) -> list[str]:
    """Everything about a record kind that a list's criteria can condition on."""
    texts = [kind.code, kind.name, kind.name_en, kind.category, *kind.fields]
    for rule in kind.severity_rules:
        texts.append(rule.field)
        texts.extend(rule.any_of or ())
        texts.extend(rule.only or ())
        if rule.also is not None:
            texts.append(rule.also.field)
            texts.extend(rule.also.any_of or ())
            texts.extend(rule.also.only or ())
    return texts


def _protected(report: Report, code: str, label: str, texts: list[str]) -> None:
    seen: set[str] = set()
    for text in texts:
        for what, term in protected_terms(text):
            if what in seen:
                continue
            seen.add(what)
            report.error(
                code,
                "protected-data",
                f"{label} {code}: criterion on {what} ({term!r} in {text!r}) — the registry "
                "records conduct established by official decisions, never who a person is",
            )


def _record_kinds(cat: Catalogue, report: Report) -> None:
    for kind in _all_versions(cat.record_kinds):
        _protected(report, kind.code, "record_kind", _criteria_text(kind))
        declared = set(kind.fields)
        if not declared:
            continue
        for i, rule in enumerate(kind.severity_rules, start=1):
            for f in (rule.field, *(() if rule.also is None else (rule.also.field,))):
                if f not in declared:
                    report.error(
                        kind.code,
                        "severity-field",
                        f"record_kind {kind.code}: severity rule {i} tests field {f!r}, which "
                        f"the kind does not carry ({', '.join(sorted(declared))})",
                    )


def _lists(cat: Catalogue, report: Report) -> None:
    for lst in _all_versions(cat.lists):
        _list_criteria(cat, lst, report)
        if lst.kind == "black":
            if lst.max_days is None and lst.until is None:
                report.error(
                    lst.code,
                    "blacklist-duration",
                    f"list {lst.code}: a blacklist needs max_days or until — no listing may "
                    "last for ever",
                )
            repair = (lst.repair or "").strip()
            has_repair = bool(repair) and repair.lower() != "none"
            if not (lst.removal or "").strip() and not has_repair:
                report.error(
                    lst.code,
                    "blacklist-exit",
                    f"list {lst.code}: a blacklist needs a removal or repair path — criteria "
                    "must state how to get off the list",
                )
        if lst.until is not None and not (lst.until_basis or "").strip():
            report.error(
                lst.code,
                "until-basis",
                f"list {lst.code}: until = {lst.until!r} needs until_basis, the law that sets "
                "no fixed term",
            )
        if (lst.repair or "").strip().lower() == "none" and not (lst.repair_basis or "").strip():
            report.error(
                lst.code,
                "repair-basis",
                f'list {lst.code}: repair = "none" needs repair_basis — repair is a right '
                "unless a law or State Council document rules it out",
            )
        if lst.level == "local" and lst.region is None:
            report.error(
                lst.code,
                "local-region",
                f"list {lst.code}: a local list needs region (its division code) and a local "
                "regulation as its basis",
            )


def _list_criteria(cat: Catalogue, lst: ListDef, report: Report) -> None:
    c = lst.criteria
    for kind_code in c.record_kinds:
        kind = cat.record_kinds.get(kind_code)
        if kind is None:
            report.error(
                lst.code,
                "criteria-record-kind",
                f"list {lst.code}: criteria name {kind_code!r}, which is not a record kind of "
                "the catalogue — lists may rest only on catalogue record kinds",
            )
        elif c.min_severity is not None and c.min_severity not in kind.publicity:
            report.error(
                lst.code,
                "criteria-severity",
                f"list {lst.code}: min_severity {c.min_severity!r} is not a severity of record "
                f"kind {kind_code} ({', '.join(kind.publicity)})",
            )
    for other in c.lists:
        if other not in cat.lists:
            report.error(
                lst.code,
                "criteria-list",
                f"list {lst.code}: criteria name list {other!r}, which the catalogue lacks",
            )
        elif other == lst.code:
            report.error(lst.code, "criteria-list", f"list {lst.code}: criteria name itself")
    _protected(report, lst.code, "list", [*c.record_kinds, *c.lists])


def _memoranda(cat: Catalogue, report: Report) -> None:
    from xinyong.evaluate.engine import own_instruments

    for memo in [*_all_versions(cat.memoranda), *own_instruments(cat)]:
        for code in memo.lists:
            if code not in cat.lists:
                report.error(
                    memo.code,
                    "memorandum-unknown",
                    f"memorandum {memo.code}: names list {code!r}, which the catalogue lacks",
                )
        for code in memo.measures:
            if code not in cat.measures:
                report.error(
                    memo.code,
                    "memorandum-unknown",
                    f"memorandum {memo.code}: names measure {code!r}, which the catalogue lacks",
                )
        lists = [cat.lists.get(c) for c in memo.lists]
        measures = [cat.measures.get(c) for c in memo.measures]
        black = sorted(x.code for x in lists if x is not None and x.kind == "black")
        red = sorted(x.code for x in lists if x is not None and x.kind == "red")
        incentives = sorted(m.code for m in measures if m is not None and m.kind == "incentive")
        punishments = sorted(m.code for m in measures if m is not None and m.kind == "punishment")
        if black and incentives:
            report.error(
                memo.code,
                "incentive-from-blacklist",
                f"memorandum {memo.code}: blacklist {', '.join(black)} would trigger incentive "
                f"{', '.join(incentives)}",
            )
        if red and punishments:
            report.error(
                memo.code,
                "punishment-from-redlist",
                f"memorandum {memo.code}: redlist {', '.join(red)} would trigger punishment "
                f"{', '.join(punishments)}",
            )


def lists_reached(cat: Catalogue, kind_code: str) -> list[str]:
    """Every list one record of this kind can put a subject on, escalations included."""
    reached: list[str] = []
    frontier = [lst.code for lst in cat.lists.on() if kind_code in lst.criteria.record_kinds]
    while frontier:
        code = frontier.pop(0)
        if code in reached:
            continue
        reached.append(code)
        frontier.extend(lst.code for lst in cat.lists.on() if code in lst.criteria.lists)
    return reached


def _fan_out(cat: Catalogue, report: Report) -> None:
    from xinyong.evaluate.engine import own_instruments

    memo_by_list: dict[str, list[str]] = defaultdict(list)
    instruments = {m.code: m for m in [*cat.memoranda.on(), *own_instruments(cat)]}
    for memo in instruments.values():
        for code in memo.lists:
            memo_by_list[code].append(memo.code)
    for kind in cat.record_kinds.on():
        lists = lists_reached(cat, kind.code)
        measures: set[str] = set()
        agencies: set[str] = set()
        memos: set[str] = set()
        for list_code in lists:
            for memo_code in memo_by_list.get(list_code, []):
                found = instruments.get(memo_code)
                if found is None:
                    continue
                memos.add(memo_code)
                for m in found.measures:
                    measure = cat.measures.get(m)
                    if measure is not None and measure.kind == "punishment":
                        measures.add(m)
                        agencies.add(measure.agency)
        if measures:
            report.warn(
                kind.code,
                "pile-on",
                f"record_kind {kind.code}: one record can trigger {len(measures)} measures from "
                f"{len(agencies)} agencies through lists {', '.join(lists)}",
                len(measures),
            )
        if len(memos) > 1:
            report.warn(
                kind.code,
                "multi-memorandum",
                f"record_kind {kind.code}: one decision reaches lists {', '.join(lists)} through "
                f"{len(memos)} memoranda ({', '.join(sorted(memos))})",
                len(memos),
            )


def _overlap(cat: Catalogue, report: Report) -> None:
    lists = cat.lists.on()
    for i, a in enumerate(lists):
        for b in lists[i + 1 :]:
            shared = sorted(set(a.criteria.record_kinds) & set(b.criteria.record_kinds))
            if shared and a.kind == b.kind:
                report.warn(
                    a.code,
                    "overlap",
                    f"lists {a.code} and {b.code}: criteria overlap on record kinds "
                    f"{', '.join(shared)} — one decision can list a subject twice",
                    len(shared),
                )
