"""The one exception every identifier check raises.

A caller (ingest quarantine, the HTTP API's problem documents, an officer's form) needs *all* the
reasons at once, so that a row can be fixed in one round trip; hence a list, never just the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

CodeKind = Literal["uscc", "ric", "code"]


class CodeError(ValueError):
    """Raised with every reason the code is invalid (not just the first).

    ``str(error)`` is built from the reasons only and never repeats the input, because a resident ID
    is personal data (DESIGN.md invariant 7) and exception messages end up in logs. The input is
    still available as ``code`` for callers that must keep it (quarantine keeps rows intact).
    Note that resident-ID reasons may quote parts of the ID (its birth date, its check character);
    treat them as personal data too when ``kind == "ric"``.
    """

    code: str
    reasons: list[str]
    kind: CodeKind

    def __init__(self, code: str, reasons: Sequence[str], kind: CodeKind = "code") -> None:
        if not reasons:
            raise ValueError("a CodeError needs at least one reason")
        self.code = code
        self.reasons = list(reasons)
        self.kind = kind
        super().__init__("; ".join(self.reasons))

    def __reduce__(self) -> tuple[type[CodeError], tuple[str, list[str], CodeKind]]:
        # The default exception pickling replays ``self.args`` (the message) into ``__init__``,
        # which would fail; worker processes in a batch ingest must be able to send these back.
        return (type(self), (self.code, self.reasons, self.kind))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, reasons={self.reasons!r})"
