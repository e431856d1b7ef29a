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
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import opencc

from summariser.fold import to_simplified

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
_KANA_CHARS = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_HANGUL_CHARS = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_KANA = re.compile(f"[{_KANA_CHARS}]+")
_HANGUL = re.compile(f"[{_HANGUL_CHARS}]+")
_KANA_OR_HANGUL = re.compile(f"[{_KANA_CHARS}{_HANGUL_CHARS}]")
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
    han_runs = _HAN.findall(sample)
    han = sum(map(len, han_runs))
    kana, hangul = _kana_and_hangul(sample)
    words = _ALPHABETIC_WORD.findall(sample)
    if han + kana and han + kana >= max(len(words), hangul):
        if kana > KANA_SHARE * (han + kana):
            return "other"
        return _chinese_script("\n".join(han_runs)[:SCRIPT_SAMPLE_CHARS])
    if not words or hangul >= len(words):
        return "other"
    latin = _LATIN_WORD.findall(sample)
    if len(latin) >= LATIN_SHARE * len(words) and _is_english(latin):
        return "en"
    return "other"


def _kana_and_hangul(text: str) -> tuple[int, int]:
    """Counts of kana and of hangul; one scan finds that most texts hold neither."""
    if not _KANA_OR_HANGUL.search(text):
        return 0, 0
    return _count_chars(_KANA, text), _count_chars(_HANGUL, text)


def _count_chars(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _chinese_script(text: str) -> str:
    """Traditional when more characters are Traditional-only than Simplified-only.

    `text` holds the runs of Han characters, one per line: phrases never span punctuation,
    so OpenCC's phrase rules still apply, and there is less to convert.

    A text made only of characters both scripts share is reported as Simplified.
    """
    traditional_only, simplified_only = _changed_alone(text)
    if abs(traditional_only - simplified_only) <= CLOSE_CALL:  # let the phrase rules decide
        traditional_only = _changed(text, to_simplified)
        simplified_only = _changed(text, _to_traditional)
    return "zh-Hant" if traditional_only > simplified_only else "zh-Hans"


# What `_changed_alone` has learnt of each code point, as bits: asked about, rewritten by
# t2s (Traditional only), rewritten by s2t (Simplified only). Characters are handled as
# arrays of code points (numpy): a Python step per character would cost more than the
# conversions. The zeroed table only takes memory where written.
_ASKED = 1
_TRADITIONAL_ONLY = 2
_SIMPLIFIED_ONLY = 4


@lru_cache(maxsize=1)
def _answers() -> np.ndarray:
    answers = np.zeros(0x110000, dtype=np.uint8)
    answers[ord("\n")] = _ASKED
    return answers


def _changed_alone(text: str) -> tuple[int, int]:
    """How many characters of `text` t2s rewrites, and how many s2t does, each character
    taken on its own (and asked about once, ever)."""
    codes = _code_points(text)
    answers = _answers()
    flags = answers[codes]
    if not flags.all():  # some character not asked about yet (each asked one has _ASKED)
        _learn(set(codes[flags == 0].tolist()), answers)
        flags = answers[codes]
    traditional_only = np.count_nonzero(flags & _TRADITIONAL_ONLY)
    simplified_only = np.count_nonzero(flags & _SIMPLIFIED_ONLY)
    return int(traditional_only), int(simplified_only)


def _learn(new: set[int], answers: np.ndarray) -> None:
    """Ask both conversions about each new character, all in one call each."""
    chars = list(map(chr, new))
    joined = "\n".join(chars)
    simplified = to_simplified(joined).split("\n")
    traditional = _to_traditional(joined).split("\n")
    for char, into_simplified, into_traditional in zip(chars, simplified, traditional, strict=True):
        answers[ord(char)] = (
            _ASKED
            | (_TRADITIONAL_ONLY if char != into_simplified else 0)
            | (_SIMPLIFIED_ONLY if char != into_traditional else 0)
        )


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _changed(text: str, convert: Callable[[str], str]) -> int:
    converted = convert(text)
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


def _to_traditional(text: str) -> str:
    return _s2t().convert(text)


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    """OpenCC loads its dictionaries once (t2s is `fold`'s, already loaded)."""
    return opencc.OpenCC("s2t")


def _is_english(words: list[str]) -> bool:
    english = sum(1 for word in words if word.lower() in _ENGLISH_WORDS)
    return english >= ENGLISH_WORD_SHARE * len(words)
