"""Chats (private chats, groups, channels) and their delivery settings.

A chat that blocked the bot or was deleted is kept but marked inactive, so its settings
come back when it returns; a group that became a supergroup is moved to its new id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlite_utils import Database

from storage import outbox
from storage.db import from_db_time, to_db_time
from storage.exceptions import InvalidValueError
from storage.transaction import write_transaction

log = logging.getLogger(__name__)

# The bot's languages, in the order its texts are written: Taiwan, mainland, English.
LANGUAGES = ("zh-Hant", "zh-Hans", "en")
CHAT_TYPES = ("private", "group", "supergroup", "channel")
MAX_SUMMARY_SENTENCES = 5
DEFAULT_SUMMARY_SENTENCES = 3

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:：.h]?([0-5][0-9])")


def parse_clock(text: str) -> str:
    """Normalise a time of day ("7:30", "0730", "07：30" -> "07:30"); ValueError otherwise."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise InvalidValueError(f"{text!r} is not a time of day as HH:MM (24-hour)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@cache
def _zone_names() -> dict[str, str]:
    """Lower-cased IANA names, and city names that are not ambiguous -> the IANA name."""
    names = sorted(available_timezones() - {"localtime", "posixrules", "Factory"})  # not zones
    by_city: dict[str, list[str]] = {}
    for name in names:
        if "/" in name and not name.startswith("Etc/"):  # "GMT+8" is not Etc/GMT+8 (UTC-8)
            by_city.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    cities = {city: found[0] for city, found in by_city.items() if len(found) == 1}
    return cities | {name.lower(): name for name in names}


_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?", re.IGNORECASE)


def parse_timezone(text: str) -> str:
    """The IANA name for what a user typed, else ValueError.

    "Asia/Taipei", "asia/taipei" and "Taipei" are Asia/Taipei; "UTC+8" is Etc/GMT-8 (the
    IANA Etc names count the other way round, which nobody should have to know).
    """
    name = text.strip()
    offset = _OFFSET.fullmatch(name)
    if offset and int(offset.group(2)) <= 14:
        sign = "-" if offset.group(1) == "+" else "+"
        hours = int(offset.group(2))
        name = f"Etc/GMT{sign}{hours}" if hours else "Etc/UTC"
    found = _zone_names().get(name.lower().replace(" ", "_"))
    if found is None:
        raise InvalidValueError(f"{text!r} is not a known time zone (use a name like Asia/Taipei)")
    return found


@dataclass(frozen=True)
class Chat:
    """One chat the bot talks to, with the settings its members chose."""

    chat_id: int
    type: str
    title: str | None
    language: str
    timezone: str
    digest_time: str  # "HH:MM" in `timezone`
    summary_sentences: int
    instant: bool
    paused: bool
    active: bool
    last_digest_at: datetime | None
    created_at: datetime

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def digest_slot(self, now_utc: datetime) -> datetime:
        """Today's digest time (in the chat's own calendar day) as an aware datetime."""
        return _slot(self.timezone, self.digest_time, now_utc)

    def digest_due(self, now_utc: datetime) -> bool:
        """Today's slot has come and no digest was sent since it (nor was the chat new then).

        Checked on every tick, so a slot missed while the bot was down is served on return.
        """
        if not self.active or self.paused:
            return False
        slot = self.digest_slot(now_utc)
        return now_utc >= slot and (self.last_digest_at or self.created_at) < slot


def _slot(timezone: str, digest_time: str, now_utc: datetime) -> datetime:
    """The digest time `digest_time` on the calendar day of `now_utc` in `timezone`."""
    zone = ZoneInfo(timezone)
    hour, minute = map(int, digest_time.split(":"))
    return datetime.combine(now_utc.astimezone(zone).date(), time(hour, minute), tzinfo=zone)


# Every query that builds Chats selects these, in this order (see `_chat`).
_SELECT = (
    "SELECT chat_id, type, title, language, timezone, digest_time, summary_sentences, "
    "instant, paused, active, last_digest_at, created_at FROM chats"
)


def _chat(row: Sequence) -> Chat:
    """A Chat from a row of `_SELECT` (a tuple: ten thousand are read at a busy minute, so
    the fields go in by position, in `_SELECT`'s order, which is `Chat`'s)."""
    (chat_id, type_, title, language, timezone, digest_time, sentences,
     instant, paused, active, last_digest_at, created_at) = row  # fmt: skip
    return Chat(
        chat_id, type_, title, language, timezone, digest_time, sentences,
        bool(instant), bool(paused), bool(active),
        from_db_time(last_digest_at) if last_digest_at else None, from_db_time(created_at),
    )  # fmt: skip


def _column_value(name: str, value: object) -> object:
    """Check one setting and turn it into its column value; ValueError names what is wrong."""
    if name == "language" and value not in LANGUAGES:
        raise InvalidValueError(f"language {value!r} is not one of {', '.join(LANGUAGES)}")
    if name == "type" and value not in CHAT_TYPES:
        raise InvalidValueError(f"chat type {value!r} is not one of {', '.join(CHAT_TYPES)}")
    if name == "timezone":
        return parse_timezone(str(value))
    if name == "digest_time":
        return parse_clock(str(value))
    if name == "summary_sentences" and (
        type(value) is not int or not 1 <= value <= MAX_SUMMARY_SENTENCES
    ):
        raise InvalidValueError(f"summary length {value!r} is not 1 to {MAX_SUMMARY_SENTENCES}")
    if name in ("instant", "paused"):
        if not isinstance(value, bool):
            raise InvalidValueError(f"{name} must be True or False, not {value!r}")
        return int(value)
    if name == "last_digest_at":
        return None if value is None else to_db_time(value)
    if name == "title":
        return None if value is None else str(value)
    return value


_SETTABLE = (
    "type",
    "title",
    "language",
    "timezone",
    "digest_time",
    "summary_sentences",
    "instant",
    "paused",
    "last_digest_at",
)


def get_chat(db: Database, chat_id: int) -> Chat | None:
    row = db.execute(f"{_SELECT} WHERE chat_id = ?", [chat_id]).fetchone()
    return _chat(row) if row else None


def ensure_chat(
    db: Database,
    chat_id: int,
    *,
    type: str,
    title: str | None,
    language: str,
    timezone: str,
    digest_time: str,
    now: datetime,
    reactivate: bool = False,
) -> Chat:
    """The chat, created with these defaults if new; its type and title are kept current.

    `reactivate=True` (a /start, or being added back to a group) marks an inactive chat
    active again; other updates from an inactive chat leave it inactive.
    """
    row = {
        "chat_id": chat_id,
        "type": _column_value("type", type),
        "title": _column_value("title", title),
        "language": _column_value("language", language),
        "timezone": _column_value("timezone", timezone),
        "digest_time": _column_value("digest_time", digest_time),
        "summary_sentences": DEFAULT_SUMMARY_SENTENCES,
        "instant": 1,
        "paused": 0,
        "active": 1,
        "last_digest_at": None,
        "created_at": to_db_time(now),
    }
    with write_transaction(db):
        db.execute(
            f"INSERT OR IGNORE INTO chats ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        db.execute(
            "UPDATE chats SET type = :type, title = :title, active = MAX(active, :revive) "
            "WHERE chat_id = :chat_id "
            "AND (type != :type OR title IS NOT :title OR active < :revive)",  # only on change
            {**row, "revive": int(reactivate)},
        )
    return _chat(db.execute(f"{_SELECT} WHERE chat_id = ?", [chat_id]).fetchone())


def update_chat(db: Database, chat_id: int, **fields: object) -> Chat:
    """Change some settings of a chat; ValueError for an unknown field, a bad value or chat."""
    unknown = set(fields) - set(_SETTABLE)
    if unknown:
        raise InvalidValueError(f"not a chat setting: {', '.join(sorted(unknown))}")
    values = {name: _column_value(name, value) for name, value in fields.items()}
    if values:
        assignments = ", ".join(f"{name} = ?" for name in values)
        with write_transaction(db):
            db.execute(
                f"UPDATE chats SET {assignments} WHERE chat_id = ?", [*values.values(), chat_id]
            )
    chat = get_chat(db, chat_id)
    if chat is None:
        raise InvalidValueError(f"no chat {chat_id}")
    return chat


def set_active(db: Database, chat_id: int, active: bool, reason: str | None = None) -> bool:
    """Mark a chat active or inactive (blocked, kicked, deleted); True if it changed."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE chats SET active = ? WHERE chat_id = ? AND active != ?",
            [int(active), chat_id, int(active)],
        )
    if cursor.rowcount:
        log.info(
            "chat %s is now %s%s",
            chat_id,
            "active" if active else "inactive",
            f" ({reason})" if reason else "",
        )
    return bool(cursor.rowcount)


def migrate_chat(db: Database, old_id: int, new_id: int) -> Chat | None:
    """Move a group that became a supergroup to its new id, with everything it had.

    Settings, subscriptions, mutes and undelivered outbox rows move; what the new id already
    had is kept where both have it (its own subscriptions, its title). None if `old_id` is
    unknown.
    """
    old = get_chat(db, old_id)
    if old is None:
        return None
    with write_transaction(db):
        db.execute(
            """
            INSERT INTO chats (chat_id, type, title, language, timezone, digest_time,
                               summary_sentences, instant, paused, active, last_digest_at,
                               created_at)
            SELECT ?, 'supergroup', title, language, timezone, digest_time, summary_sentences,
                   instant, paused, active, last_digest_at, created_at
            FROM chats WHERE chat_id = ?
            ON CONFLICT (chat_id) DO UPDATE SET
                type = 'supergroup', title = COALESCE(chats.title, excluded.title),
                language = excluded.language, timezone = excluded.timezone,
                digest_time = excluded.digest_time,
                summary_sentences = excluded.summary_sentences, instant = excluded.instant,
                paused = excluded.paused, active = MAX(chats.active, excluded.active),
                last_digest_at = excluded.last_digest_at, created_at = excluded.created_at
            """,
            [new_id, old_id],
        )
        for table in ("subscriptions", "mutes"):  # the rest goes with the old chat (CASCADE)
            db.execute(
                f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", [new_id, old_id]
            )
        outbox.move_chat(db, old_id, new_id)
        db.execute("DELETE FROM chats WHERE chat_id = ?", [old_id])
    log.info("chat %s migrated to %s", old_id, new_id)
    return get_chat(db, new_id)


def active_chats(db: Database) -> list[Chat]:
    return [_chat(row) for row in db.execute(f"{_SELECT} WHERE active = 1")]


def chats_due_for_digest(db: Database, now_utc: datetime) -> list[Chat]:
    """Active, unpaused chats whose digest time today has come and not been served
    (`Chat.digest_due`). Today's slot is worked out once per time zone and digest time,
    which thousands of chats share; the rest is a comparison of times as stored, which
    sort as text in time order."""
    slots: dict[tuple[str, str], str | None] = {}  # -> today's slot, None if still to come
    now_text = to_db_time(now_utc)
    due = []
    for row in db.execute(f"{_SELECT} WHERE active = 1 AND paused = 0 ORDER BY chat_id"):
        zone_and_time, served = row[4:6], row[10] or row[11]  # (last digest or creation)
        if zone_and_time not in slots:
            slot = to_db_time(_slot(*zone_and_time, now_utc))
            slots[zone_and_time] = slot if slot <= now_text else None
        slot = slots[zone_and_time]
        if slot is not None and served < slot:
            due.append(_chat(row))
    return due
