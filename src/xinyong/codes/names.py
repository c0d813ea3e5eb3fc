"""Organisation names: a matching key, and a tidy display form.

The key makes the spellings that the same company arrives under in different agencies' files
compare equal: full-width or half-width characters, traditional or simplified characters, （）or
(), 【】 or [], stray and ideographic spaces, upper or lower case Latin. It is lossy and must never
be shown; ``display_name`` is what people see.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol

import opencc


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def _t2s() -> _Converter:
    # Created on first use, not at import, so that importing xinyong.codes stays cheap for code
    # that only validates identifiers. One converter is shared: OpenCC loads its dictionaries once.
    converter: _Converter = opencc.OpenCC("t2s")
    return converter


# Bracket styles that Chinese names use interchangeably with parentheses. Full-width （）, ［］ and
# the small forms become ASCII under NFKC first, so the ASCII [] are mapped too.
_BRACKETS = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "〖": "(",
        "〗": ")",
        "[": "(",
        "]": ")",
    }
)
# Whitespace, plus the invisible characters that copy-and-paste leaves behind.
_REMOVED = re.compile(r"[\s\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff]+")
# OpenCC works on UTF-8 and cannot encode a lone surrogate (from badly decoded input), so those are
# kept as they are and only the text between them is converted.
_SURROGATES = re.compile(r"([\ud800-\udfff]+)")
# Enough for every input found so far (the fuzz tests see at most three passes); see
# ``normalise_name`` for why there is a loop at all.
_MAX_PASSES = 12


def _to_simplified(text: str) -> str:
    if not _SURROGATES.search(text):
        return _t2s().convert(text)
    parts = _SURROGATES.split(text)
    # ``split`` with a group alternates text, surrogates, text, …
    return "".join(part if i % 2 else _t2s().convert(part) for i, part in enumerate(parts))


def _one_pass(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    # Whitespace goes before the conversion so that OpenCC, which converts by phrase, sees the
    # same character sequence however the input was spaced.
    text = _REMOVED.sub("", text)
    text = text.translate(_BRACKETS)
    text = _to_simplified(text)
    return text.casefold()


def normalise_name(name: str) -> str:
    """The matching key of a name: never for display.

    Each step is idempotent on its own, but not together: NFKC can produce a space before a
    combining mark (U+00A8 → " ̈"), and removing it lets the mark compose on the next NFKC;
    case folding can produce a decomposed sequence that NFKC recomposes (U+01F0); OpenCC converts
    by phrase, so a converted character can form a new phrase with its neighbour. So the pass is
    repeated until the text stops changing. If it ever cycled, the smallest string of the cycle is
    returned; both rules make ``normalise_name`` idempotent for every string. Ordinary names are
    stable after one pass, so they cost two.
    """
    seen: list[str] = [name]
    current = name
    for _ in range(_MAX_PASSES):
        following = _one_pass(current)
        if following == current:
            return current
        if following in seen:
            cycle = seen[seen.index(following) :]
            return min(cycle)
        seen.append(following)
        current = following
    return current


def display_name(name: str) -> str:
    """The name as given, with leading and trailing whitespace trimmed and inner runs collapsed.

    Traditional characters and bracket styles are kept: they are how the subject or the agency
    wrote the name, and the registry shows what it was given.
    """
    return " ".join(name.split())
