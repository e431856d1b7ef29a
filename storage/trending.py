"""Trending tags, kept up to date as articles arrive and the window moves on.

`storage.articles.trending_tags` counts stories over every tag of the window's articles:
tens of milliseconds once a day holds thousands of articles. `TrendingCache` counts once,
then keeps the count of stories per tag and brings it up to date with what changed:

- nothing written (the connection's change marks: `PRAGMA data_version`, which moves when
  another connection commits, and `total_changes`, this connection's own writes) and the
  same window start (rounded down to the minute): the remembered answer, no query at all;
- new articles: only they are read (`seq` above the highest counted: an article is inserted
  with max(seq) + 1 under the write lock, so a lower one never commits later, and with its
  tags); a (tag, story) pair they carry counts if no article already counted carries it;
- the window starts later: the articles that left it are read; a pair they carried stops
  counting unless an article still in the window carries it;
- any article or tag updated or deleted (the `article_edits` counter, bumped by triggers:
  see `storage.migrations._v5`; `save_articles` replaces an edited article's tags, and no
  writer adds tags to an article stored earlier), the window starting earlier, or more to
  add and expire than a fresh count would read: counted afresh.

Whether a pair is still carried is asked of SQLite (through the story index: a story has a
handful of articles), so all the cache holds is a count per tag. Every refresh reads from
one snapshot, so the edit counter, the highest `seq` and the rows agree with each other.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage import articles
from storage.db import to_db_time

ChangeMark = tuple[int, int]

# Adding or expiring an article costs about this many times what it costs in a full count
# (each of its tags asks whether the story is carried by another article).
INCREMENTAL_COST = 3

_POSITION = "SELECT (SELECT edits FROM article_edits), (SELECT coalesce(max(seq), 0) FROM articles)"
_WINDOW = "SELECT count(*) FROM articles INDEXED BY articles_recent WHERE published >= :start"
# Counted articles leaving the window (published in [old, start)), new ones entering it.
_MOVES = (
    "SELECT (SELECT count(*) FROM articles INDEXED BY articles_recent "
    "WHERE published >= :old AND published < :start AND seq <= :counted), "
    "(SELECT count(*) FROM articles NOT INDEXED "
    "WHERE seq > :counted AND seq <= :last AND published >= :start)"
)
# Is the pair (t.tag, a.story_id) carried by a counted article of the window?
_CARRIED = (
    "EXISTS (SELECT 1 FROM articles b INDEXED BY articles_story "
    "CROSS JOIN article_tags u ON u.article_id = b.id AND u.tag = t.tag "
    "WHERE b.story_id = a.story_id AND b.published >= :start AND b.seq <= :counted "
    "AND u.tag != lower(b.source))"
)
_LEFT = (
    "SELECT DISTINCT t.tag, a.story_id FROM articles a INDEXED BY articles_recent "
    "CROSS JOIN article_tags t ON t.article_id = a.id "
    "WHERE a.published >= :old AND a.published < :start AND a.seq <= :counted "
    f"AND t.tag != lower(a.source) AND NOT {_CARRIED}"
)
_ARRIVED = (
    "SELECT DISTINCT t.tag, a.story_id FROM articles a NOT INDEXED "  # the seq range
    "CROSS JOIN article_tags t ON t.article_id = a.id "
    "WHERE a.seq > :counted AND a.seq <= :last AND a.published >= :start "
    f"AND t.tag != lower(a.source) AND NOT {_CARRIED}"
)


def change_mark(db: Database) -> ChangeMark:
    """A value that differs whenever anything was written to the database since last read."""
    (data_version,) = db.execute("PRAGMA data_version").fetchone()
    return data_version, db.conn.total_changes


def window_start(since: datetime) -> datetime:
    """`since` rounded down to the minute: one answer serves a whole minute of requests."""
    return since.replace(second=0, microsecond=0)


@contextmanager
def _snapshot(db: Database) -> Iterator[None]:
    """Run several reads against one state of the database (inside a caller's transaction,
    that transaction's)."""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        db.conn.rollback()  # nothing was written: only the snapshot is let go


@dataclass
class _Counts:
    """Stories per tag among the articles published since `start` with `seq <= counted`
    (`size` of them), as they were when the edit counter read `edits`."""

    start: datetime
    counted: int
    edits: int
    size: int
    stories: Counter[str]


class TrendingCache:
    """Trending tags of one connection (per process, safe to lose)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._counts: _Counts | None = None
        self._seen: tuple[datetime, ChangeMark] | None = None
        self._ranked: list[tuple[str, int]] = []
        self._ranked_limit = 0  # `_ranked` is the top this many (or every tag, if fewer)

    def tags(self, since: datetime, limit: int) -> list[tuple[str, int]]:
        """The tags of most stories published since `since` (to the minute), with counts."""
        start = window_start(since)
        # Read the mark before the database: a commit landing in between costs a refresh.
        seen = (start, change_mark(self.db))
        if seen != self._seen:
            if self._refresh(start):
                self._ranked_limit = 0
            self._seen = seen
        if limit > self._ranked_limit:
            self._ranked = _top(self._counts.stories, limit)
            self._ranked_limit = limit
        return self._ranked[:limit]

    def _refresh(self, start: datetime) -> bool:
        """Bring the counts to `start` and the database as it is; False if nothing moved."""
        with _snapshot(self.db):
            edits, last = self.db.execute(_POSITION).fetchone()
            counts = self._counts
            if counts is None or edits != counts.edits or start < counts.start:
                self._counts = _count(self.db, start, edits, last)
                return True
            if start == counts.start and last == counts.counted:
                return False
            params = {
                "old": to_db_time(counts.start),
                "start": to_db_time(start),
                "counted": counts.counted,
                "last": last,
            }
            leaving, arriving = self.db.execute(_MOVES, params).fetchone()
            if INCREMENTAL_COST * (leaving + arriving) > counts.size:
                self._counts = _count(self.db, start, edits, last)
                return True
            if leaving:
                counts.stories.subtract(tag for tag, _ in self.db.execute(_LEFT, params))
                counts.stories = +counts.stories  # drop the tags no story carries any more
            if arriving:
                counts.stories.update(tag for tag, _ in self.db.execute(_ARRIVED, params))
            counts.start, counts.counted = start, last
            counts.size += arriving - leaving
            return True


def _count(db: Database, start: datetime, edits: int, last: int) -> _Counts:
    """Count afresh, with the reference query (every tag)."""
    (window,) = db.execute(_WINDOW, {"start": to_db_time(start)}).fetchone()
    found = articles.trending_tags(db, start, limit=None)
    return _Counts(start, last, edits, window, Counter(dict(found)))


def _top(stories: Counter[str], limit: int) -> list[tuple[str, int]]:
    """The `limit` tags of most stories, ties in tag order (as `trending_tags` sorts)."""
    return heapq.nsmallest(limit, stories.items(), key=lambda item: (-item[1], item[0]))
