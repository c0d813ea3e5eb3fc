"""Normalisation of identifier strings as people actually type and paste them.

Codes arrive from spreadsheets and web forms with full-width digits (９１３５…), ideographic or
non-breaking spaces, grouping hyphens and dashes of every kind, zero-width characters from
copy-and-paste, and lower-case letters. All of that is presentation, not content, so it is removed
before any check; anything else that is wrong is left in place for the validators to name.
"""

from __future__ import annotations

import unicodedata

# Invisible characters that copy-and-paste from web pages and word processors leaves behind. They
# are not whitespace to ``str.isspace`` and NFKC keeps them, yet nobody means them as content.
_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
# Minus-like signs that are not in the Unicode "Pd" (dash punctuation) category but are used as
# separators by spreadsheet software and fonts alike.
_EXTRA_DASHES = frozenset("\u2212\u2043\u02d7")


def _is_separator(char: str) -> bool:
    return (
        char.isspace()
        or char in _INVISIBLE
        or char in _EXTRA_DASHES
        or unicodedata.category(char) == "Pd"
    )


def normalise_code(raw: str) -> str:
    """Reduce a typed or pasted identifier to its canonical characters.

    Only presentation is removed (width, spacing, separators, case), so a code that still fails
    validation afterwards is genuinely wrong, and positions in the reasons refer to this form.
    The result is a fixed point: ``normalise_code(normalise_code(x)) == normalise_code(x)``.
    """
    if raw.isascii() and raw.isalnum():
        return raw.upper()  # the common case, and already a fixed point
    text = raw
    # Upper-casing and NFKC can each undo the other's normal form for a few exotic letters
    # (for example U+01F0, whose upper case has no precomposed form); iterate to a fixed point so
    # that normalising twice never changes anything. Real codes converge in one pass.
    for _ in range(8):
        folded = unicodedata.normalize("NFKC", text)
        stripped = "".join(c for c in folded if not _is_separator(c))
        upper = stripped.upper()
        if upper == text:
            break
        text = upper
    return text


_DOC_BRACKETS = str.maketrans("〔〕［］【】（）[]〈〉", "()()()()()()")


def document_key(doc_no: str) -> str:
    """The matching form of a decision document number: 杭市监罚〔2024〕1号, 杭市监罚[2024]1号 and
    杭市监罚（２０２４）1号 are one decision. Width, bracket style and spaces are not content; the
    number as written is kept for display."""
    text = unicodedata.normalize("NFKC", doc_no).translate(_DOC_BRACKETS)
    return "".join(text.split())
