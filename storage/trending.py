"""Trending tags, remembered until the database changes or the window moves on.

`storage.articles.trending_tags` counts stories over every tag of the window's articles: tens
of milliseconds once a day holds thousands of articles. Its answer can only change when
something is written or the window starts later, so `TrendingCache` keeps the last answer
with what it depended on:

- the window start, rounded down to the minute (the answer is computed for that start, so
  it is exactly what the query gives for it);
- the connection's change marks: `PRAGMA data_version`, which moves when any other
  connection commits (the ingest's worker thread, another process), and `total_changes`,
  which counts this connection's own writes.

Any write counts, articles or not (an outbox row too): coarser than needed, never stale.
Between polls repeated /tags answer from memory; the first after a change pays the query.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage import articles

ChangeMark = tuple[int, int]


def change_mark(db: Database) -> ChangeMark:
    """A value that differs whenever anything was written to the database since last read."""
    (data_version,) = db.execute("PRAGMA data_version").fetchone()
    return data_version, db.conn.total_changes


def window_start(since: datetime) -> datetime:
    """`since` rounded down to the minute: one answer serves a whole minute of requests."""
    return since.replace(second=0, microsecond=0)


class TrendingCache:
    """The last `trending_tags` answer of one connection (per process, safe to lose)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._key: tuple[datetime, int, ChangeMark] | None = None
        self._found: list[tuple[str, int]] = []

    def tags(self, since: datetime, limit: int) -> list[tuple[str, int]]:
        """The tags of most stories published since `since` (to the minute), with counts."""
        start = window_start(since)
        # Read the mark before querying: a commit landing in between only costs a recount.
        key = (start, limit, change_mark(self.db))
        if key != self._key:
            self._found = articles.trending_tags(self.db, start, limit=limit)
            self._key = key
        return list(self._found)
