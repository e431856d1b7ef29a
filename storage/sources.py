"""What storage remembers of each source: where its scans got to, how the last one went, and
which posts could not be read (so `/status` can say why and a rescan can retry them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import from_db_time, to_db_time, utc_now

COUNTS = ("new", "updated", "unchanged", "failed")


@dataclass(frozen=True)
class SourceStatus:
    name: str
    kind: str
    location: str
    state: dict
    last_scan_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None  # None when the last scan succeeded
    new: int
    updated: int
    unchanged: int
    failed: int


@dataclass(frozen=True)
class Failure:
    source: str
    path: str
    reason: str
    seen_at: datetime


def _time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def record_scan(
    db: Database,
    name: str,
    kind: str,
    location: str,
    *,
    state: Mapping,
    counts: Mapping[str, int],
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Remember one scan: the state to resume from, its counts, and its error if it failed.

    `counts` may be the Counter `save_articles` returns, plus "failed"; missing keys are 0.
    A failed scan keeps the time of the last successful one.
    """
    params = {
        "name": name,
        "kind": kind,
        "location": location,
        "state": json.dumps(dict(state), ensure_ascii=False),
        "now": to_db_time(now or utc_now()),
        "error": error,
        **{key: counts.get(key, 0) for key in COUNTS},
    }
    db.execute(
        f"""
        INSERT INTO sources (name, kind, location, state, last_scan_at, last_ok_at, last_error,
                             {", ".join(COUNTS)})
        VALUES (:name, :kind, :location, :state, :now,
                CASE WHEN :error IS NULL THEN :now END, :error,
                {", ".join(f":{key}" for key in COUNTS)})
        ON CONFLICT (name) DO UPDATE SET
            kind = excluded.kind, location = excluded.location, state = excluded.state,
            last_scan_at = excluded.last_scan_at,
            last_ok_at = coalesce(excluded.last_ok_at, sources.last_ok_at),
            last_error = excluded.last_error,
            {", ".join(f"{key} = excluded.{key}" for key in COUNTS)}
        """,
        params,
    )


def get_source_state(db: Database, name: str) -> dict:
    """The state the last scan of `name` recorded; empty for a source never scanned."""
    row = db.execute("SELECT state FROM sources WHERE name = ?", [name]).fetchone()
    return {} if row is None else json.loads(row[0])


def list_sources(db: Database) -> list[SourceStatus]:
    rows = db.query("SELECT * FROM sources ORDER BY name")
    return [
        SourceStatus(
            name=row["name"],
            kind=row["kind"],
            location=row["location"],
            state=json.loads(row["state"]),
            last_scan_at=_time(row["last_scan_at"]),
            last_ok_at=_time(row["last_ok_at"]),
            last_error=row["last_error"],
            **{key: row[key] for key in COUNTS},
        )
        for row in rows
    ]


def record_failure(
    db: Database, source: str, path: str, reason: str, now: datetime | None = None
) -> None:
    """Remember that a post could not be read; a later failure replaces the reason."""
    db.execute(
        "INSERT INTO failures (source, path, reason, seen_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (source, path) DO UPDATE SET reason = excluded.reason, "
        "seen_at = excluded.seen_at",
        [source, path, reason, to_db_time(now or utc_now())],
    )


def clear_failure(db: Database, source: str, path: str) -> bool:
    """Forget a failure (the post was read after all); True if there was one."""
    cursor = db.execute("DELETE FROM failures WHERE source = ? AND path = ?", [source, path])
    return cursor.rowcount > 0


def failures(db: Database, limit: int = 50) -> list[Failure]:
    """The most recent failures first."""
    rows = db.execute(
        "SELECT source, path, reason, seen_at FROM failures "
        "ORDER BY seen_at DESC, source, path LIMIT ?",
        [limit],
    )
    return [
        Failure(source, path, reason, from_db_time(seen)) for source, path, reason, seen in rows
    ]


def count_failures(db: Database) -> int:
    return db.execute("SELECT count(*) FROM failures").fetchone()[0]
