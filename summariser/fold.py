"""Fold text so that the same word compares equal in either Chinese script and any width.

Search, tag matching and de-duplication all compare folded text; what people see is
never folded.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Simplified script, NFKC width (Ａ→A, full-width digits), case-folded."""
    return _T2S.convert(unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=65536)
def fold_term(term: str) -> str:
    """`fold` for short, repeated strings such as tags and subscription terms."""
    return " ".join(fold(term).split())


def to_simplified(text: str) -> str:
    """Simplified script without any other change (for word segmentation)."""
    return _T2S.convert(text)
