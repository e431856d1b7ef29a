"""Ranked full-text search over articles, in either Chinese script or English, with snippets.

Ranking is bm25 with the headline weighted `TITLE_WEIGHT` times the body, scaled up by at most
`RECENCY_BOOST` for today's articles, fading over `RECENCY_DAYS`: among similar matches
the newer comes first, but a much better match still wins.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
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
# From PRUNE_FROM matches, a page is first made from the matches of the last FIRST_REACH;
# if some older match could still rank on it (see `_horizon`), again from as far back as
# needed. Fewer matches are all scored at once: that costs less than two passes.
PRUNE_FROM = 3000
FIRST_REACH = timedelta(days=2)
MAX_REACH_DAYS = 36_525.0  # further back than this, every match is scored
BM25_K1 = 1.2  # FTS5's bm25 parameters (fts5_aux.c)
BM25_MIN_IDF = 1e-6


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
    moment = now or utc_now()
    filters = ""
    params: dict[str, object] = {
        "match": expression,
        "title_weight": TITLE_WEIGHT,
        "body_weight": BODY_WEIGHT,
        "boost": RECENCY_BOOST,
        "days": RECENCY_DAYS,
        "now": to_db_time(moment),
        "limit": limit,
        "offset": offset,
    }
    if since is not None:
        filters += " AND a.published >= :since"
        params["since"] = to_db_time(since)
    if source is not None:
        filters += " AND a.source = :source"
        params["source"] = source
    total = _count(db, params, filters)
    if total == 0:
        return SearchPage(query, (), 0, offset, limit)
    rows = _rows(db, params, filters, query, total >= PRUNE_FROM, moment)
    targets = fts.query_words(query)
    hits = []
    for row in rows:
        article = stored_article(row)
        hits.append(SearchHit(article, -row["rank"], snippet(article.text, targets)))
    return SearchPage(query, tuple(hits), total, offset, limit)


def _rows(
    db: Database,
    params: dict[str, object],
    filters: str,
    query: str,
    prune: bool,
    now: datetime,
) -> list[dict]:
    """The page's rows; with `prune`, only the matches that could be on it are scored."""
    if not prune:
        return _page(db, params, filters, None)
    first = now - FIRST_REACH
    rows = _page(db, params, filters, first)
    if not rows or len(rows) < params["limit"]:  # too few recent matches: any age may rank
        return _page(db, params, filters, None)
    horizon = _horizon(now, rows[-1]["rank"], _score_bound(db, query))
    if horizon is not None and horizon >= first:
        return rows
    return _page(db, params, filters, horizon)


def _count(db: Database, params: dict[str, object], filters: str) -> int:
    """How many articles match. Each index row is an article's (they are written together),
    so without filters the index alone answers."""
    if filters:
        sql = (
            "SELECT count(*) FROM articles_fts m JOIN articles a ON a.seq = m.rowid "
            f"WHERE articles_fts MATCH :match{filters}"
        )
    else:
        sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :match"
    return db.execute(sql, params).fetchone()[0]


# bm25 is negative, lower is better; the recency factor makes recent matches more negative.
# bm25 cannot be used beside a window function, so the matches are scored first. With a
# horizon, only matches published since it are scored: `+rowid` keeps FTS5 from being
# handed the list (it would look each one up alone, hundreds of times slower).
# Only the page's rows are read in full: sorting thousands of texts is what costs.
_PAGE = """
WITH m AS MATERIALIZED (
    SELECT rowid, bm25(articles_fts, :title_weight, :body_weight) AS relevance
    FROM articles_fts WHERE articles_fts MATCH :match{recent}
),
page AS (
    SELECT a.seq, a.published, m.relevance * (1.0 + :boost / (1.0 + max(0.0,
        julianday(:now) - julianday(a.published)) / :days)) AS rank
    FROM m JOIN articles a ON a.seq = m.rowid WHERE 1{filters}
    ORDER BY rank, a.published DESC LIMIT :limit OFFSET :offset
)
SELECT {columns}, page.rank FROM page JOIN articles a ON a.seq = page.seq
ORDER BY page.rank, page.published DESC
"""
_RECENT = " AND +rowid IN (SELECT seq FROM articles WHERE published >= :horizon)"


def _page(
    db: Database, params: dict[str, object], filters: str, horizon: datetime | None
) -> list[dict]:
    """The page's rows, ranking only the matches published since `horizon` (if given)."""
    recent = "" if horizon is None else _RECENT
    sql = _PAGE.format(recent=recent, filters=filters, columns=ARTICLE_COLUMNS)
    if horizon is not None:
        params = {**params, "horizon": to_db_time(horizon)}
    return list(db.query(sql, params))


def _score_bound(db: Database, query: str) -> float:
    """More than any match of `query` scores (bm25, negated): FTS5 adds, per phrase, its
    idf times a share of term frequency that stays under k1 + 1, however often it occurs.

    The idf is worked out as FTS5 does, from how many rows the index has (at most the
    highest seq) and how many have the phrase; a count is cheap next to scoring.
    """
    indexed = db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
    idf = 0.0
    for phrase in filter(None, map(fts.term_expression, fts.query_terms(query))):
        sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
        hits = db.execute(sql, [phrase]).fetchone()[0]
        idf += max(math.log((indexed - hits + 0.5) / (hits + 0.5)), BM25_MIN_IDF)
    return idf * (BM25_K1 + 1.0) * (1.0 + 1e-9)  # the margin covers rounding


def _horizon(now: datetime, bar: float, bound: float) -> datetime | None:
    """The oldest publication time at which a match can still rank as well as `bar`.

    Ranking multiplies the score by 1 + RECENCY_BOOST / (1 + age / RECENCY_DAYS), which
    falls with age, and no score reaches `bound`: a match older than this cannot rank with
    `bar`, so it need not be scored at all. A common word's page then comes from the last
    few days' matches, not all of them. None when matches of any age might.
    """
    factor = -bar / bound  # what a match would need to be multiplied by at least
    if factor <= 1.0:
        return None
    days = RECENCY_DAYS * (RECENCY_BOOST / (factor - 1.0) - 1.0)
    return now - timedelta(days=max(days, 0.0)) if days < MAX_REACH_DAYS else None


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
