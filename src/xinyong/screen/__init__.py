"""Bulk screening for due diligence: a list of counterparties in, each matched to the registry
(or not, with the reason), with lists and measures in force — in input order, never a crash.

Public face: `screen_rows`, `read_screen_file`, `write_screen_file`, `ScreenResult`.
"""

from xinyong.screen.files import OUTPUT_COLUMNS, read_screen_file, write_screen_file
from xinyong.screen.match import ScreenInput, ScreenResult, screen_rows

__all__ = [
    "OUTPUT_COLUMNS",
    "ScreenInput",
    "ScreenResult",
    "read_screen_file",
    "screen_rows",
    "write_screen_file",
]
