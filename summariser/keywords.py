"""Keywords of an article: TF-IDF over jieba words (Chinese) or plain words (English).

Document frequencies come from the shipped table `summariser/idf.txt`, built from the news
corpus by bench/build_idf.py. A word missing from it is rarer than the table's cut-off;
jieba's dictionary counts (already in memory, unlike jieba's 6 MB idf.txt, which takes over
a second to read) say whether it is a common word of the language all the same. A word
neither knows is usually a fragment jieba's HMM glued together (日及, 携未), so it must occur
twice in the text to count. Title words count extra. Only nouns, names and
foreign words by jieba's part-of-speech tags (rjieba tags at twice the cost of cutting,
0.5 ms for an average post), then stop words, credit words and digit rules.
Keywords are folded (`fold_term`), so 台灣 and 台湾 give one keyword.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources

from summariser.fold import fold, fold_term
from summariser.sentences import split_sentences
from summariser.tokenize import (
    SentenceWords,
    general_rarity,
    in_dictionary,
    noise_words,
    stop_words,
)

IDF_RESOURCE = "idf.txt"
_TITLE_BOOST = 2.0  # a title word counts as if it appeared this many extra times
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
_GLUE = frozenset(
    "及约近至未对在了的和与或被把将于为从向也都就又再并而但即则已曾等处是有各每逾超达共令让给以"
)
_NOMINAL = ("n", "vn", "eng", "j")  # tag prefixes: nouns, names, verbal nouns, foreign words
_HAN_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_TOGETHER = 0.8  # share of a piece's occurrences that must be next to the other piece
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Credits and datelines name reporters and editors, who are not what a story is about:
# （編輯：呂佳蓉）, 譯者：王某, （中央社記者李雅雯台北1日電）, 【共同社東京1日電】.
_ROLES = (
    "責任編輯",
    "责任编辑",
    "編輯",
    "编辑",
    "譯者",
    "译者",
    "核稿",
    "記者",
    "记者",
    "撰稿",
    "攝影",
    "摄影",
    "翻譯",
    "翻译",
    "來源",
    "来源",
)
_ROLE = f"(?:{'|'.join(_ROLES)})"
# Three forms: a bracketed credit, "role: name", a bracketed dateline ending in 電 or 報導.
# Each is spelt out once per opening character, in this order, so that every branch starts
# with a literal character: `re` then skips straight to the characters that can start a
# credit instead of trying every form at every position (5 times faster, same matches).
_CREDIT = re.compile(
    "|".join(
        [
            *(
                re.escape(bracket) + rf"\s*{_ROLE}\s*[：:／/]?[^）)】\]]{{0,40}}[）)】\]]"
                for bracket in "（(【["
            ),
            *(rf"{role}\s*[：:／/]\s*[^\s。，,）)]{{1,20}}" for role in _ROLES),
            *(
                re.escape(bracket) + r"[^（）()【】]{0,40}(?:電|电|報導|报导|報道|报道)[）)】]"
                for bracket in "（(【"
            ),
        ]
    )
)
# Capitalised runs in English text: "Donald Trump", "European Union".
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’.-]*)+")


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies of folded words over `documents` articles."""

    documents: int
    min_df: int
    frequencies: dict[str, int]
    # IDFs of the table's words worked out so far (bounded by the table's size).
    _idfs: dict[str, float] = field(default_factory=dict, init=False, repr=False, compare=False)

    def idf(self, word: str) -> float:
        """Smoothed IDF; words below the table's cut-off get the cut-off's IDF, scaled
        down when jieba's dictionary knows them as common words of the language."""
        idf = self._idfs.get(word)
        if idf is not None:
            return idf
        df = self.frequencies.get(word)
        if df is None:
            rarity = general_rarity(word)  # cached
            return self._ceiling if rarity is None else self._ceiling * rarity
        idf = self._idfs[word] = math.log((self.documents + 1) / (df + 1)) + 1
        return idf

    @cached_property
    def _ceiling(self) -> float:
        """The IDF of a word at the table's cut-off."""
        return math.log((self.documents + 1) / self.min_df) + 1


def extract_keywords(
    text: str,
    title: str,
    lang: str,
    k: int = 8,
    *,
    sentence_words: SentenceWords | None = None,
) -> tuple[str, ...]:
    """Up to `k` folded keywords, most telling first; fewer only when the text is short.

    `sentence_words` shares folded and segmented sentences with the summary.
    """
    if k < 1:
        return ()
    known = sentence_words or SentenceWords()
    table = idf_table()
    title_words = frozenset(known.words(title))
    counts = candidate_counts(text, lang, title_words=title_words, sentence_words=known)
    # A word that neither the table nor jieba's dictionary knows must occur twice.
    frequencies = table.frequencies
    once = [w for w, n in counts.items() if n < 2 and w not in frequencies]
    for word in itertools.filterfalse(in_dictionary, once):
        del counts[word]
    folded_title = known.folded(title)
    for word in counts:
        if word in title_words or (word in folded_title and _CJK.match(word)):
            counts[word] += _TITLE_BOOST
    total = sum(counts.values()) or 1
    idf = table.idf
    # Highest score first, ties by word: sorting (-score, word) pairs needs no key.
    ranked = sorted((-(count / total * idf(word)), word) for word, count in counts.items())
    out: dict[str, None] = {}
    for _, word in ranked:
        term = fold_term(word)
        if term and term not in out:
            out[term] = None
        if len(out) == k:
            break
    return tuple(out)


def candidate_counts(
    text: str,
    lang: str,
    *,
    title_words: frozenset[str] = frozenset(),
    sentence_words: SentenceWords | None = None,
) -> Counter[str]:
    """How often each word that could be a keyword occurs (credits and datelines removed).

    Keywords are nouns, names and foreign words by jieba's tags; a verb counts only when
    the title uses it too (罷工 "strike" and 選舉 "election" are verbs to jieba).

    jieba cuts names it does not know into pieces (穆爾科門 -> 穆尔 科门, 十五運會 -> 十五
    运会); two pieces, one unknown to its dictionary, that nearly always occur side by side
    and at least twice are counted as one word.
    """
    text = _CREDIT.sub(" ", text)
    sentences = [s for p in _PARAGRAPH_BREAK.split(text) for s in split_sentences(p, lang)]
    known = sentence_words or SentenceWords()
    known.add(sentences)
    word_lists = [known.words(s) for s in sentences]
    tokens = Counter(itertools.chain.from_iterable(word_lists))
    words = itertools.chain.from_iterable(word_lists)
    tags = itertools.chain.from_iterable(map(known.tags, sentences))
    nominal = set(title_words)
    nominal.update(itertools.compress(words, map(_NOMINAL_TAGS.__getitem__, tags)))
    # Pairs in order of first occurrence, so that ties in `most_common` stay in text order.
    adjacent = Counter(itertools.chain.from_iterable(map(itertools.pairwise, word_lists)))
    pairs = _split_names(adjacent)
    for (first, second), together in pairs.most_common():
        alone = max(tokens[first], tokens[second])
        if together >= _TOGETHER * alone and min(tokens[first], tokens[second]) >= together:
            tokens[first] -= together
            tokens[second] -= together
            tokens[first + second] += together
            nominal.add(first + second)
    keywords = filter(_is_keyword, nominal)
    counts = Counter({w: n for w in keywords if (n := tokens.get(w, 0)) > 0})
    if lang == "en":
        counts.update(_names(text))
    return counts


def _split_names(adjacent: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """The adjacent pairs that could be one name jieba cut in two: side by side at least
    twice, Han characters only, six at most together, one of the two unknown to its
    dictionary. Most pairs occur once, so only the words of the others are looked at."""
    frequent = [(pair, n) for pair, n in adjacent.items() if n >= 2]
    words = set(itertools.chain.from_iterable(pair for pair, _ in frequent))
    han = set(filter(_HAN_WORD.fullmatch, words))
    unknown = set(itertools.filterfalse(in_dictionary, han))
    return Counter(
        {
            (first, second): n
            for (first, second), n in frequent
            if (first in unknown or second in unknown)
            and first in han
            and second in han
            and len(first) + len(second) <= 6
        }
    )


class _NominalTags(dict[str, bool]):
    """Is a word with this jieba tag a noun, a name or a foreign word? Few tags, many
    words: each tag is tested once, then looked up (a plain dict lookup is the cheapest
    test per word)."""

    def __missing__(self, tag: str) -> bool:
        self[tag] = nominal = tag.startswith(_NOMINAL)
        return nominal


_NOMINAL_TAGS = _NominalTags()


def _glued(word: str) -> bool:
    """A word jieba's dictionary lacks that starts or ends with a function character is a
    fragment the HMM glued together (升約 from 升約0.5%, 日及 from 40日及罰款)."""
    return (word[0] in _GLUE or word[-1] in _GLUE) and not in_dictionary(word)


@lru_cache(maxsize=65536)
def _is_keyword(word: str) -> bool:
    if word in stop_words() or word in noise_words():
        return False
    if _DIGIT.search(word):
        # G7, F-16 and MH370 are names; 2026, 30日 and 5万 are numbers and dates.
        return bool(_LATIN.search(word)) and sum(c.isdigit() for c in word) <= 3
    if _CJK.search(word):
        return len(word) >= 2 and not _glued(word)
    return len(word) >= 2 if word.isascii() else False


def _names(text: str) -> list[str]:
    """Folded multi-word capitalised phrases of English text."""
    names = []
    for match in _NAME.finditer(text):
        phrase = " ".join(match.group().split()).strip(".")
        tokens = fold(phrase).split()
        while tokens and tokens[0] in stop_words():
            tokens.pop(0)
        if len(tokens) >= 2:
            names.append(" ".join(tokens))
    return names


@cache
def idf_table() -> IdfTable:
    """The shipped table (one read per process)."""
    raw = resources.files("summariser").joinpath(IDF_RESOURCE).read_text(encoding="utf-8")
    return parse_idf_table(raw)


def parse_idf_table(raw: str) -> IdfTable:
    """Read `# documents N min_df M` then `word<TAB>df` lines."""
    lines = raw.splitlines()
    header = dict(zip(*[iter(lines[0].lstrip("# ").split())] * 2, strict=True))
    frequencies = {}
    for line in lines[1:]:
        word, _, df = line.rpartition("\t")
        if word:
            frequencies[word] = int(df)
    return IdfTable(int(header["documents"]), int(header["min_df"]), frequencies)


def format_idf_table(table: IdfTable) -> str:
    """Inverse of `parse_idf_table`, most frequent words first (stable output for git)."""
    rows = sorted(table.frequencies.items(), key=lambda item: (-item[1], item[0]))
    body = "".join(f"{word}\t{df}\n" for word, df in rows)
    return f"# documents {table.documents} min_df {table.min_df}\n{body}"
