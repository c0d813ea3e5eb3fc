"""Masking resident IDs wherever they hide in free text.

Agency files carry ID numbers outside the ID columns too: a sole trader's tax registration number
is often the owner's resident ID, and clerks paste IDs into remarks and facts. Anything that
validates as a resident ID is masked before free text is stored or shown (DESIGN.md invariant 7).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from xinyong.codes.errors import CodeError
from xinyong.codes.ric import mask_ric, today_in_china, validate_ric

# 17 digits and a digit or X (ASCII or full-width), not inside a longer run of digits. Letters
# around it do not protect it: "ID110105…" and "…002Xabc" are still IDs.
_D = "0-9\uff10-\uff19"
_CANDIDATE = re.compile(f"(?<![{_D}])[{_D}]{{17}}[{_D}Xx\uff38\uff58](?![{_D}])")


def might_hold_id(text: str) -> bool:
    """Whether `text` has a run that could be a resident ID (cheap; `redact_ids` decides)."""
    return _CANDIDATE.search(text) is not None


def redact_ids(text: str) -> str:
    """`text` with every valid resident ID replaced by its masked form; the rest untouched."""
    if len(text) < 18:
        return text
    today = today_in_china()

    def _mask(match: re.Match[str]) -> str:
        return _masked(match.group(0), today)

    return _CANDIDATE.sub(_mask, text)


@functools.lru_cache(maxsize=1 << 14)
def _masked(candidate: str, today: dt.date) -> str:
    """One candidate's masked form, or the candidate itself when it is no valid ID, as judged on
    `today` (the birth-date test depends on it). Remembered: the candidates in agency files are
    mostly the same few all-digit codes of authorities, on every row."""
    try:
        return mask_ric(validate_ric(candidate, today=today))
    except CodeError:
        return candidate


def mask_id_like(text: str) -> str:
    """Mask anything ID-shaped (valid or not) for echoing input back: 6 + '*' + last 4."""
    return re.sub(
        r"(?<![0-9A-Za-z])(\d{6})\d{7,8}([\dXx]{3,4})(?![0-9A-Za-z])",
        lambda m: m.group(1) + "********" + m.group(2)[-4:],
        text,
    )
