"""Forward-only schema migrations; `PRAGMA user_version` is the schema version.

`MIGRATIONS[n]` takes a database from version n to n + 1. Each runs in its own
transaction together with the version bump, so a crash leaves the database at a known
version. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator

from sqlite_utils import Database

from storage import fts
from storage.exceptions import SchemaTooNewError, StorageError
from storage.transaction import write_transaction

log = logging.getLogger(__name__)

_V1 = """
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY,          -- stable row number, also the rowid in articles_fts
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    url TEXT,
    title TEXT NOT NULL,
    published TEXT NOT NULL,          -- ISO-8601, UTC
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    summary TEXT NOT NULL,            -- JSON list of sentences
    tags TEXT NOT NULL,               -- JSON list, folded
    keywords TEXT NOT NULL,           -- JSON list, folded
    story_id TEXT NOT NULL,           -- id of the first article of its near-duplicate group
    content_hash TEXT NOT NULL,
    fingerprint INTEGER,              -- 64-bit SimHash of the folded text; NULL if too short
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_url ON articles (url);

CREATE TABLE article_tags (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,                -- folded tag or keyword
    PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX article_tags_tag ON article_tags (tag);

-- Contentless: the indexed text is folded and CJK runs are split into bigrams by
-- storage/fts.py, so storing it would only double the file. The original is in articles.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = '', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE failures (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (source, path)
);

CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{}',  -- JSON, the source's own resume point
    last_scan_at TEXT,
    last_ok_at TEXT,
    last_error TEXT,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE chats (
    chat_id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    title TEXT,
    language TEXT NOT NULL,
    timezone TEXT NOT NULL,
    digest_time TEXT NOT NULL,        -- 'HH:MM' in the chat's time zone
    summary_sentences INTEGER NOT NULL,
    instant INTEGER NOT NULL DEFAULT 1,
    paused INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    last_digest_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
    term TEXT NOT NULL,               -- folded
    display TEXT NOT NULL,            -- as the user typed it
    instant INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, term)
);
CREATE INDEX subscriptions_term ON subscriptions (term);

CREATE TABLE mutes (
    chat_id INTEGER NOT NULL REFERENCES chats (chat_id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    display TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, term)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'digest', 'reply')),
    dedupe_key TEXT UNIQUE,
    payload TEXT NOT NULL,            -- JSON
    article_ids TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER,
    error TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_chat ON outbox (chat_id);
"""


def _v1(db: Database) -> None:
    """Articles, search, stories, sources and failures, chats, subscriptions, outbox."""
    for statement in _statements(_V1):
        db.execute(statement)  # not executescript, which would commit first


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, each ending where SQLite's own parser ends it."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""
    if statement.strip():
        raise StorageError(f"unfinished SQL statement: {statement.strip()[:80]}")


def _v2(db: Database) -> None:
    """`job_state`: small named values the scheduled jobs keep (the alert cursor)."""
    # execute, not executescript: a script would first commit the migration's transaction
    db.execute(
        "CREATE TABLE job_state (name TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )


def _v3(db: Database) -> None:
    """Outbox indexes for `claim`: pending rows in id order, and each chat's queue.

    `claim` walks pending rows oldest first and stops at its limit; per row it looks at the
    chat's other rows, which (chat_id, status, next_attempt_at) answers without reading the
    payloads. That index also serves everything `outbox_chat` did.
    """
    db.execute("CREATE INDEX outbox_pending ON outbox (status)")
    db.execute("CREATE INDEX outbox_chat_queue ON outbox (chat_id, status, next_attempt_at)")
    db.execute("DROP INDEX outbox_chat")


def _v4(db: Database) -> None:
    """`articles_recent` replaces `articles_published`: the same order, plus what /tags and
    /latest ask of each recent article (its id, story and source), so walking the newest
    articles reads the index alone, not a row of text for each."""
    db.execute("CREATE INDEX articles_recent ON articles (published, id, story_id, source)")
    db.execute("DROP INDEX articles_published")


_V5 = """
CREATE TABLE article_edits (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    edits INTEGER NOT NULL
);
INSERT INTO article_edits VALUES (1, 0);
CREATE TRIGGER article_edited AFTER UPDATE OF seq, id, source, published, story_id ON articles
BEGIN UPDATE article_edits SET edits = edits + 1; END;
CREATE TRIGGER article_deleted AFTER DELETE ON articles
BEGIN UPDATE article_edits SET edits = edits + 1; END;
CREATE TRIGGER article_tag_edited AFTER UPDATE ON article_tags
BEGIN UPDATE article_edits SET edits = edits + 1; END;
CREATE TRIGGER article_tag_deleted AFTER DELETE ON article_tags
BEGIN UPDATE article_edits SET edits = edits + 1; END;
"""


def _v5(db: Database) -> None:
    """`article_edits`: a counter that moves whenever what /tags counts of a stored article
    changes: its seq, id, source, date or story updated, the article deleted, a tag of it
    updated or deleted (`save_articles` deletes an edited article's tags, then adds them).

    `storage.trending` keeps per-tag story counts up to date from the articles it has not
    seen yet (new ones only ever get a higher `seq`); a change to one it has seen is only
    visible here. Inserts fire nothing, so storing new posts costs no more than before.
    """
    for statement in _statements(_V5):
        db.execute(statement)


def _v6(db: Database) -> None:
    """The search index is read with FTS5's `ascii` tokenizer, not unicode61: `storage.fts`
    now turns non-ASCII punctuation into spaces and takes accents off Latin letters itself,
    so the words are the same, and indexing costs a third less. The index is made again
    from the stored articles, once (about two minutes per 100,000 of them)."""
    (stored,) = db.execute("SELECT count(*) FROM articles").fetchone()
    if stored:
        log.warning("re-indexing %d stored articles for search (once, after an upgrade)", stored)
    db.execute("DROP TABLE articles_fts")
    db.execute(f"CREATE VIRTUAL TABLE articles_fts USING fts5 ({fts.COLUMNS})")
    fts.rebuild(db)


MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _db_name(db: Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"


def migrate(db: Database) -> int:
    """Apply the missing migrations in order; return the resulting version.

    Raises `SchemaTooNewError` if the database is newer than this code.
    """
    _check_fts5(db)
    while (version := schema_version(db)) < SCHEMA_VERSION:
        with write_transaction(db):
            # Another process may have migrated while we waited for the lock.
            version = schema_version(db)
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(_db_name(db), version, SCHEMA_VERSION)
    return version


def _check_fts5(db: Database) -> None:
    options = {row[0] for row in db.execute("PRAGMA compile_options").fetchall()}
    if "ENABLE_FTS5" not in options:
        raise StorageError("this Python's SQLite library was built without FTS5; search needs it")
