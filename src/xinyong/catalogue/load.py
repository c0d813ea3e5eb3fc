"""Loading the catalogue folder: every `*.toml`, any entry kind in any file, versions by date.

A catalogue that fails validation or lint is refused whole, with every problem named by file and
entry code: a registry must never run on half a rulebook.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from xinyong.catalogue.model import ListDef, MeasureDef, MemorandumDef, RecordKind

# In a source checkout the catalogue sits at the repository root; installed elsewhere, point
# XINYONG_CATALOGUE (or --catalogue) at a copy.
REPOSITORY_CATALOGUE = Path(__file__).resolve().parents[3] / "catalogue"
ENTRY_KINDS: dict[str, type[BaseModel]] = {
    "record_kind": RecordKind,
    "list": ListDef,
    "measure": MeasureDef,
    "memorandum": MemorandumDef,
}

E = TypeVar("E", RecordKind, ListDef, MeasureDef, MemorandumDef)


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("catalogue refused: " + "; ".join(problems))


def catalogue_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("XINYONG_CATALOGUE") or REPOSITORY_CATALOGUE)


@dataclass(frozen=True)
class Versions(Generic[E]):
    """Every version of each entry of one kind, by code, oldest first."""

    by_code: dict[str, list[E]] = field(default_factory=dict)

    def get(self, code: str, on: dt.date | None = None) -> E | None:
        """The version in force on `on` (the newest whose effective_from is not after it);
        without a date, the newest."""
        versions = self.by_code.get(code, [])
        if on is None:
            return versions[-1] if versions else None
        current = [v for v in versions if v.effective_from is None or v.effective_from <= on]
        return current[-1] if current else None

    def on(self, day: dt.date | None = None) -> list[E]:
        """Every entry's version in force on a date, in code order."""
        out = []
        for code in sorted(self.by_code):
            entry = self.get(code, day)
            if entry is not None:
                out.append(entry)
        return out

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def codes(self) -> list[str]:
        return sorted(self.by_code)


@dataclass(frozen=True)
class Catalogue:
    folder: Path
    record_kinds: Versions[RecordKind] = field(default_factory=Versions)
    lists: Versions[ListDef] = field(default_factory=Versions)
    measures: Versions[MeasureDef] = field(default_factory=Versions)
    memoranda: Versions[MemorandumDef] = field(default_factory=Versions)
    files: dict[str, str] = field(default_factory=dict)  # "kind code effective_from" -> file

    def record_kind(self, code: str, on: dt.date | None = None) -> RecordKind | None:
        return self.record_kinds.get(code, on)

    def list(self, code: str, on: dt.date | None = None) -> ListDef | None:
        return self.lists.get(code, on)

    def measure(self, code: str, on: dt.date | None = None) -> MeasureDef | None:
        return self.measures.get(code, on)

    def memorandum(self, code: str, on: dt.date | None = None) -> MemorandumDef | None:
        return self.memoranda.get(code, on)


@dataclass
class Parsed:
    """What the files say before lint: the entries that validated and every schema problem."""

    catalogue: Catalogue
    problems: list[tuple[str, str, str]]  # (code, rule, message)


def parse_catalogue(folder: str | Path | None = None) -> Parsed:
    """Read every file; collect schema problems instead of stopping at the first."""
    path = catalogue_dir(folder)
    problems: list[tuple[str, str, str]] = []
    buckets: dict[str, dict[str, list[Any]]] = {k: {} for k in ENTRY_KINDS}
    files: dict[str, str] = {}
    if not path.is_dir():
        problems.append(("-", "no-folder", f"{path}: no catalogue folder there"))
    else:
        for file in sorted(path.glob("*.toml")):
            _read_file(file, buckets, files, problems)
    for versions in (v for bucket in buckets.values() for v in bucket.values()):
        versions.sort(key=lambda v: v.effective_from or dt.date.min)
    catalogue = Catalogue(
        path,
        Versions(buckets["record_kind"]),
        Versions(buckets["list"]),
        Versions(buckets["measure"]),
        Versions(buckets["memorandum"]),
        files,
    )
    return Parsed(catalogue, problems)


def _read_file(
    file: Path,
    buckets: dict[str, dict[str, list[Any]]],
    files: dict[str, str],
    problems: list[tuple[str, str, str]],
) -> None:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(("-", "not-toml", f"{file.name}: not valid TOML ({exc})"))
        return
    for kind, items in data.items():
        model = ENTRY_KINDS.get(kind)
        if model is None:
            problems.append(("-", "unknown-kind", f"{file.name}: unknown entry kind [[{kind}]]"))
            continue
        for item in items if isinstance(items, list) else [items]:
            entry = _validate(file, kind, model, item, problems)
            if entry is None:
                continue
            versions = buckets[kind].setdefault(entry.code, [])
            if any(v.effective_from == entry.effective_from for v in versions):
                problems.append(
                    (
                        entry.code,
                        "duplicate-version",
                        f"{file.name}: {kind} {entry.code}: two versions effective from "
                        "the same date",
                    )
                )
                continue
            versions.append(entry)
            files[f"{kind} {entry.code} {entry.effective_from or ''}"] = file.name


def _validate(
    file: Path, kind: str, model: type[BaseModel], item: Any, problems: list[tuple[str, str, str]]
) -> Any:
    code = str(item.get("code", "?")) if isinstance(item, dict) else "?"
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            rule = "unknown-key" if err["type"] == "extra_forbidden" else "schema"
            message = (
                f"{file.name}: {kind} {code}: unknown key {where!r}"
                if rule == "unknown-key"
                else f"{file.name}: {kind} {code}: " + (f"{where}: " if where else "") + err["msg"]
            )
            problems.append((code, rule, message))
        return None


def load_catalogue(folder: str | Path | None = None) -> Catalogue:
    """The catalogue, linted; refused with every error if the lint finds any."""
    from xinyong.catalogue.lint import lint_parsed

    parsed = parse_catalogue(folder)
    report = lint_parsed(parsed)
    if report.errors:
        raise CatalogueError([e.message for e in report.errors])
    return parsed.catalogue
