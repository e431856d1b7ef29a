"""Fold text so that the same word compares equal in either Chinese script and any width.

Search, tag matching and de-duplication all compare folded text; what people see is
never folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
# Full-width forms, the ideographic space and the ellipsis: nearly all that NFKC changes in
# Chinese news (，（）：！ and the like).
_COMPATIBLE = re.compile("[\u2026\u3000\ufe30-\ufe4f\uff01-\uffee]")
# The few of them that most texts hold, with their NFKC forms: looked for one by one, which
# is quicker than finding every occurrence with `_COMPATIBLE`.
_COMMON_COMPATIBLE = {
    char: unicodedata.normalize("NFKC", char) for char in "，（）：；？！｜…\u3000－．"
}


def fold(text: str) -> str:
    """Simplified script, NFKC width (Ａ→A, full-width digits), case-folded."""
    return _T2S.convert(_nfkc(text)).casefold()


def _nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, faster on Chinese text.

    As soon as one character needs it, unicodedata normalises the whole text character by
    character, which is slow; so the common full-width characters are replaced by their
    NFKC forms first (which leaves the text's NFKC unchanged). Usually the text is then
    normalised already; if not, the other characters `_COMPATIBLE` finds are replaced too,
    and the final NFKC is applied for everything else.
    """
    for char, normal in _COMMON_COMPATIBLE.items():
        if char in text:
            text = text.replace(char, normal)
    if unicodedata.is_normalized("NFKC", text):
        return text
    for char in set(_COMPATIBLE.findall(text)):
        text = text.replace(char, unicodedata.normalize("NFKC", char))
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def fold_term(term: str) -> str:
    """`fold` for short, repeated strings such as tags and subscription terms."""
    return " ".join(fold(term).split())


def to_simplified(text: str) -> str:
    """Simplified script without any other change (for word segmentation)."""
    return _T2S.convert(text)
