"""Column mappings as data: which headers mean which canonical field, per record kind.

Real files differ in their headers (full- and half-width brackets in one row, field codes instead
of Chinese names, a known misspelling), so headers are compared after normalising width, brackets,
spaces and case, and the aliases live in `mappings/*.toml` where a clerk can add one without code.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAPPINGS_DIR = Path(__file__).parent / "mappings"
KINDS = ("registry", "licence", "penalty", "listing", "annual_report")


_BRACKETS = str.maketrans("【】〔〕[]", "()()()")


def header_key(header: str) -> str:
    """Width, brackets, spaces and case folded away; repeated to a fixed point because NFKC and
    case folding can each undo the other's normal form (Hypothesis found 'U¯')."""
    text = header
    for _ in range(5):
        folded = "".join(
            unicodedata.normalize("NFKC", text).translate(_BRACKETS).split()
        ).casefold()
        if folded == text:
            break
        text = folded
    return text


@dataclass(frozen=True)
class Mapping:
    kind: str
    fields: dict[str, tuple[str, ...]]  # canonical field -> aliases as written in the mapping file
    detect: tuple[str, ...]  # fields whose presence identifies this kind
    by_header: dict[str, str]  # header_key(alias) -> canonical field

    def resolve(self, headers: list[str]) -> dict[str, str]:
        """Map each header of a file that we know to its canonical field (first one wins)."""
        out: dict[str, str] = {}
        taken: set[str] = set()
        for header in headers:
            field = self.by_header.get(header_key(header))
            if field is not None and field not in taken:
                out[header] = field
                taken.add(field)
        return out

    def score(self, headers: list[str]) -> int:
        """How many of the identifying fields the headers carry (detection by headers)."""
        present = set(self.resolve(headers).values())
        return sum(1 for f in self.detect if f in present)


@cache
def load_mapping(kind: str) -> Mapping:
    path = MAPPINGS_DIR / f"{kind}.toml"
    if not path.exists():
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = {name: tuple(aliases) for name, aliases in data["fields"].items()}
    by_header: dict[str, str] = {}
    for name, aliases in fields.items():
        for alias in (name, *aliases):
            by_header.setdefault(header_key(alias), name)
    return Mapping(kind, fields, tuple(data["detect"]), by_header)


def all_header_keys() -> set[str]:
    return {key for kind in KINDS for key in load_mapping(kind).by_header}


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose identifying fields all appear in the headers; None when none or several do."""
    complete = [
        kind
        for kind in KINDS
        if load_mapping(kind).score(headers) == len(load_mapping(kind).detect)
    ]
    return complete[0] if len(complete) == 1 else None
