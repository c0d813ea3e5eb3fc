"""Severity of a record by its kind's catalogue rules: first matching rule wins, explained."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from xinyong.catalogue.model import Condition, RecordKind

_PARTS = re.compile(r"[、，,;；\s]+")


@dataclass(frozen=True, slots=True)
class Severity:
    level: str
    because: str  # which rule decided, in words, for the record's explanation


def _matches(cond: Condition, fields: dict[str, str | None]) -> bool:
    value = (fields.get(cond.field) or "").strip()
    if not value:
        return False
    if cond.any_of is not None:
        return any(word in value for word in cond.any_of)
    if cond.only is not None:
        parts = [p for p in _PARTS.split(value) if p]
        return bool(parts) and all(p in cond.only for p in parts)
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    if cond.at_least is not None:
        return number >= cond.at_least
    assert cond.below is not None
    return number < cond.below


def _describe(cond: Condition) -> str:
    if cond.any_of is not None:
        return f"{cond.field} mentions any of {'/'.join(cond.any_of)}"
    if cond.only is not None:
        return f"{cond.field} is only {'/'.join(cond.only)}"
    if cond.at_least is not None:
        return f"{cond.field} ≥ {cond.at_least}"
    return f"{cond.field} < {cond.below}"


def classify(kind: RecordKind, fields: dict[str, str | None]) -> Severity:
    for index, rule in enumerate(kind.severity_rules, start=1):
        if _matches(rule, fields) and (rule.also is None or _matches(rule.also, fields)):
            extra = f" and {_describe(rule.also)}" if rule.also is not None else ""
            return Severity(rule.severity, f"{kind.code} rule {index}: {_describe(rule)}{extra}")
    return Severity(kind.default_severity, f"{kind.code}: no rule matched, default")
