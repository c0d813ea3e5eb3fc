"""How values are written in the files: amounts in 万元, dates, month arithmetic.

Published exports state money in units of 10,000 yuan with up to four decimals (so to the yuan),
and without trailing zeros (0.5, 2, 10.35); amounts are kept as whole yuan until written so that
no float rounding can make two runs differ.
"""

from __future__ import annotations

import calendar
from datetime import date


def wan(yuan: int) -> str:
    """Whole yuan written in 万元: 5000 -> '0.5', 20000 -> '2', 103500 -> '10.35'."""
    if yuan < 0:
        raise ValueError("amounts are never negative")
    whole, rest = divmod(yuan, 10_000)
    if rest == 0:
        return str(whole)
    return f"{whole}.{rest:04d}".rstrip("0")


def yuan_of(text: str) -> int:
    """The inverse of ``wan``: '0.5' -> 5000, '10.35' -> 103500 (at most four decimals)."""
    whole, _, rest = text.partition(".")
    if not whole.isdigit() or len(rest) > 4 or (rest and not rest.isdigit()):
        raise ValueError(f"not an amount in 万元: {text!r}")
    return int(whole) * 10_000 + int(rest.ljust(4, "0"))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (11-30 + 3 -> 02-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in common years."""
    return add_months(day, 12 * years)
