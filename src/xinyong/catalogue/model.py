"""The catalogue's entry types. The schema is closed: an unknown key is an error, not ignored,
because a misspelt rule that is silently dropped would change who is punished."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Entry):
    """A test on one field of a record: `any_of` words appear in it, `only` these words make it
    up, or the number in it is `at_least` / `below` a bound."""

    field: str
    any_of: tuple[str, ...] | None = None
    only: tuple[str, ...] | None = None
    at_least: Decimal | None = None
    below: Decimal | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [t for t in (self.any_of, self.only, self.at_least, self.below) if t is not None]
        if len(tests) != 1:
            raise ValueError("a condition needs exactly one of any_of, only, at_least, below")
        return self


class SeverityRule(Condition):
    severity: str
    also: Condition | None = None


class PublicityWindow(Entry):
    min_days: int = Field(ge=0)
    max_days: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> PublicityWindow:
        if self.min_days > self.max_days:
            raise ValueError(f"min_days {self.min_days} exceeds max_days {self.max_days}")
        return self


class RecordKind(Entry):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: str = Field(min_length=1)
    legal_basis: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = ()
    repairable: bool
    default_severity: str
    severity_rules: tuple[SeverityRule, ...] = ()
    publicity: dict[str, PublicityWindow]
    effective_from: dt.date | None = None

    @model_validator(mode="after")
    def _severities_have_windows(self) -> RecordKind:
        named = {self.default_severity, *(r.severity for r in self.severity_rules)}
        missing = sorted(named - set(self.publicity))
        if missing:
            raise ValueError(f"no publicity window for severity {', '.join(missing)}")
        return self
