"""Turn outlet labels such as "(臺)中央社CNA" into the short source names people type."""

from __future__ import annotations

import re
import unicodedata

_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def source_slug(label: str) -> str:
    """A lower-case name for an outlet label, or "" when the label is blank.

    An all-ASCII label becomes a dash-joined slug ("BBC News" -> "bbc-news"). A label that
    mixes scripts keeps only its Latin words, because outlets put their short name there
    ("(臺)中央社CNA" -> "cna", "DW 德国之声" -> "dw"); a label with no Latin word at all is
    kept as written ("中央社"). NFKC first, so full-width "ＣＮＡ" counts as Latin.
    """
    text = unicodedata.normalize("NFKC", label).strip()
    pattern = _ASCII_WORD if text.isascii() else _LATIN_WORD
    words = pattern.findall(text)
    if words:
        return "-".join(words).lower()
    return " ".join(text.split()).lower()
