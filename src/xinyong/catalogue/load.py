"""Loading the catalogue folder: every `*.toml`, any entry kind in any file, versions by date.

A catalogue that fails validation is refused whole, with every problem named by file and entry
code: a registry must never run on half a rulebook.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from xinyong.catalogue.model import RecordKind

# In a source checkout the catalogue sits at the repository root; installed elsewhere, point
# XINYONG_CATALOGUE (or --catalogue) at a copy.
REPOSITORY_CATALOGUE = Path(__file__).resolve().parents[3] / "catalogue"
ENTRY_KINDS: dict[str, type[RecordKind]] = {"record_kind": RecordKind}


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("catalogue refused: " + "; ".join(problems))


def catalogue_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("XINYONG_CATALOGUE") or REPOSITORY_CATALOGUE)


@dataclass(frozen=True)
class Catalogue:
    """Every entry version, by kind and code, oldest first."""

    folder: Path
    record_kinds: dict[str, list[RecordKind]] = field(default_factory=dict)

    def record_kind(self, code: str, on: dt.date | None = None) -> RecordKind | None:
        """The version in force on `on` (the newest whose effective_from is not after it)."""
        versions = self.record_kinds.get(code, [])
        if on is None:
            return versions[-1] if versions else None
        current = [v for v in versions if v.effective_from is None or v.effective_from <= on]
        return current[-1] if current else None


def load_catalogue(folder: str | Path | None = None) -> Catalogue:
    path = catalogue_dir(folder)
    if not path.is_dir():
        raise CatalogueError([f"{path}: no catalogue folder there"])
    problems: list[str] = []
    entries: dict[str, list[RecordKind]] = {}
    for file in sorted(path.glob("*.toml")):
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{file.name}: not valid TOML ({exc})")
            continue
        for kind, items in data.items():
            model = ENTRY_KINDS.get(kind)
            if model is None:
                problems.append(f"{file.name}: unknown entry kind [[{kind}]]")
                continue
            for item in items if isinstance(items, list) else [items]:
                _add(file, kind, model, item, entries, problems)
    if problems:
        raise CatalogueError(problems)
    for versions in entries.values():
        versions.sort(key=lambda v: v.effective_from or dt.date.min)
    return Catalogue(path, entries)


def _add(
    file: Path,
    kind: str,
    model: type[RecordKind],
    item: Any,
    entries: dict[str, list[RecordKind]],
    problems: list[str],
) -> None:
    code = item.get("code", "?") if isinstance(item, dict) else "?"
    try:
        entry = model.model_validate(item)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.append(f"{file.name}: {kind} {code}: {where}: {err['msg']}")
        return
    versions = entries.setdefault(entry.code, [])
    if any(v.effective_from == entry.effective_from for v in versions):
        problems.append(f"{file.name}: {kind} {code}: two versions effective from the same date")
        return
    versions.append(entry)
