"""Saving articles (with their tags, search index row and story) and reading them back.

Saving is idempotent: an article whose content hash is unchanged is not touched at all, an
edited one has its row, tags, index row and story link replaced. Whole batches are written
in one transaction with `executemany`, so a first scan of thousands of posts takes seconds.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from storage import fts
from storage.db import to_db_time, utc_now
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from storage.stories import WINDOW, StoryEntry, StoryIndex, fingerprint, load_story_index
from storage.transaction import write_transaction
from summariser.article import Article
from summariser.fold import fold, fold_term
from summariser.ids import article_id, canonical_url

BATCH_SIZE = 1000
NEW, UPDATED, UNCHANGED, REPEATED = "new", "updated", "unchanged", "repeated"


def content_hash(article: Article) -> str:
    """Hash of everything an article shows; the id is left out because it names the row."""
    fields = [
        article.source,
        article.path,
        article.url,
        article.title,
        to_db_time(article.published),
        article.lang,
        article.text,
        list(article.summary),
        list(article.tags),
        list(article.keywords),
    ]
    return hashlib.sha1(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def save_article(db: Database, article: Article, *, now: datetime | None = None) -> str:
    """Store one article; returns "new", "updated" or "unchanged"."""
    (status,) = save_articles(db, [article], now=now)
    return status


def save_articles(
    db: Database, articles: Iterable[Article], *, now: datetime | None = None
) -> Counter[str]:
    """Store many articles, one transaction per `BATCH_SIZE`; counts by status.

    Articles are saved oldest first, so a story is named after its earliest article. When
    one id comes twice (two posts with one URL), its last version wins and the others count
    as `REPEATED`, so that the counts add up to the articles given.
    """
    given = list(articles)
    latest = {article.id: article for article in given}
    ordered = sorted(latest.values(), key=lambda article: article.published)
    stamp = to_db_time(now or utc_now())
    counts: Counter[str] = Counter()
    if len(given) > len(latest):
        counts[REPEATED] = len(given) - len(latest)
    for start in range(0, len(ordered), BATCH_SIZE):
        with write_transaction(db):
            counts.update(_save_batch(db, ordered[start : start + BATCH_SIZE], stamp))
    return counts


@dataclass
class _Writes:
    """Everything one batch writes, gathered so each statement runs once with executemany."""

    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    stories_moved: list[tuple[str, str]] = field(default_factory=list)  # (new, old story)
    fts_removed: list[tuple[int, str, str]] = field(default_factory=list)
    fts_added: list[tuple[int, str, str]] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)


def _save_batch(db: Database, batch: list[Article], stamp: str) -> list[str]:
    ids = [article.id for article in batch]
    marks = ", ".join("?" * len(ids))
    existing = {
        row["id"]: row
        for row in db.query(
            f"SELECT seq, id, title, text, story_id, content_hash FROM articles "
            f"WHERE id IN ({marks})",
            ids,
        )
    }
    index = load_story_index(db, batch[0].published - WINDOW, batch[-1].published + WINDOW)
    next_seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM articles").fetchone()[0]
    writes = _Writes()
    statuses = []
    for article in batch:
        digest = content_hash(article)
        old = existing.get(article.id)
        if old is not None and old["content_hash"] == digest:
            statuses.append(UNCHANGED)
            continue
        folded_title, folded_text = fold(article.title), fold(article.text)
        value = fingerprint(folded_text)
        story_id = _join_story(index, article, value)
        row = _row(article, digest, value, story_id, stamp)
        if old is None:
            row["seq"], next_seq = next_seq, next_seq + 1
            row["first_seen"] = stamp
            writes.inserts.append(row)
            statuses.append(NEW)
        else:
            row["seq"] = old["seq"]
            writes.updates.append(row)
            writes.fts_removed.append((old["seq"], fold(old["title"]), fold(old["text"])))
            if old["story_id"] == article.id != story_id:  # it headed a story: take it along
                writes.stories_moved.append((story_id, article.id))
                index.move_story(article.id, story_id)
            statuses.append(UPDATED)
        writes.fts_added.append((row["seq"], folded_title, folded_text))
        terms = {fold_term(t) for t in (*article.tags, *article.keywords)} - {""}
        writes.tags.extend((article.id, term) for term in terms)
    _write(db, writes)
    return statuses


def _join_story(index: StoryIndex, article: Article, value: int | None) -> str:
    """The story `article` belongs to; `index` learns its (new) fingerprint."""
    if value is None:
        index.discard(article.id)
        return article.id
    entry = StoryEntry(
        article.id,
        article.id,
        value,
        article.published.timestamp(),
        article.title,
        len(article.text),
    )
    match = index.match(entry)
    if match is not None:
        entry.story_id = match.story_id
    index.add(entry)
    return entry.story_id


def _row(article: Article, digest: str, value: int | None, story_id: str, stamp: str) -> dict:
    return {
        "id": article.id,
        "source": article.source,
        "path": article.path,
        "url": article.url,
        "title": article.title,
        "published": to_db_time(article.published),
        "lang": article.lang,
        "text": article.text,
        "summary": json.dumps(list(article.summary), ensure_ascii=False),
        "tags": json.dumps(list(article.tags), ensure_ascii=False),
        "keywords": json.dumps(list(article.keywords), ensure_ascii=False),
        "story_id": story_id,
        "content_hash": digest,
        "fingerprint": value,
        "updated_at": stamp,
    }


def _write(db: Database, writes: _Writes) -> None:
    conn = db.conn
    changed = [(row["id"],) for row in writes.updates]
    if writes.updates:
        names = [name for name in writes.updates[0] if name not in ("seq", "id")]
        conn.executemany(
            f"UPDATE articles SET {', '.join(f'{n} = :{n}' for n in names)} WHERE id = :id",
            writes.updates,
        )
    if writes.inserts:
        names = list(writes.inserts[0])
        values = ", ".join(f":{n}" for n in names)
        conn.executemany(
            f"INSERT INTO articles ({', '.join(names)}) VALUES ({values})",
            writes.inserts,
        )
    conn.executemany("UPDATE articles SET story_id = ? WHERE story_id = ?", writes.stories_moved)
    conn.executemany("DELETE FROM article_tags WHERE article_id = ?", changed)
    conn.executemany("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)", writes.tags)
    fts.remove_rows(db, writes.fts_removed)
    fts.add_rows(db, writes.fts_added)


def _articles(db: Database, where: str, params: list | dict, tail: str = "") -> list:
    rows = db.query(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE {where} {tail}", params)
    return [stored_article(row) for row in rows]


def get_article(db: Database, article_id: str) -> StoredArticle | None:
    found = _articles(db, "a.id = ?", [article_id])
    return found[0] if found else None


def find_by_url(db: Database, url: str) -> StoredArticle | None:
    """The article at `url`, however the link is spelled (case of host, escapes, utm_*)."""
    if not url.strip():
        return None
    canonical = canonical_url(url)
    found = _articles(
        db, "a.id = ? OR a.url IN (?, ?)", [article_id(url, "", ""), url, canonical], "LIMIT 1"
    )
    return found[0] if found else None


def recent_articles(
    db: Database, since: datetime, until: datetime | None = None, limit: int | None = None
) -> list[StoredArticle]:
    """Articles published in [since, until), newest first."""
    params = {"since": to_db_time(since), "limit": -1 if limit is None else limit}
    where = "a.published >= :since"
    if until is not None:
        where += " AND a.published < :until"
        params["until"] = to_db_time(until)
    return _articles(db, where, params, "ORDER BY a.published DESC LIMIT :limit")


def latest_articles(db: Database, term: str | None = None, limit: int = 10) -> list[StoredArticle]:
    """The newest articles, or the newest that have `term` as a tag or in title or text.

    When many articles match (a common word), the newest articles are walked until `limit`
    of them match: about limit * articles / matches steps, a few dozen. The walk gives up
    after a few times that (the matches may all be old: last winter's typhoons); then, as
    when few match, the matches are found and sorted by date. Counting them first takes two
    index reads.
    """
    if term is None:
        return _articles(db, "1", [limit], "ORDER BY a.published DESC LIMIT ?")
    params = {"phrase": fts.term_expression(term), "tag": fold_term(term), "limit": limit}
    in_text = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :phrase"
    matches = db.execute("SELECT count(*) FROM article_tags WHERE tag = :tag", params).fetchone()[0]
    if params["phrase"]:
        matches += db.execute(f"SELECT count(*) FROM ({in_text})", params).fetchone()[0]
    articles = db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
    if matches and matches * matches >= limit * articles:
        # The walk stops at `limit` matches or at `floor`, the time of the article so many
        # steps back; the index alone tells whether an article matches.
        floor = db.execute(
            "SELECT published FROM articles INDEXED BY articles_recent "
            "ORDER BY published DESC LIMIT 1 OFFSET ?",
            [4 * limit * articles // matches + 100],
        ).fetchone()
        where = "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = :tag)"
        if params["phrase"]:
            where = f"a.seq IN ({in_text}) OR {where}"
        rows = list(
            db.query(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a INDEXED BY articles_recent "
                f"WHERE a.published >= :floor AND ({where}) "
                "ORDER BY a.published DESC LIMIT :limit",
                {**params, "floor": floor[0] if floor else ""},
            )
        )
        if len(rows) == limit:
            return [stored_article(row) for row in rows]
    matching = (
        "SELECT t_a.seq FROM article_tags t JOIN articles t_a ON t_a.id = t.article_id "
        "WHERE t.tag = :tag"
    )
    if params["phrase"]:
        matching += f" UNION {in_text}"
    return _articles(db, f"a.seq IN ({matching})", params, "ORDER BY a.published DESC LIMIT :limit")


def article_ids_for_tag(db: Database, tag: str) -> list[str]:
    """Ids of the articles tagged `tag` (folded, in either script), newest first."""
    rows = db.execute(
        "SELECT a.id FROM article_tags t JOIN articles a ON a.id = t.article_id "
        "WHERE t.tag = ? ORDER BY a.published DESC",
        [fold_term(tag)],
    )
    return [article_id for (article_id,) in rows]


def trending_tags(db: Database, since: datetime, limit: int | None = 20) -> list[tuple[str, int]]:
    """The tags of most stories published since `since`, with how many stories (every tag
    when `limit` is None).

    Stories, not articles, so a story re-posted or posted in both scripts counts once; the
    source-name tag every article carries is left out.
    """
    # The recent articles first (a range of `articles_recent`), then their tags by article:
    # left to choose, SQLite walks every tag row of every article instead (seconds at 100k).
    rows = db.execute(
        "WITH a AS MATERIALIZED (SELECT id, story_id, lower(source) AS own FROM articles "
        "WHERE published >= ?) "
        "SELECT t.tag, count(DISTINCT a.story_id) AS stories "
        "FROM a CROSS JOIN article_tags t ON t.article_id = a.id WHERE t.tag != a.own "
        "GROUP BY t.tag ORDER BY stories DESC, t.tag LIMIT ?",
        [to_db_time(since), -1 if limit is None else limit],
    )
    return [(tag, stories) for tag, stories in rows]


def count_articles(db: Database) -> int:
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]
