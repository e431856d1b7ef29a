"""What each chat follows (subscriptions) and what it never wants to see (mutes).

Terms arrive folded (see `bot.matching.normalise_term`) together with the form the user
typed, which is the one shown back to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlite_utils import Database

from storage.db import from_db_time, to_db_time, utc_now
from storage.transaction import write_transaction

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    term: str  # folded: what matching compares
    display: str  # as the user typed it: what they see
    instant: bool  # alert at once (True) or only in the digest
    created_at: datetime


@dataclass(frozen=True)
class Mute:
    chat_id: int
    term: str
    display: str
    created_at: datetime


class AddResult(NamedTuple):
    """Display forms of the terms added, already there, and refused for the limit."""

    added: list[str]
    already: list[str]
    over_limit: list[str]


class RemoveResult(NamedTuple):
    """Display forms of the terms removed, and the (folded) terms that were not there."""

    removed: list[str]
    missing: list[str]


def _add(
    db: Database,
    table: str,
    chat_id: int,
    terms: Sequence[tuple[str, str]],
    extra: dict[str, object],
    limit: int,
    now: datetime | None,
) -> AddResult:
    result = AddResult([], [], [])
    created_at = to_db_time(now or utc_now())
    with write_transaction(db):
        have = {
            row["term"]: row["display"]
            for row in db.query(f"SELECT term, display FROM {table} WHERE chat_id = ?", [chat_id])
        }
        for term, display in terms:
            if term in have:
                result.already.append(have[term])
                continue
            if len(have) >= limit:
                result.over_limit.append(display)
                continue
            row = {
                "chat_id": chat_id,
                "term": term,
                "display": display,
                **extra,
                "created_at": created_at,
            }
            db.execute(
                f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            have[term] = display
            result.added.append(display)
    return result


def _remove(db: Database, table: str, chat_id: int, terms: Iterable[str]) -> RemoveResult:
    result = RemoveResult([], [])
    with write_transaction(db):
        for term in dict.fromkeys(terms):
            rows = list(
                db.query(
                    f"DELETE FROM {table} WHERE chat_id = ? AND term = ? RETURNING display",
                    [chat_id, term],
                )
            )
            if rows:
                result.removed.append(rows[0]["display"])
            else:
                result.missing.append(term)
    return result


def subscribe(
    db: Database,
    chat_id: int,
    terms: Sequence[tuple[str, str]],
    *,
    instant: bool = True,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> AddResult:
    """Follow (folded, display) terms; a chat follows at most `limit` terms."""
    return _add(db, "subscriptions", chat_id, terms, {"instant": int(instant)}, limit, now)


def unsubscribe(db: Database, chat_id: int, terms: Iterable[str]) -> RemoveResult:
    """Stop following these folded terms."""
    return _remove(db, "subscriptions", chat_id, terms)


def _subscription(row: dict) -> Subscription:
    return Subscription(
        row["chat_id"],
        row["term"],
        row["display"],
        bool(row["instant"]),
        from_db_time(row["created_at"]),
    )


def list_subscriptions(db: Database, chat_id: int) -> list[Subscription]:
    """A chat's subscriptions, oldest first."""
    rows = db.query(
        "SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY created_at, term", [chat_id]
    )
    return [_subscription(row) for row in rows]


def set_instant(db: Database, chat_id: int, term: str, on: bool) -> bool:
    """Alert at once for this term (or only in the digest); False if it is not followed."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE subscriptions SET instant = ? WHERE chat_id = ? AND term = ?",
            [int(on), chat_id, term],
        )
    return cursor.rowcount > 0


def all_subscriptions(db: Database) -> dict[int, list[Subscription]]:
    """Every active, unpaused chat's subscriptions, in one query (for alerts and digests)."""
    rows = db.query(
        """
        SELECT s.* FROM subscriptions s JOIN chats c ON c.chat_id = s.chat_id
        WHERE c.active = 1 AND c.paused = 0
        ORDER BY s.chat_id, s.created_at, s.term
        """
    )
    found: dict[int, list[Subscription]] = {}
    for row in rows:
        found.setdefault(row["chat_id"], []).append(_subscription(row))
    return found


def all_followed(db: Database) -> dict[int, list[tuple[str, str]]]:
    """Every chat's (term, display) pairs, oldest first as `list_subscriptions` has them.

    For digests, which read all of them at a busy minute: no `Subscription`s, and the rows
    come in table order and are sorted per chat here, which is faster than SQLite sorting
    fifty thousand rows by (chat, created_at, term). A display that is the term itself (as
    typed, already folded) comes as NULL, which saves making a string of it.
    """
    rows: dict[int, list[tuple[str, str, str | None]]] = {}
    for chat_id, created_at, term, display in db.execute(
        "SELECT chat_id, created_at, term, NULLIF(display, term) FROM subscriptions"
    ):
        rows.setdefault(chat_id, []).append((created_at, term, display))
    found = {}
    for chat_id, chat_rows in rows.items():
        chat_rows.sort()  # by created_at, then term (unique in a chat)
        found[chat_id] = [
            (term, term if display is None else display) for _, term, display in chat_rows
        ]
    return found


def mute(
    db: Database,
    chat_id: int,
    terms: Sequence[tuple[str, str]],
    *,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> AddResult:
    """Never deliver articles matching these (folded, display) terms to this chat."""
    return _add(db, "mutes", chat_id, terms, {}, limit, now)


def unmute(db: Database, chat_id: int, terms: Iterable[str]) -> RemoveResult:
    return _remove(db, "mutes", chat_id, terms)


def list_mutes(db: Database, chat_id: int) -> list[Mute]:
    rows = db.query("SELECT * FROM mutes WHERE chat_id = ? ORDER BY created_at, term", [chat_id])
    return [
        Mute(row["chat_id"], row["term"], row["display"], from_db_time(row["created_at"]))
        for row in rows
    ]


def all_mutes(db: Database) -> dict[int, list[str]]:
    """Every chat's muted (folded) terms, in one query."""
    found: dict[int, list[str]] = {}
    for row in db.query("SELECT chat_id, term FROM mutes ORDER BY chat_id, term"):
        found.setdefault(row["chat_id"], []).append(row["term"])
    return found
