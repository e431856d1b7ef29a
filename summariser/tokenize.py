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
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter
from types import ModuleType

from summariser.fold import fold
from summariser.sentences import split_sentences

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ENGLISH_WORD = re.compile(r"[^\W_](?:[^\W_]|['’.\-&](?=[^\W_]))*")
_POSSESSIVE = re.compile(r"['’]s$")
# A token counts as a word when it holds a letter or a CJK character (numbers kept only
# when glued to one, such as "g7" or "30日").
_WORDLIKE = re.compile(r"[^\W\d_]")
_MAYBE_WORDLESS = frozenset({"x", "m"})
_BREAK = ("\n", "x")  # rjieba's token for a line break


class SentenceWords:
    """Folded text, words and their tags of an article's sentences, worked out once for all.

    The summary and the keywords read (nearly) the same sentences; `add` folds every new
    sentence in one OpenCC call and segments all the Chinese ones in one rjieba call (a
    line break between two sentences is a boundary to both, so the result is the same as
    one call per sentence, at two thirds of the cost). Line breaks inside a sentence read
    as spaces, which leaves its words as they were. Words and tags are kept apart (the
    summary reads only the words).
    """

    def __init__(self, sentences: Iterable[str] = ()) -> None:
        self._folded: dict[str, str] = {}
        self._words: dict[str, tuple[str, ...]] = {}
        self._tags: dict[str, tuple[str, ...]] = {}
        self.add(sentences)

    def add(self, sentences: Iterable[str]) -> None:
        """Work out every sentence not seen yet."""
        new = [s for s in dict.fromkeys(sentences) if s not in self._folded]
        if not new:
            return
        lines = (s.replace("\n", " ").replace("\r", " ") for s in new)
        folded = fold("\n".join(lines)).split("\n")
        chinese = [bool(_CJK.search(f)) for f in folded]
        segmented = iter(_tag_lines([f for f, zh in zip(folded, chinese, strict=True) if zh]))
        for sentence, folded_text, zh in zip(new, folded, chinese, strict=True):
            if zh:
                words, tags = next(segmented)
            else:
                words = _english_words(folded_text)
                tags = ("eng",) * len(words)
            self._folded[sentence] = folded_text
            self._words[sentence] = words
            self._tags[sentence] = tags

    def folded(self, sentence: str) -> str:
        """`fold` of the sentence."""
        if sentence not in self._folded:
            self.add((sentence,))
        return self._folded[sentence]

    def tags(self, sentence: str) -> tuple[str, ...]:
        """jieba's part-of-speech tags ("n", "nr", "v"…; English words are "eng") of the
        sentence's words, in the order of `words`."""
        if sentence not in self._tags:
            self.add((sentence,))
        return self._tags[sentence]

    def words(self, sentence: str) -> tuple[str, ...]:
        """Folded words of the sentence, in order."""
        if sentence not in self._words:
            self.add((sentence,))
        return self._words[sentence]


def _tag_lines(lines: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Words and their tags of each line (folded Chinese text without line breaks), one
    rjieba call."""
    if not lines:
        return []
    # Only rjieba's "x" (punctuation, spaces, unknown words) and "m" (numbers) tokens can
    # lack a letter: dictionary words all have one, as has what it calls "eng".
    tokens = [
        token
        for token in _rjieba().tag("\n".join(lines))
        if token[1] not in _MAYBE_WORDLESS or token == _BREAK or _WORDLIKE.search(token[0])
    ]
    words = tuple(map(itemgetter(0), tokens))
    tags = tuple(map(itemgetter(1), tokens))
    out, start = [], 0
    for _ in range(len(lines) - 1):
        end = tokens.index(_BREAK, start)
        out.append((words[start:end], tags[start:end]))
        start = end + 1
    out.append((words[start:], tags[start:]))
    return out


def _english_words(folded_text: str) -> tuple[str, ...]:
    tokens = (_POSSESSIVE.sub("", t) for t in _ENGLISH_WORD.findall(folded_text))
    return tuple(w for w in tokens if _WORDLIKE.search(w))


class NewsTokenizer:
    """sumy's `Tokenizer` interface: `language`, `to_sentences`, `to_words`.

    `lang` is the article's language ("zh-Hant", "zh-Hans", "en", "other"); `to_words`
    returns folded words, stop words included (summarizers drop them via `stop_words`),
    from `sentence_words` when given (so sumy reuses what the article already worked out).
    """

    def __init__(self, lang: str, sentence_words: SentenceWords | None = None) -> None:
        self._lang = lang
        self._sentence_words = sentence_words or SentenceWords()
        self.stop_words = stop_words()

    @property
    def language(self) -> str:
        return "english" if self._lang == "en" else "chinese"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self._lang))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return self._sentence_words.words(sentence)


def words(text: str) -> tuple[str, ...]:
    """Folded words of one sentence, in order."""
    return SentenceWords((text,)).words(text)


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


@lru_cache(maxsize=1 << 18)
def in_dictionary(word: str) -> bool:
    """Does jieba's dictionary have the folded word? (Not: a name jieba guessed, or a
    fragment it glued together.) Cached: keywords ask about every word of every article."""
    return _rjieba().has_word(word)


@lru_cache(maxsize=65536)
def general_rarity(word: str) -> float | None:
    """How rare a folded word is in everyday Chinese, 0 (as common as 的) to 1, from jieba's
    dictionary counts; None when the dictionary lacks the word (see `in_dictionary`)."""
    if not in_dictionary(word):
        return None
    count = _rjieba().suggest_freq(word)  # the dictionary count (plus one)
    return max(0.0, 1.0 - math.log(count) / _log_top_count())


@cache
def _log_top_count() -> float:
    return math.log(_rjieba().suggest_freq("的"))


@cache
def _rjieba() -> ModuleType:
    """rjieba, imported on first use: the import builds its dictionary."""
    import rjieba

    return rjieba
