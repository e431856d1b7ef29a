"""Extractive summaries: a few whole sentences of the article, in their original order.

Sentences are rated on a slim copy of sumy's document model (sentences from
`split_sentences`, words from `SentenceWords`, the title as the heading) by a blend
measured on the shared corpus (bench/rouge.py): how much of the title the sentence repeats,
as folded character bigrams and as words (sumy's Edmundson title method), where it stands
(sumy's Edmundson location method: first paragraph, first sentence of a paragraph) and how
many of its words recur elsewhere in the article. Sentences are taken greedily, best first,
while they fit the sentence count and the character budget, skipping near-duplicates; after
each pick the title bigrams it covered stop counting, so the next pick adds what the
summary lacks.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sumy.summarizers.edmundson_location import EdmundsonLocationMethod
from sumy.summarizers.edmundson_title import EdmundsonTitleMethod

from summariser.sentences import split_sentences
from summariser.tokenize import SentenceWords, stop_words

DEFAULT_MAX_CHARS = {"zh": 200, "en": 600}
ELLIPSIS = "…"

# Rating blend; coverage of the title's bigrams not yet in the summary counts 1
# (weights chosen on the shared corpus with bench/rouge.py).
_TITLE_WORDS = 0.2
_LOCATION = 0.2
_RECURRENCE = 0.1
# A sentence whose character bigrams are this much in another says nothing new: the same
# sentence reworded, or a short restatement of part of a longer one.
_NEAR_DUPLICATE = 0.6
# Shorter sentences are fragments such as "（完）" or a lone caption.
_MIN_CHARS = {"zh": 8, "en": 20}

_PAIRS = {"「": "」", "『": "』", "“": "”", "（": "）", "《": "》", "【": "】", "〈": "〉"}
_OPENER_OF = {close: open_ for open_, close in _PAIRS.items()}
# Half-width brackets pair with full-width ones: writers mix them, readers do not mind.
_WIDTH = {"(": "（", ")": "）"}
_KIND = {mark: _WIDTH.get(mark, mark) for mark in [*_PAIRS, *_OPENER_OF, *_WIDTH]}
_MARK_SPLIT = re.compile("([" + re.escape("".join(_KIND)) + "])")
_NOT_TEXT = re.compile(r"[\W_]+")
_TEXT = re.compile(r"[^\W_]")
# A dateline the cleaner should already have removed: （中央社記者某某台北1日電）,
# 【共同社東京11月1日電】, （德國之聲中文網）, 吉隆坡報導——, 2025-11-03 10:13, or
# "WASHINGTON (Reuters) -".
_DATELINE = re.compile(
    r"""^\s*(?:
        [（(【\[]\s*[^（）()【】\[\]]{0,40}?(?:電|电|網|网|報導|报道|訊|讯)\s*[）)】\]]
      | [^\s，。,]{1,12}(?:報導|报道)\s*[—－-]{1,2}
      | \d{4}-\d{1,2}-\d{1,2}(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?
      | [A-Z]{3,}[A-Z.'\- ]{0,40}(?:,[^()\-—–]{1,30})?\s*(?:\([^)]{1,30}\))?\s*[—–-]\s
    )\s*""",
    re.VERBOSE,
)
_CLAUSE_END = {"zh": re.compile(r"[，、；：,;:]"), "en": re.compile(r"[,;:]\s|\s[—–-]\s")}


@dataclass(slots=True)
class _Candidate:
    """A sentence that may be chosen; `rating` is before title bigram coverage."""

    order: int
    text: str
    grams: frozenset[int]
    rating: float


def summarise(
    paragraphs: Sequence[str],
    title: str,
    lang: str,
    *,
    max_sentences: int = 3,
    max_chars: int | None = None,
    sentence_words: SentenceWords | None = None,
) -> tuple[str, ...]:
    """Up to `max_sentences` sentences of the article, in article order, within `max_chars`.

    `max_chars` counts the characters of the chosen sentences (default 200 for Chinese,
    600 for English). Only when the best sentence alone is longer than the budget is it
    cut, at a clause boundary where possible, and returned alone, ending in "…".
    Sentences keep their original script; their quotes and brackets are balanced.
    `sentence_words` shares folded and segmented sentences with the keywords.
    """
    family = "en" if lang == "en" else "zh"
    budget = max_chars if max_chars is not None else DEFAULT_MAX_CHARS[family]
    paragraph_sentences = _sentences(paragraphs, lang)
    if max_sentences < 1 or budget < 1 or not paragraph_sentences:
        return ()
    texts = [s for p in paragraph_sentences for s in p]
    known = sentence_words or SentenceWords()
    known.add([title, title.strip(), *texts])
    document = _document(paragraph_sentences, title, known)
    *grams, title_grams = _bigrams([*map(known.folded, texts), known.folded(title)])
    ratings = _ratings(document, texts)
    candidates = [
        _Candidate(order, *sentence)
        for order, sentence in enumerate(zip(texts, grams, ratings, strict=True))
    ]
    pool = [c for c in candidates if len(c.text) >= _MIN_CHARS[family]] or candidates
    chosen: list[_Candidate] = []
    used = 0
    while len(chosen) < max_sentences:
        if chosen:  # the budget only shrinks: what does not fit now never will
            last, room = chosen[-1].grams, budget - used
            pool = [
                c
                for c in pool
                if len(c.text) <= room and _containment(c.grams, last) < _NEAR_DUPLICATE
            ]
        if not pool:
            break
        # Title bigrams already in the summary count no more: the next sentence should add.
        uncovered = title_grams.difference(*(c.grams for c in chosen))
        # `max` keeps the first of equals, so ties go to the earliest sentence (pool order).
        best = max(
            pool, key=lambda c: len(c.grams & uncovered) / (len(title_grams) or 1) + c.rating
        )
        if len(best.text) > budget:
            return (_shorten(best.text, budget, family),)
        chosen.append(best)
        used += len(best.text)
    return tuple(c.text for c in sorted(chosen, key=lambda c: c.order))


def _sentences(paragraphs: Sequence[str], lang: str) -> list[list[str]]:
    """Balanced sentences per paragraph, without a leading dateline, empty paragraphs dropped."""
    out = []
    for paragraph in paragraphs:
        if not out:
            paragraph = _DATELINE.sub("", paragraph, count=1)
        sentences = [b for s in split_sentences(paragraph, lang) if (b := _balance(s))]
        if sentences:
            out.append(sentences)
    return out


class _Sentence:
    """A sentence as sumy's Edmundson methods read it: its folded words, heading or not.

    sumy's `Sentence` runs a cached property for every read of `words` and a Python
    `__hash__` for every rating it stores; this one has plain attributes and hashes by
    identity (equal sentences are matched by text in `_in_order` instead).
    """

    __slots__ = ("is_heading", "words")

    def __init__(self, words: tuple[str, ...], *, is_heading: bool = False) -> None:
        self.words = words
        self.is_heading = is_heading


class _Paragraph:
    """sumy's `Paragraph`, read-only: its headings and its other sentences, in order."""

    __slots__ = ("headings", "sentences")

    def __init__(self, sentences: list[_Sentence]) -> None:
        self.sentences = tuple(sentences)
        self.headings: tuple[_Sentence, ...] = ()  # the title, in the first paragraph


class _Document:
    """sumy's `ObjectDocumentModel`, read-only: paragraphs, all sentences, all headings."""

    __slots__ = ("headings", "paragraphs", "sentences")

    def __init__(self, paragraphs: list[_Paragraph]) -> None:
        self.paragraphs = tuple(paragraphs)
        self.sentences = tuple(s for p in paragraphs for s in p.sentences)
        self.headings = tuple(h for p in paragraphs for h in p.headings)


def _document(paragraph_sentences: list[list[str]], title: str, known: SentenceWords) -> _Document:
    """sumy's document, the title as a heading in the first paragraph."""
    words = known.words
    paragraphs = [_Paragraph([_Sentence(words(s)) for s in p]) for p in paragraph_sentences]
    if title.strip():
        heading = _Sentence(words(title.strip()), is_heading=True)
        paragraphs[0].headings = (heading,)
    return _Document(paragraphs)


class _FoldedWords:
    """For sumy's Edmundson methods: our words are folded (NFKC, Simplified, case-folded)
    already, so there is nothing left to stem or lower-case, and a sentence's rating (how
    many of its words are significant) can be counted without a call per word."""

    @staticmethod
    def stem_word(word: str) -> str:
        return word

    @staticmethod
    def _rate_sentence(sentence: _Sentence, significant_words: frozenset[str]) -> int:
        return sum(map(significant_words.__contains__, sentence.words))


class _TitleMethod(_FoldedWords, EdmundsonTitleMethod):
    pass


class _LocationMethod(_FoldedWords, EdmundsonLocationMethod):
    @staticmethod
    def _rate_sentence(sentence: _Sentence, significant_words: frozenset[str]) -> int:
        return 0  # heading words weigh nothing here (w_h=0 in `_ratings`): no need to count


def _ratings(document: _Document, texts: list[str]) -> list[float]:
    """Rating of each sentence, in order, before title bigram coverage."""
    stop = stop_words()
    title_rating = _TitleMethod(str, stop).rate_sentences(document)
    location_rating = _LocationMethod(str, stop).rate_sentences(
        document, w_h=0, w_p1=1, w_p2=0, w_s1=1, w_s2=0
    )
    sentences = document.sentences
    titles, locations = _in_order(title_rating, texts), _in_order(location_rating, texts)
    recurrence = _recurrence(sentences, stop)
    top_title = max(titles, default=0) or 1
    top_location = max(locations, default=0) or 1
    top_recurrence = max(recurrence, default=0) or 1
    return [
        _TITLE_WORDS * title / top_title
        + _LOCATION * location / top_location
        + _RECURRENCE * r / top_recurrence
        for title, location, r in zip(titles, locations, recurrence, strict=True)
    ]


def _in_order(ratings: dict[_Sentence, float], texts: list[str]) -> list[float]:
    """sumy's ratings of the sentences (in document order, as sumy rates them), each
    sentence with the rating of the last one of the same text: sumy's own `Sentence` is
    a dictionary key by its text, so that is what its ratings were."""
    values = list(ratings.values())
    if len(set(texts)) == len(texts):
        return values
    last = dict(zip(texts, values, strict=True))
    return [last[text] for text in texts]


def _recurrence(sentences: Sequence[_Sentence], stop: frozenset[str]) -> list[float]:
    """How much of a sentence's vocabulary other sentences share: a cheap centrality."""
    words = [s.words for s in sentences]
    vocabulary = set(itertools.chain.from_iterable(words)).difference(stop)
    telling = {w for w in vocabulary if len(w) > 1}
    vocabularies = [telling.intersection(w) for w in words]
    spread = Counter(itertools.chain.from_iterable(vocabularies))
    return [(sum(map(spread.__getitem__, v)) - len(v)) / (len(v) + 3) for v in vocabularies]


def _bigrams(folded_texts: Sequence[str]) -> list[frozenset[int]]:
    """Character bigrams of each folded text, without punctuation or spaces, each bigram an
    integer (its two code points side by side).

    All texts are paired up in one pass over an array of code points (numpy): made one
    two-character string at a time, the bigrams of every sentence cost a few percent of
    building an article. Sets of integers are also quicker to intersect.
    """
    letters = [_NOT_TEXT.sub("", text) for text in folded_texts]
    codes = np.frombuffer("".join(letters).encode("utf-32-le"), dtype=np.uint32)
    wide = codes.astype(np.uint64)
    pairs = ((wide[:-1] << 21) | wide[1:]).tolist()  # pairs[i]: letters i and i + 1
    out, start = [], 0
    for text in letters:
        end = start + len(text)
        out.append(frozenset(pairs[start : end - 1]))  # not the pair across two texts
        start = end
    return out


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set of bigrams found in the other (1 for a sentence and
    itself, even without any)."""
    if not (a and b):
        return float(a == b)
    return len(a & b) / min(len(a), len(b))


def _balance(sentence: str) -> str:
    """The sentence with every quote and bracket paired ("" when nothing is left).

    A sentence cut out of a longer quote lacks its 「 or its 」: the missing mark is added
    at the start or the end; a pair left open inside another is closed where the outer
    one closes; a stray closing mark inside a pair is dropped. An odd number of straight
    double quotes cannot be repaired reliably, so such a sentence is dropped.
    """
    # Marks are not text: whatever the repair adds or drops, the text stays the same.
    if sentence.count('"') % 2 or not _TEXT.search(sentence):
        return ""
    pieces = _MARK_SPLIT.split(sentence)  # text, mark, text, …, mark, text
    if len(pieces) == 1:
        return sentence
    out = [pieces[0]]
    stack: list[str] = []  # open marks, as written
    kinds: list[str] = []  # their kinds: ( is a （
    missing: list[str] = []
    for at in range(1, len(pieces), 2):
        ch = pieces[at]
        kind = _KIND[ch]
        if kind in _PAIRS:
            stack.append(ch)
            kinds.append(kind)
            out.append(ch)
        elif (wanted := _OPENER_OF[kind]) in kinds:
            while kinds[-1] != wanted:
                out.append(_closer(stack.pop()))
                kinds.pop()
            stack.pop()
            kinds.pop()
            out.append(ch)
        elif not stack:
            missing.append("(" if ch == ")" else wanted)
            out.append(ch)
        out.append(pieces[at + 1])
    out.extend(_closer(o) for o in reversed(stack))
    return "".join(reversed(missing)) + "".join(out)


def _closer(opener: str) -> str:
    return ")" if opener == "(" else _PAIRS[opener]


def _shorten(sentence: str, budget: int, family: str) -> str:
    """Cut an overlong sentence to `budget` characters, ellipsis and repaired marks included."""
    limit = budget - 1
    while limit > 0:
        head = sentence[:limit]
        clauses = [m.start() for m in _CLAUSE_END[family].finditer(head)]
        if clauses and clauses[-1] >= limit * 0.4:
            head = head[: clauses[-1]]
        elif family == "en" and " " in head:
            head = head.rsplit(" ", 1)[0]
        head = head.rstrip(" ，、；：,;:—–-")
        shortened = _balance(head + ELLIPSIS)
        if shortened and len(shortened) <= budget:
            return shortened
        limit -= 1
    return ELLIPSIS
