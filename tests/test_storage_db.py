"""Opening the database: where it lives, who can read it, how it is set up and migrated."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import migrations
from storage.db import default_db_path, open_db, resolve_db_path
from storage.exceptions import SchemaTooNewError
from storage.migrations import SCHEMA_VERSION, migrate, schema_version
from storage.transaction import write_transaction

V1_TABLES = {
    "articles",
    "article_tags",
    "articles_fts",
    "failures",
    "sources",
    "chats",
    "subscriptions",
    "mutes",
    "outbox",
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_follows_xdg_data_home_read_at_call_time(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert default_db_path() == tmp_path / "elsewhere" / "newsgist" / "newsgist.db"


def test_default_path_without_or_with_relative_xdg_is_under_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "newsgist" / "newsgist.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path() == expected
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    assert default_db_path() == expected


def test_resolve_db_path_prefers_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_db_path("~/news.db") == tmp_path / "news.db"
    assert resolve_db_path(None) == default_db_path()
    assert resolve_db_path("  ") == default_db_path()


def test_new_database_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "dir" / "newsgist.db"
    db = open_db(path)
    try:
        db.execute("INSERT INTO failures VALUES ('s', 'p', 'r', '2025-01-01T00:00:00+00:00')")
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        for name in ("newsgist.db", "newsgist.db-wal", "newsgist.db-shm"):
            assert mode(path.parent / name) == 0o600, name
    finally:
        db.close()


def test_existing_readable_database_is_made_private(tmp_path):
    path = tmp_path / "newsgist.db"
    open_db(path).close()
    os.chmod(path, 0o644)
    open_db(path).close()
    assert mode(path) == 0o600


def test_fresh_database_has_every_table_at_the_current_version(db):
    assert set(db.table_names()) >= V1_TABLES
    assert schema_version(db) == SCHEMA_VERSION


def test_reopening_migrates_nothing_and_keeps_data(tmp_path):
    path = tmp_path / "newsgist.db"
    db = open_db(path)
    db.execute("INSERT INTO failures VALUES ('s', 'p', 'r', '2025-01-01T00:00:00+00:00')")
    db.close()
    db = open_db(path)
    try:
        assert migrate(db) == SCHEMA_VERSION
        assert db.execute("SELECT count(*) FROM failures").fetchone()[0] == 1
    finally:
        db.close()


def test_database_from_a_newer_newsgist_is_refused(tmp_path):
    path = tmp_path / "newsgist.db"
    db = open_db(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaTooNewError, match="newer newsgist"):
        open_db(path)


def test_failed_migration_leaves_the_database_at_the_previous_version(db, monkeypatch):
    def broken(database):
        database.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="disk on fire"):
        migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    assert "half_done" not in db.table_names()


def test_a_first_migration_that_fails_halfway_leaves_an_empty_database(tmp_path):
    path = tmp_path / "news.db"
    raw = Database(path)
    raw.execute("CREATE TABLE outbox (id INTEGER)")  # clashes with the last table v1 makes
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        open_db(path)
    assert schema_version(raw) == 0
    assert raw.table_names() == ["outbox"]  # nothing v1 made before the clash is left
    raw.execute("DROP TABLE outbox")
    assert schema_version(open_db(path)) == SCHEMA_VERSION  # so a retry can succeed


def test_memory_database_is_migrated():
    db = open_db(":memory:")
    assert set(db.table_names()) >= V1_TABLES


def test_readers_see_committed_data_while_a_writer_holds_the_lock(tmp_path):
    path = tmp_path / "newsgist.db"
    writer, reader = open_db(path), open_db(path)
    try:
        writer.execute("INSERT INTO failures VALUES ('s', 'a', 'r', '2025-01-01T00:00:00+00:00')")
        with write_transaction(writer):
            writer.execute("INSERT INTO failures VALUES ('s', 'b', 'r', '2025-01-01')")
            assert reader.execute("SELECT count(*) FROM failures").fetchone()[0] == 1
        assert reader.execute("SELECT count(*) FROM failures").fetchone()[0] == 2
    finally:
        writer.close()
        reader.close()


def test_write_transaction_rolls_back_everything_on_error(db):
    with pytest.raises(ValueError), write_transaction(db):
        db.execute("INSERT INTO failures VALUES ('s', 'a', 'r', '2025-01-01')")
        with write_transaction(db):  # nested: a savepoint
            db.execute("INSERT INTO failures VALUES ('s', 'b', 'r', '2025-01-01')")
        raise ValueError("abort")
    assert db.execute("SELECT count(*) FROM failures").fetchone()[0] == 0
