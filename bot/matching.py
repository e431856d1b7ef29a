"""Does an article match a subscription term or a mute?

A term matches when it equals one of the article's folded tags, keywords or its source, or
when it occurs in the folded title or text: Latin words only as whole words ("ai" is not in
"said"), Chinese, Japanese and Korean anywhere (台積電 is in 台積電股價). Everything is
compared folded, so 台積電 and 台积电, "AI" and "ａｉ" are one term.

Alerts check every chat's terms against each new batch of articles, so `TermIndex` folds
the batch once and answers each distinct term once, from an index of words and CJK bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import add

from bot.exceptions import TermError
from summariser.article import Article
from summariser.fold import fold, fold_term

MAX_TERM_LENGTH = 40

# Letters that make up a word in space-separated scripts (after folding, so lower case),
# and the scripts written without spaces, where any substring is a match.
_WORD_RANGES = (("0", "9"), ("a", "z"), ("\u00c0", "\u024f"), ("\u0370", "\u04ff"))
_WORD = "".join(f"{low}-{high}" for low, high in _WORD_RANGES)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ebef"
_TOKENS = re.compile(f"[{_WORD}]+|[{_CJK}]+")
_WORDS = re.compile(f"[{_WORD}]+")
_CJK_RUNS = re.compile(f"[{_CJK}]+")

_SEPARATORS = re.compile(r"[,，、;；\n]+")
_QUOTES = "\"'`“”‘’「」『』《》〈〉"


def split_terms(text: str) -> list[str]:
    """The terms of a command argument: "台積電, AI；climate change" -> three terms."""
    return [part for part in _SEPARATORS.split(text) if part.strip()]


def clean_term(raw: str) -> str:
    """What the user meant to type: no control or direction marks, quotes or leading '#'."""
    visible = "".join(
        " " if char.isspace() else char
        for char in raw
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")
    )
    return " ".join(visible.split()).strip(_QUOTES).lstrip("#＃").strip(_QUOTES + " ")


def normalise_term(raw: str) -> str:
    """The folded form a term is stored and matched as; `TermError` if it cannot be one."""
    folded = fold_term(clean_term(raw))
    if not folded:
        raise TermError(raw, "term.empty")
    if len(folded) > MAX_TERM_LENGTH:
        raise TermError(raw, "term.too_long")
    return folded


def parse_terms(text: str) -> tuple[list[tuple[str, str]], list[TermError]]:
    """(folded, display) pairs of a command argument, each once, and the terms refused."""
    terms: dict[str, str] = {}
    errors = []
    for raw in split_terms(text):
        try:
            terms.setdefault(normalise_term(raw), clean_term(raw))
        except TermError as error:
            errors.append(error)
    return list(terms.items()), errors


@dataclass(frozen=True)
class FoldedArticle:
    """An article folded once, to be checked against many terms."""

    id: str
    labels: frozenset[str]  # folded tags, keywords and source name
    text: str  # folded title, a line break, folded text; white space collapsed


def fold_article(article: Article) -> FoldedArticle:
    labels = frozenset(map(fold_term, (*article.tags, *article.keywords, article.source)))
    title, text = (" ".join(fold(part).split()) for part in (article.title, article.text))
    return FoldedArticle(article.id, labels, f"{title}\n{text}")


def _word_char(char: str) -> bool:
    return any(low <= char <= high for low, high in _WORD_RANGES)


def _finder(term: str) -> Callable[[str], bool]:
    """A test for `term` in a text; where it starts or ends with a Latin letter, it must
    be a whole word there.

    A find loop rather than a regex: compiling one per term costs more, for thousands of
    distinct terms, than all the searching.
    """
    open_start, open_end = _word_char(term[0]), _word_char(term[-1])
    if not (open_start or open_end):
        return lambda text: term in text

    def occurs(text: str) -> bool:
        at = text.find(term)
        while at >= 0:
            end = at + len(term)
            if not (open_start and at > 0 and _word_char(text[at - 1])) and not (
                open_end and end < len(text) and _word_char(text[end])
            ):
                return True
            at = text.find(term, at + 1)
        return False

    return occurs


def _folded(article: Article | FoldedArticle) -> FoldedArticle:
    return article if isinstance(article, FoldedArticle) else fold_article(article)


def matches(article: Article | FoldedArticle, folded_term: str) -> bool:
    """True if the (folded) term is one of the article's labels or occurs in its text."""
    folded = _folded(article)
    return folded_term in folded.labels or _finder(folded_term)(folded.text)


def matching_terms(article: Article | FoldedArticle, terms: Iterable[str]) -> list[str]:
    """The terms (folded) that the article matches, in the order given."""
    folded = _folded(article)
    return [term for term in terms if matches(folded, term)]


def is_muted(article: Article | FoldedArticle, mutes: Iterable[str]) -> bool:
    folded = _folded(article)
    return any(matches(folded, mute) for mute in mutes)


def _keys(text: str) -> set[str]:
    """Index keys of folded text: whole Latin words and CJK bigrams."""
    keys = set(_WORDS.findall(text))
    for run in _CJK_RUNS.findall(text):
        keys.update(map(add, run, run[1:]))  # each character and the next
    return keys


def _term_keys(term: str) -> list[str]:
    """The keys every article containing `term` has (a lone CJK character gives none)."""
    return [key for token in _TOKENS.findall(term) for key in _keys(token)]


class TermIndex:
    """Which articles of a batch each term matches; each distinct term is worked out once.

    The same answers as `matches`, but a term costs a few set intersections plus a search
    of the few articles that contain all its words or bigrams, not a scan of every text.
    """

    def __init__(self, articles: Iterable[Article | FoldedArticle]) -> None:
        self.articles = {a.id: a for a in map(_folded, articles)}
        self._labels: defaultdict[str, set[str]] = defaultdict(set)
        for article in self.articles.values():
            for label in article.labels:
                self._labels[label].add(article.id)
        self._keys = [(article.id, _keys(article.text)) for article in self.articles.values()]
        self._postings: dict[str, set[str]] = {}
        self._answers: dict[str, frozenset[str]] = {}

    def _posting(self, key: str) -> set[str]:
        """Ids of the articles with index key `key`, found the first time a term needs it:
        a digest's few hundred articles have a hundred thousand keys, its terms need a few
        hundred of them."""
        found = self._postings.get(key)
        if found is None:
            found = self._postings[key] = {i for i, keys in self._keys if key in keys}
        return found

    def ids_for(self, folded_term: str) -> frozenset[str]:
        """Ids of the articles that `folded_term` matches."""
        answer = self._answers.get(folded_term)
        if answer is None:
            answer = self._answers[folded_term] = self._work_out(folded_term)
        return answer

    def _work_out(self, term: str) -> frozenset[str]:
        keys = _term_keys(term)
        if keys == [term]:  # one Latin word or two CJK characters: the index is exact
            found = self._posting(term)
        else:
            postings = sorted(map(self._posting, keys), key=len)
            candidates = set.intersection(*postings) if postings else set(self.articles)
            occurs = _finder(term)
            found = {i for i in candidates if occurs(self.articles[i].text)}
        return frozenset(found | self._labels.get(term, set()))

    def matches_for(self, terms: Sequence[str], mutes: Iterable[str] = ()) -> dict[str, list[str]]:
        """Article id -> the `terms` it matches, for articles that no mute matches."""
        muted = set().union(*(self.ids_for(mute) for mute in mutes))
        found: dict[str, list[str]] = {}
        for term in terms:
            for article_id in self.ids_for(term) - muted:
                found.setdefault(article_id, []).append(term)
        return found
