"""The catalogue's entry types. The schema is closed: an unknown key is an error, not ignored,
because a misspelt rule that is silently dropped would change who is punished."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

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
    authority: str | None = None  # the body whose instrument defines the kind
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # record fields rules may test; empty = not declared
    repairable: bool
    default_severity: str
    severity_rules: tuple[SeverityRule, ...] = ()
    publicity: dict[str, PublicityWindow]
    # Working days the supplying agency has to answer an objection, and the deciding agency a
    # repair application (unset: the registry's defaults, workflows.deadlines).
    objection_days: int | None = Field(default=None, ge=1)
    repair_days: int | None = Field(default=None, ge=1)
    effective_from: dt.date | None = None

    @model_validator(mode="after")
    def _severities_have_windows(self) -> RecordKind:
        named = {self.default_severity, *(r.severity for r in self.severity_rules)}
        missing = sorted(named - set(self.publicity))
        if missing:
            raise ValueError(f"no publicity window for severity {', '.join(missing)}")
        return self


ListKind = Literal["black", "red", "watch"]
Level = Literal["national", "local"]
MeasureKind = Literal["punishment", "incentive"]
DeriveFrom = Literal["records", "filings", "lists"]
# Who a measure binds. Persons enter only through their role in an organisation that is listed
# (the basic list of measures: legal representative, principal person in charge, directly
# responsible persons, actual controller) — never through personal ties.
Target = Literal[
    "subject",
    "legal_representative",
    "principal_person",
    "responsible_persons",
    "actual_controller",
]


class Criteria(Entry):
    """What puts a subject on a list. Criteria may name only catalogue entries: record kinds
    (records of them, at or above `min_severity`; or, with `missing_by`, a yearly record of the
    kind not filed by that month-day) and, for escalation, another list held for `for_days`."""

    record_kinds: tuple[str, ...] = ()
    min_severity: str | None = None
    missing_by: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    # Whom the criteria bind, by the start of their USCC (GB 32100: registration authority, then
    # category): "91" is enterprises registered by market regulation, whom the annual report
    # duty of 企业信息公示暂行条例 binds — not institutions (1x), social organisations (5x),
    # individual businesses (92) or farmers' cooperatives (93), who report under other rules.
    # Empty: every subject.
    code_prefixes: tuple[Annotated[str, Field(pattern=r"^[0-9A-Z]{1,2}$")], ...] = ()
    lists: tuple[str, ...] = ()
    for_days: int | None = Field(default=None, ge=1)
    reminder_days: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _something(self) -> Criteria:
        if not self.record_kinds and not self.lists:
            raise ValueError("criteria need record_kinds or lists")
        if self.lists and self.for_days is None:
            raise ValueError("criteria over lists need for_days (how long on the list)")
        if self.missing_by is not None and not self.record_kinds:
            raise ValueError("missing_by needs the record kind that was not filed")
        return self


class ListDef(Entry):
    """A blacklist, redlist or watch list. The legality gate lives in the lint (lint.py), so that
    every missing piece is reported with its rule, not only the first pydantic finds."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: ListKind
    authority: str = Field(min_length=1)
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    criteria: Criteria
    # The registry proposes listings from the criteria itself: true for every criterion, or
    # only some of them: "records", "filings" (missing_by), "lists" (escalation). A list whose
    # record criteria need an authority's assessment (SAMR Order 44) derives from "lists" only.
    derive: bool | tuple[DeriveFrom, ...] = False

    def derives(self, source: DeriveFrom) -> bool:
        return self.derive is True or (isinstance(self.derive, tuple) and source in self.derive)

    max_days: int | None = Field(default=None, ge=1)
    until: str | None = None  # where the law sets no term: the condition that ends the listing
    until_basis: str | None = None
    extension_days: int = Field(default=0, ge=0)
    notice_days: int = Field(default=0, ge=0)
    removal: str | None = None
    repair: str | None = None  # the path, or "none"
    repair_basis: str | None = None  # required when repair = "none"
    repair_after_days: int | None = Field(default=None, ge=0)  # least days listed before repair
    objection_days: int | None = Field(default=None, ge=1)
    repair_days: int | None = Field(default=None, ge=1)
    level: Level = "national"
    region: str | None = Field(default=None, pattern=r"^\d{6}$")
    # Measures the list's own instrument attaches (SAMR Order 44's management measures), with no
    # memorandum in between; they apply exactly as a memorandum's would, citing the list's basis.
    measures: tuple[str, ...] = ()
    effective_from: dt.date | None = None


class MeasureDef(Entry):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: MeasureKind
    category: str = Field(min_length=1)
    agency: str = Field(min_length=1)
    targets: tuple[Target, ...] = Field(min_length=1)
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    effective_from: dt.date | None = None


class MemorandumDef(Entry):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    name_en: str | None = None
    document: str | None = None  # the memorandum's own document number
    signatories: tuple[str, ...] = Field(min_length=1)
    lists: tuple[str, ...] = Field(min_length=1)
    measures: tuple[str, ...] = Field(min_length=1)
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    effective_from: dt.date | None = None
