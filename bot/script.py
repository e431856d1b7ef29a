"""Tags and keywords in the reader's script.

Tags, keywords and trending terms are stored folded (Simplified, see `summariser.fold`), so
that 台灣 and 台湾 are one tag; a reader of Traditional Chinese sees them converted back
(OpenCC's s2tw, Traditional characters in their Taiwan forms, except that 臺 is written 台
as Taiwan's and Hong Kong's news write it: 台灣, 台積電). Nothing else is converted: titles
and summaries are shown as the outlet wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import opencc


def for_reader(term: str, lang: str) -> str:
    """`term` as a reader of `lang` ("zh-Hant", "zh-Hans", "en") would write it."""
    return _traditional(term) if lang == "zh-Hant" else term


def all_for_reader(terms: Iterable[str], lang: str) -> list[str]:
    return [for_reader(term, lang) for term in terms]


@lru_cache(maxsize=8192)
def _traditional(term: str) -> str:
    return _converter().convert(term).replace("臺", "台")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    """OpenCC loads its dictionaries once."""
    return opencc.OpenCC("s2tw")
