"""Open the newsgist database: where it lives, who may read it, how SQLite is tuned.

A `Database` wraps one sqlite3 connection, which may only be used from the thread that
opened it (sqlite3's `check_same_thread`). The bot does all its database work on its
event-loop thread; another process (a command-line ingest, say) opens its own connection:
WAL mode lets readers and the one writer proceed together, and `busy_timeout` makes a second
writer wait for the lock instead of failing.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.exceptions import InvalidValueError
from storage.migrations import migrate

DB_FILENAME = "newsgist.db"
BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 32_768  # page cache per connection; search reads many scattered rows
MEMORY = ":memory:"


def default_db_path() -> Path:
    """`$XDG_DATA_HOME/newsgist/newsgist.db`, or `~/.local/share/newsgist/newsgist.db`."""
    data_home = Path(os.environ.get("XDG_DATA_HOME") or "~/.local/share").expanduser()
    if not data_home.is_absolute():  # the XDG spec says to ignore a relative value
        data_home = Path("~/.local/share").expanduser()
    return data_home / "newsgist" / DB_FILENAME


def resolve_db_path(value: str | None) -> Path:
    """The database to use: `value` (the `NEWSGIST_DB` setting) if given, else the default."""
    if value is None or not value.strip():
        return default_db_path()
    return Path(value.strip()).expanduser()


def _make_private(path: Path) -> None:
    """Create the file if needed and make it owner-only: it holds chat ids and settings."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) and migrate the database; `":memory:"` is for tests.

    Raises `SchemaTooNewError` for a database written by a newer newsgist.
    """
    memory = str(path) == MEMORY
    if not memory:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _make_private(path)
    # No sqlite-utils plugins: nothing outside newsgist may change how this connection acts.
    db = Database(MEMORY if memory else path, execute_plugins=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.enable_wal()
        if not memory:
            # SQLite gives -wal/-shm the main file's mode; files left by an older run may not.
            for sibling in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                if sibling.exists():
                    os.chmod(sibling, 0o600)
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def to_db_time(moment: datetime) -> str:
    """ISO-8601 in UTC: sorts as text in time order. Naive datetimes are a bug: ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValueError(f"naive datetime {moment!r}: storage needs timezone-aware times")
    return moment.astimezone(UTC).isoformat()


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def utc_now() -> datetime:
    return datetime.now(UTC)
