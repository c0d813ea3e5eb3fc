"""Field parsers for agency files: dates, amounts, party categories. Each failure names the value.

Dates arrive as `2023-05-01`, `2023/5/1`, `2023年5月1日`, `20230501`, Excel serial numbers or
epoch milliseconds, often in full-width digits; amounts in 万元 as non-negative decimals.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from xinyong.timeutil import CST

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DIGITS8 = re.compile(r"^\d{8}$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug


class FieldError(ValueError):
    """A field value that cannot be used, with the reason a clerk can act on."""


def parse_date(raw: str) -> dt.date:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise FieldError("is empty")
    # Timestamps with a time part: keep the calendar date as written.
    stamp = re.match(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", text)
    if stamp:
        text = stamp.group(1)
    match = _YMD.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif _DIGITS8.match(text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    elif re.fullmatch(r"\d{13}", text):  # epoch milliseconds, as some export systems write
        return dt.datetime.fromtimestamp(int(text) / 1000, CST).date()
    elif re.fullmatch(r"\d{5}(\.0+)?", text):  # an Excel serial day number (1927-05-18 on)
        # Shorter numbers are refused: "2023" is far likelier a bare year than 1905-07-15.
        serial = int(float(text))
        return _EXCEL_EPOCH + dt.timedelta(days=serial)
    else:
        raise FieldError(
            f"{raw!r} is not a date (use 2023-05-01, 2023/5/1, 2023年5月1日 or 20230501)"
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(f"{raw!r} is not a real calendar date") from None


def parse_wan(raw: str) -> str | None:
    """An amount in 万元 as a canonical decimal string; empty means not stated."""
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"{raw!r} is not a number of 万元") from None
    if not value.is_finite():
        raise FieldError(f"{raw!r} is not a number of 万元")
    if value < 0:
        raise FieldError(f"{raw!r} is negative; amounts are non-negative 万元")
    normal = value.normalize()
    return format(normal, "f")


PARTY_CATEGORIES = {
    "法人及非法人组织": "organisation",
    "法人和非法人组织": "organisation",
    "法人": "organisation",
    "非法人组织": "organisation",
    "其他组织": "organisation",
    "自然人": "person",
    "个体工商户": "individual_business",
}


def parse_party_category(raw: str) -> str | None:
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    if not text:
        return None
    try:
        return PARTY_CATEGORIES[text]
    except KeyError:
        known = "、".join(dict.fromkeys(PARTY_CATEGORIES))
        raise FieldError(f"{raw!r} is not a party category ({known})") from None
