"""Ranked full-text search over articles, in either Chinese script or English, with snippets.

Ranking is bm25 with the headline weighted `TITLE_WEIGHT` times the body, scaled up by at most
`RECENCY_BOOST` for today's articles, fading over `RECENCY_DAYS`: among similar matches
the newer comes first, but a much better match still wins.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import accumulate

from sqlite_utils import Database

from storage import fts
from storage.db import to_db_time, utc_now
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from summariser.fold import fold

TITLE_WEIGHT = 8.0
BODY_WEIGHT = 1.0
RECENCY_BOOST = 0.5
RECENCY_DAYS = 7.0
SNIPPET_CHARS = 80
SNIPPET_LEAD = 20  # characters shown before the match
ELLIPSIS = "…"


@dataclass(frozen=True)
class SearchHit:
    article: StoredArticle
    score: float  # higher is better
    snippet: str  # from the original text, around the first match


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: tuple[SearchHit, ...]
    total: int  # matches in all pages
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def search(
    db: Database,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    since: datetime | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> SearchPage:
    """One page of the articles matching every term of `query`, best first.

    Any text is a valid query: FTS5 syntax in it is searched for as text, and a query with
    no letters or digits finds nothing.
    """
    expression = fts.match_expression(query)
    if expression is None:
        return SearchPage(query, (), 0, offset, limit)
    filters = ""
    params: dict[str, object] = {
        "match": expression,
        "title_weight": TITLE_WEIGHT,
        "body_weight": BODY_WEIGHT,
        "boost": RECENCY_BOOST,
        "days": RECENCY_DAYS,
        "now": to_db_time(now or utc_now()),
        "limit": limit,
        "offset": offset,
    }
    if since is not None:
        filters += " AND a.published >= :since"
        params["since"] = to_db_time(since)
    if source is not None:
        filters += " AND a.source = :source"
        params["source"] = source
    # bm25 cannot be used beside a window function, so the matches are scored first. bm25
    # is negative, lower is better; the recency factor makes recent matches more negative.
    # Only the page's rows are read in full: sorting thousands of texts is what costs.
    matches = (
        "WITH m AS MATERIALIZED (SELECT rowid, bm25(articles_fts, :title_weight, :body_weight) "
        "AS relevance FROM articles_fts WHERE articles_fts MATCH :match) "
    )
    joined = f"FROM m JOIN articles a ON a.seq = m.rowid WHERE 1{filters}"
    rows = list(
        db.query(
            f"{matches}, page AS (SELECT a.seq, a.published, count(*) OVER () AS total, "
            "m.relevance * (1.0 + :boost / (1.0 + max(0.0, julianday(:now) - "
            "julianday(a.published)) / :days)) AS rank "
            f"{joined} ORDER BY rank, a.published DESC LIMIT :limit OFFSET :offset) "
            f"SELECT {ARTICLE_COLUMNS}, page.total, page.rank "
            "FROM page JOIN articles a ON a.seq = page.seq "
            "ORDER BY page.rank, page.published DESC",
            params,
        )
    )
    if rows:
        total = rows[0]["total"]
    else:  # a page past the end still reports how many there are
        total = db.execute(f"{matches} SELECT count(*) {joined}", params).fetchone()[0]
    targets = fts.query_words(query)
    hits = []
    for row in rows:
        article = stored_article(row)
        hits.append(SearchHit(article, -row["rank"], snippet(article.text, targets)))
    return SearchPage(query, tuple(hits), total, offset, limit)


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    return fold(char)


def _first_match(text: str, words: list[str]) -> tuple[int, int] | None:
    """Start and end in `text` of the earliest of `words`, compared folded.

    Folding can change a string's length (NFKC: … -> ...), so the text is folded one
    character at a time, and a match in the folded text is mapped back to the original
    characters, which are what people read.
    """
    pieces = list(map(_fold_char, text))
    folded = "".join(pieces)
    ends = list(accumulate(map(len, pieces)))  # folded length up to each character
    targets = ["".join(map(_fold_char, word)) for word in words]
    found = [(at, len(t)) for t in targets if t and (at := folded.find(t)) >= 0]
    if not found:
        return None
    at, length = min(found)
    return bisect_right(ends, at), bisect_right(ends, at + length - 1) + 1


_WORD_CHAR = re.compile(r"[A-Za-z0-9]")


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` on one line, around the first of `words`."""
    line = " ".join(text.split())
    span = _first_match(line, words)
    start = 0 if span is None else max(0, span[0] - SNIPPET_LEAD)
    end = min(len(line), start + width)
    start = max(0, end - width)
    if span is not None:
        start, end = _word_bounds(line, start, end, span)
    return (
        (ELLIPSIS if start else "")
        + line[start:end].strip()
        + (ELLIPSIS if end < len(line) else "")
    )


def _word_bounds(line: str, start: int, end: int, span: tuple[int, int]) -> tuple[int, int]:
    """Move the cuts off the middle of Latin words, never past the match itself."""

    def inside_word(at: int) -> bool:
        return 0 < at < len(line) and bool(
            _WORD_CHAR.match(line[at - 1]) and _WORD_CHAR.match(line[at])
        )

    if inside_word(start):
        space = line.find(" ", start, span[0])
        start = space + 1 if space >= 0 else start
    if inside_word(end):
        space = line.rfind(" ", span[1], end)
        end = space if space >= 0 else end
    return start, end
