"""Detect an article's language: Traditional or Simplified Chinese, English, or other.

Chinese is recognised by its share of Han characters; the script by asking OpenCC which
characters each conversion would change: characters that t2s rewrites exist only in
Traditional text, characters that s2t rewrites only in Simplified text. Each character is
asked about once, on its own, and the answer remembered. OpenCC's phrase rules only matter
for a few characters of a text (the Simplified 著名 keeps the 著 that alone reads as
Traditional; the Traditional 公里 keeps its 里), so only when the two counts are that
close is the text converted whole, phrase rules and all, to decide.

English is Latin script carrying common English function words; Japanese (kana), Korean
(hangul) and other languages are "other".
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import opencc

# The opening of the article decides: enough text for a firm count, and an appended
# translation (CHOSUN prints some columns again in English) does not change the language.
SAMPLE_CHARS = 1_000
# Han characters whose script is compared: in Traditional text about one in four changes
# under t2s, so a few hundred give a clear majority; converting more only costs time.
SCRIPT_SAMPLE_CHARS = 300
# Counts of Traditional-only and Simplified-only characters this close are decided by
# converting the text whole, with OpenCC's phrase rules (see the module docstring).
CLOSE_CALL = 10
# Share of kana among Han plus kana above which the text is Japanese.
KANA_SHARE = 0.15
# Share of words that must be in Latin script, and of those that must be English function
# words.
LATIN_SHARE = 0.8
ENGLISH_WORD_SHARE = 0.15

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]+")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+")
# A word of an alphabetic script: a run of letters that are not Han, kana or hangul.
_ALPHABETIC_WORD = re.compile(
    r"[^\W\d_\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f']+")
# Frequent English words that are not also frequent words of other Latin-script languages
# (so no "a", "in", "an", "die", "on").
_ENGLISH_WORDS = frozenset(
    {
        *("the", "of", "and", "to", "is", "are", "was", "were", "be", "been", "that", "this"),
        *("these", "those", "for", "with", "from", "by", "at", "as", "it", "its", "not", "but"),
        *("or", "which", "who", "whom", "have", "has", "had", "they", "their", "them", "he"),
        *("his", "she", "her", "we", "our", "you", "your", "will", "would", "can", "could"),
        *("should", "there", "than", "then", "what", "when", "where", "how"),
    }
)


def detect_language(text: str) -> str:
    """ "zh-Hant", "zh-Hans", "en" or "other" for the given text."""
    sample = text[:SAMPLE_CHARS]
    # A Han character, a kana or a hangul block is about a syllable, so each is weighed
    # against a whole word of an alphabetic script.
    han = _count_chars(_HAN, sample)
    kana = _count_chars(_KANA, sample)
    hangul = _count_chars(_HANGUL, sample)
    words = _ALPHABETIC_WORD.findall(sample)
    if han + kana and han + kana >= max(len(words), hangul):
        if kana > KANA_SHARE * (han + kana):
            return "other"
        return _chinese_script("\n".join(_HAN.findall(sample))[:SCRIPT_SAMPLE_CHARS])
    if not words or hangul >= len(words):
        return "other"
    latin = _LATIN_WORD.findall(sample)
    if len(latin) >= LATIN_SHARE * len(words) and _is_english(latin):
        return "en"
    return "other"


def _count_chars(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _chinese_script(text: str) -> str:
    """Traditional when more characters are Traditional-only than Simplified-only.

    `text` holds the runs of Han characters, one per line: phrases never span punctuation,
    so OpenCC's phrase rules still apply, and there is less to convert.

    A text made only of characters both scripts share is reported as Simplified.
    """
    traditional_only = _changed_alone(text, "t2s")
    simplified_only = _changed_alone(text, "s2t")
    if abs(traditional_only - simplified_only) <= CLOSE_CALL:  # let the phrase rules decide
        traditional_only = _changed(text, _converter("t2s"))
        simplified_only = _changed(text, _converter("s2t"))
    return "zh-Hant" if traditional_only > simplified_only else "zh-Hans"


class _Answers(NamedTuple):
    """By code point, the characters asked about so far and those of them that a conversion
    rewrites. Characters are handled as arrays of code points (numpy): a Python step per
    character would cost more than the conversions. Zeroed arrays only take memory where
    written."""

    asked: np.ndarray
    changed: np.ndarray


@lru_cache(maxsize=2)
def _answers(config: str) -> _Answers:
    asked = np.zeros(0x110000, dtype=bool)
    asked[ord("\n")] = True
    return _Answers(asked, np.zeros(0x110000, dtype=bool))


def _changed_alone(text: str, config: str) -> int:
    """How many characters of `text` the conversion rewrites, each taken on its own."""
    codes = _code_points(text)
    asked, changed = _answers(config)
    unseen = codes[~asked[codes]]
    if unseen.size:
        new = np.unique(unseen).tolist()
        chars = list(map(chr, new))
        converted = _converter(config).convert("\n".join(chars)).split("\n")
        for code, char, into in zip(new, chars, converted, strict=True):
            changed[code] = char != into
        asked[new] = True
    return int(np.count_nonzero(changed[codes]))


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _changed(text: str, converter: opencc.OpenCC) -> int:
    converted = converter.convert(text)
    if len(converted) == len(text):
        return int(np.count_nonzero(_code_points(text) != _code_points(converted)))
    # A phrase rule changed the length of some run: compare the other runs position by
    # position, and count that run's characters its conversion no longer has.
    changed = 0
    for run, new in zip(text.split("\n"), converted.split("\n"), strict=True):
        if len(run) == len(new):
            changed += sum(map(str.__ne__, run, new))
        else:
            changed += (Counter(run) - Counter(new)).total()
    return changed


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    """OpenCC loads its dictionaries once per configuration."""
    return opencc.OpenCC(config)


def _is_english(words: list[str]) -> bool:
    english = sum(1 for word in words if word.lower() in _ENGLISH_WORDS)
    return english >= ENGLISH_WORD_SHARE * len(words)
