"""The outbox: every message the bot owes a chat, written down before it is sent.

A row is 'pending' until a sender claims it ('sending'), and 'sent' only once Telegram has
returned the message. A crash therefore never loses a message: rows left 'sending' go back
to 'pending' at start-up (`recover`) and are sent again. Those few rows are the only ones
that may reach a chat twice, because Telegram may have accepted them just before the crash.

Alerts and digests carry a `dedupe_key` (say "digest:<chat>:<date>"), so computing and
enqueueing them twice (a crash half-way, a re-run) still makes one row and one message.

Per-chat order is the order of ids: a row is claimed only when no earlier row of its chat
is still waiting or in flight, so one parked message holds back the ones after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from storage.db import from_db_time, to_db_time
from storage.exceptions import InvalidValueError
from storage.transaction import write_transaction

KINDS = ("alert", "digest", "reply")
UNDELIVERED = "status IN ('pending', 'sending')"  # not delivered, not given up


class Outgoing(NamedTuple):
    """A message to enqueue; `dedupe_key=None` means "never a duplicate" (no check).

    A named tuple, not a frozen dataclass: a busy minute's digests make tens of thousands,
    and a frozen dataclass takes three times as long to build (each field is set through
    `object.__setattr__`)."""

    chat_id: int
    kind: str
    dedupe_key: str | None
    payload: Mapping[str, Any]
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row as stored."""

    id: int
    chat_id: int
    kind: str
    dedupe_key: str | None
    payload: dict[str, Any]
    article_ids: tuple[str, ...]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None = None
    message_id: int | None = None
    error: str | None = None


def make_payload(
    text: str,
    *,
    reply_markup: Mapping[str, Any] | None = None,
    disable_web_page_preview: bool = True,
) -> dict[str, Any]:
    """The payload of an HTML message; `reply_markup` is an inline keyboard as Bot API JSON."""
    payload: dict[str, Any] = {
        "text": text,
        "parse_mode": "HTML",
        "disable_web_page_preview": disable_web_page_preview,
    }
    if reply_markup is not None:
        payload["reply_markup"] = dict(reply_markup)
    return payload


def _check(message: Outgoing) -> None:
    if message.kind not in KINDS:
        raise InvalidValueError(f"outbox kind {message.kind!r} is not one of {', '.join(KINDS)}")
    text = message.payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidValueError(f"outbox payload for chat {message.chat_id} has no text")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def _item(row: Mapping[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        dedupe_key=row["dedupe_key"],
        payload=json.loads(row["payload"]),
        article_ids=tuple(json.loads(row["article_ids"])),
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=_moment(row["next_attempt_at"]),
        created_at=from_db_time(row["created_at"]),
        sent_at=_moment(row["sent_at"]),
        message_id=row["message_id"],
        error=row["error"],
    )


_INSERT = (
    "INSERT INTO outbox (chat_id, kind, dedupe_key, payload, article_ids, status, attempts, "
    "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def _row(message: Outgoing, stamp: str) -> tuple:
    return (
        message.chat_id,
        message.kind,
        message.dedupe_key,
        json.dumps(dict(message.payload), ensure_ascii=False),
        json.dumps(list(message.article_ids)),
        stamp,
        stamp,
    )


def enqueue(
    db: Database,
    chat_id: int,
    kind: str,
    dedupe_key: str | None,
    payload: Mapping[str, Any],
    article_ids: Iterable[str] = (),
    *,
    now: datetime,
) -> int | None:
    """Write one message down; its row id, or None if `dedupe_key` is already in the outbox."""
    return enqueue_many(
        db, [Outgoing(chat_id, kind, dedupe_key, payload, tuple(article_ids))], now=now
    )[0]


def enqueue_many(db: Database, messages: Iterable[Outgoing], *, now: datetime) -> list[int | None]:
    """Write several messages in one transaction: all of them or, after a crash, none.

    Returns one row id per message, None where its dedupe_key was already taken.
    """
    messages = list(messages)
    for message in messages:
        _check(message)
    stamp = to_db_time(now)
    with write_transaction(db):
        # One statement for the lot. SQLite numbers new rows after the highest id, in the
        # order they are inserted, and nobody else writes inside this transaction: the rows
        # above the old highest id are these messages' rows, in order, less the duplicates.
        last = db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        db.conn.executemany(_INSERT, (_row(message, stamp) for message in messages))
        added = db.execute(
            "SELECT id, dedupe_key FROM outbox WHERE id > ? ORDER BY id", [last]
        ).fetchall()
    return _ids_of(messages, added)


def _ids_of(messages: list[Outgoing], added: list[tuple[int, str | None]]) -> list[int | None]:
    """Each message's new row id, None where its dedupe_key was taken (before or by an
    earlier message of the batch): that message made no row, so the next new row is not its."""
    ids: list[int | None] = []
    rows = iter(added)
    pending = next(rows, None)
    for message in messages:
        if pending is not None and pending[1] == message.dedupe_key:
            ids.append(pending[0])
            pending = next(rows, None)
        else:
            ids.append(None)
    return ids


# Due pending rows of active chats whose chat has nothing in flight and nothing earlier
# still waiting for a later attempt: taking only these keeps each chat's messages in order.
# Every earlier pending row of the chat is then due too, so counting them gives the row's
# place in its chat's queue, which caps how many one chat gets per claim. The unary + keeps
# SQLite walking `outbox_pending` in id order, so it stops at the limit instead of sorting
# every due row (hundreds of milliseconds with ten thousand waiting).
_CLAIM = """
UPDATE outbox SET status = 'sending', attempts = attempts + 1
WHERE id IN (
    SELECT o.id FROM outbox AS o
    JOIN chats AS c ON c.chat_id = o.chat_id AND c.active = 1
    WHERE o.status = 'pending' AND +o.next_attempt_at <= :now
    AND NOT EXISTS (
        SELECT 1 FROM outbox AS e
        WHERE e.chat_id = o.chat_id
        AND (e.status = 'sending'
             OR (e.status = 'pending' AND e.id < o.id AND e.next_attempt_at > :now))
    )
    AND (
        SELECT COUNT(*) FROM outbox AS p
        WHERE p.chat_id = o.chat_id AND p.status = 'pending' AND p.id < o.id
    ) < :per_chat
    ORDER BY o.id
    LIMIT :limit
)
RETURNING *
"""


def claim(
    db: Database, *, now: datetime, limit: int, per_chat: int | None = None
) -> list[OutboxItem]:
    """Take up to `limit` due messages to send, oldest first, marking them 'sending'.

    At most `per_chat` of one chat's, so a chat with a long queue (paced at one message a
    second, or three in a group) cannot fill a sender's hands while other chats wait. Rows
    of inactive chats (blocked, kicked) stay pending and are not taken; rows of chats the
    chats table does not know are not taken either.
    """
    cap = limit if per_chat is None else per_chat
    with write_transaction(db):
        cursor = db.execute(_CLAIM, {"now": to_db_time(now), "limit": limit, "per_chat": cap})
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    items = (_item(dict(zip(columns, row, strict=True))) for row in rows)
    return sorted(items, key=lambda item: item.id)  # RETURNING has no defined order


def _update(db: Database, sql: str, params: list[Any]) -> int:
    with write_transaction(db):
        return db.execute(sql, params).rowcount


def mark_sent(db: Database, outbox_id: int, message_id: int, now: datetime) -> None:
    """Telegram returned the message: it is delivered, whatever state the row was in."""
    _update(
        db,
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
        [to_db_time(now), message_id, outbox_id],
    )


def retry_later(db: Database, outbox_id: int, at: datetime, error: str) -> None:
    """A passing failure: back to pending, not to be claimed before `at`."""
    _update(
        db,
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ? "
        "WHERE id = ? AND status != 'sent'",
        [to_db_time(at), error, outbox_id],
    )


def mark_failed(db: Database, outbox_id: int, error: str) -> None:
    """Telegram will never take this message (a bad request): stop trying, keep the reason."""
    _update(
        db,
        "UPDATE outbox SET status = 'failed', error = ? WHERE id = ? AND status != 'sent'",
        [error, outbox_id],
    )


def recover(db: Database) -> list[int]:
    """At start-up: rows a crashed sender left 'sending' go back to 'pending'.

    Returns their ids. They may have reached Telegram just before the crash, so they are the
    only rows that can be delivered twice; none is ever lost.
    """
    with write_transaction(db):
        rows = db.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending' RETURNING id"
        ).fetchall()
    return sorted(row[0] for row in rows)


def park_chat(db: Database, chat_id: int) -> int:
    """Give back what was claimed for a chat that cannot take messages now.

    The rows stay pending; `claim` skips them while the chat is inactive and takes them
    again, in order, once it is active. Returns how many rows were given back.
    """
    return _update(
        db,
        "UPDATE outbox SET status = 'pending' WHERE chat_id = ? AND status = 'sending'",
        [chat_id],
    )


def release(db: Database, outbox_ids: Iterable[int]) -> int:
    """Give back claimed rows a sender will not try after all (it is stopping)."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    marks = ", ".join("?" * len(ids))
    return _update(
        db,
        f"UPDATE outbox SET status = 'pending' WHERE status = 'sending' AND id IN ({marks})",
        ids,
    )


def move_chat(db: Database, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its undelivered messages now go to the new id."""
    return _update(
        db,
        f"UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND {UNDELIVERED}",
        [new_chat_id, old_chat_id],
    )


def get_item(db: Database, outbox_id: int) -> OutboxItem | None:
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return _item(rows[0]) if rows else None


def digest_articles(db: Database, chat_id: int, made_at: datetime) -> set[str] | None:
    """The ids of the articles the chat's digest made at `made_at` showed, in all its
    messages; None if the outbox has no such digest (never made, or long forgotten)."""
    rows = db.execute(
        "SELECT article_ids FROM outbox WHERE chat_id = ? AND kind = 'digest' AND created_at = ?",
        [chat_id, to_db_time(made_at)],
    ).fetchall()
    if not rows:
        return None
    return {article_id for (ids,) in rows for article_id in json.loads(ids)}


def _count(db: Database, where: str, params: list[Any]) -> int:
    return db.execute(f"SELECT COUNT(*) FROM outbox WHERE {where}", params).fetchone()[0]


def pending_count(db: Database) -> int:
    """Messages not delivered yet (waiting, in flight, or held for an inactive chat)."""
    return _count(db, UNDELIVERED, [])


def failed_count(db: Database) -> int:
    return _count(db, "status = 'failed'", [])


def sent_today(db: Database, now: datetime, tz: tzinfo | str) -> int:
    """Messages delivered since midnight of `now`'s calendar day in time zone `tz`."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return _count(
        db,
        "status = 'sent' AND sent_at >= ? AND sent_at < ?",
        [to_db_time(midnight), to_db_time(midnight + timedelta(days=1))],
    )
