"""Dates and timestamps as DESIGN.md invariant 4 defines them.

Calendar dates belong to China Standard Time (a record decided "on 1 May" was decided on 1 May in
Beijing, whatever the server's zone); instants are stored as UTC ISO 8601 strings so that a journal
entry's time is byte-stable and sorts as text.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")


def today_cst() -> dt.date:
    """The calendar date now in Beijing; the default `as_of` of every read."""
    return dt.datetime.now(CST).date()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_stamp(moment: dt.datetime | None = None) -> str:
    """An instant as `YYYY-MM-DDTHH:MM:SS.ffffffZ`: fixed width, so text order is time order."""
    moment = moment or utc_now()
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
