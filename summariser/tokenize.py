"""Words and sentences for sumy without NLTK downloads: jieba for Chinese, a regex for English.

Words are compared folded (`summariser.fold.fold`: Simplified script, NFKC, case-folded), so
a Traditional sentence and a Simplified title share words; the original sentences are
never changed. Chinese is segmented and part-of-speech tagged by rjieba, the Rust port of
jieba (same dictionary, same HMM for unknown words, 16 times faster than Python jieba on
the corpus). Its dictionary is compiled into the extension: it is loaded on first use
(about half a second) and nothing is written to disk, so a read-only or missing temp
directory does not matter (Python jieba writes `jieba.cache` into `tempfile.gettempdir()`).
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from importlib import resources
from types import ModuleType

from summariser.fold import fold
from summariser.sentences import split_sentences

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ENGLISH_WORD = re.compile(r"[^\W_](?:[^\W_]|['’.\-&](?=[^\W_]))*")
_POSSESSIVE = re.compile(r"['’]s$")
# A token counts as a word when it holds a letter or a CJK character (numbers kept only
# when glued to one, such as "g7" or "30日").
_WORDLIKE = re.compile(r"[^\W\d_]")


class NewsTokenizer:
    """sumy's `Tokenizer` interface: `language`, `to_sentences`, `to_words`.

    `lang` is the article's language ("zh-Hant", "zh-Hans", "en", "other"); `to_words`
    returns folded words, stop words included (summarizers drop them via `stop_words`).
    """

    def __init__(self, lang: str) -> None:
        self._lang = lang
        self.stop_words = stop_words()

    @property
    def language(self) -> str:
        return "english" if self._lang == "en" else "chinese"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self._lang))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return words(sentence)


@lru_cache(maxsize=8192)
def folded(text: str) -> str:
    """`fold` of a sentence, cached: words, bigrams and keywords all start from it."""
    return fold(text)


@lru_cache(maxsize=8192)
def tagged_words(text: str) -> tuple[tuple[str, str], ...]:
    """Folded words of a sentence with jieba's part-of-speech tags ("n", "nr", "v"…; English
    words are "eng"), in order. Cached: the summary and the keywords share the work."""
    folded_text = folded(text)
    if _CJK.search(folded_text):
        tokens = _rjieba().tag(folded_text)
    else:
        tokens = [(_POSSESSIVE.sub("", t), "eng") for t in _ENGLISH_WORD.findall(folded_text)]
    return tuple((w, tag) for w, tag in tokens if _WORDLIKE.search(w))


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """Folded words of a sentence, in order."""
    return tuple(w for w, _ in tagged_words(text))


@cache
def stop_words() -> frozenset[str]:
    """Folded stop words of both languages (Chinese text quotes English; scripts never clash)."""
    return _word_list("zh.txt") | _word_list("en.txt")


@cache
def noise_words() -> frozenset[str]:
    """Credit and boilerplate words (編輯, 記者, 中央社…), folded: never a keyword."""
    return _word_list("noise.txt")


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("summariser.stopwords").joinpath(name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(fold(line) for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=65536)
def general_rarity(word: str) -> float | None:
    """How rare a folded word is in everyday Chinese, 0 (as common as 的) to 1, from jieba's
    dictionary counts; None when the dictionary lacks the word (a name jieba guessed,
    or a fragment it glued together)."""
    segmenter = _rjieba()
    if not segmenter.has_word(word):
        return None
    count = segmenter.suggest_freq(word)  # the dictionary count (plus one)
    return max(0.0, 1.0 - math.log(count) / _log_top_count())


@cache
def _log_top_count() -> float:
    return math.log(_rjieba().suggest_freq("的"))


@cache
def _rjieba() -> ModuleType:
    """rjieba, imported on first use: the import builds its dictionary."""
    import rjieba

    return rjieba
