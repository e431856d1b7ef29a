"""Chats, their settings, subscriptions and mutes, on real SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from storage import outbox
from storage.chats import (
    Chat,
    active_chats,
    chats_due_for_digest,
    ensure_chat,
    get_chat,
    migrate_chat,
    parse_clock,
    parse_timezone,
    set_active,
    update_chat,
)
from storage.db import open_db
from storage.exceptions import StorageError
from storage.subscriptions import (
    all_mutes,
    all_subscriptions,
    list_mutes,
    list_subscriptions,
    mute,
    set_instant,
    subscribe,
    unmute,
    unsubscribe,
)

T0 = datetime(2025, 11, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "newsgist.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_db(db_path)
    yield database
    database.close()


def new_chat(
    db: Database,
    chat_id: int,
    *,
    type: str = "private",
    title: str | None = None,
    timezone: str = "UTC",
    digest_time: str = "08:00",
    now: datetime = T0,
    reactivate: bool = False,
) -> Chat:
    return ensure_chat(
        db,
        chat_id,
        type=type,
        title=title,
        language="zh-Hant",
        timezone=timezone,
        digest_time=digest_time,
        now=now,
        reactivate=reactivate,
    )


def terms(*displays: str) -> list[tuple[str, str]]:
    return [(display.casefold(), display) for display in displays]


# chats


def test_a_new_chat_gets_the_defaults_and_keeps_its_settings(db: Database, db_path: Path) -> None:
    chat = new_chat(db, 42, timezone="Asia/Taipei", digest_time="7:30")
    assert (chat.chat_id, chat.type, chat.language, chat.timezone) == (
        42,
        "private",
        "zh-Hant",
        "Asia/Taipei",
    )
    assert chat.digest_time == "07:30"
    assert (chat.summary_sentences, chat.instant, chat.paused, chat.active) == (
        3,
        True,
        False,
        True,
    )
    assert chat.created_at == T0 and chat.last_digest_at is None

    update_chat(db, 42, language="en", summary_sentences=5, instant=False)
    again = new_chat(db, 42, timezone="UTC", digest_time="09:00", now=T0 + timedelta(days=3))
    assert (again.language, again.timezone, again.digest_time) == ("en", "Asia/Taipei", "07:30")
    assert (again.summary_sentences, again.instant, again.created_at) == (5, False, T0)

    db.close()
    reopened = open_db(db_path)
    assert get_chat(reopened, 42) == again
    reopened.close()


def test_group_title_and_type_follow_telegram(db: Database) -> None:
    new_chat(db, -100, type="group", title="Old name")
    chat = new_chat(db, -100, type="supergroup", title="New name")
    assert (chat.type, chat.title) == ("supergroup", "New name")


def test_an_inactive_chat_comes_back_only_with_reactivate(db: Database) -> None:
    new_chat(db, 7)
    assert set_active(db, 7, False, "Forbidden: bot was blocked by the user")
    assert not set_active(db, 7, False)  # no change the second time
    assert new_chat(db, 7).active is False  # any update from the chat: still inactive
    assert [c.chat_id for c in active_chats(db)] == []
    assert new_chat(db, 7, reactivate=True).active is True  # /start
    assert [c.chat_id for c in active_chats(db)] == [7]


def test_unknown_chat_is_none(db: Database) -> None:
    assert get_chat(db, 999) is None
    with pytest.raises(ValueError, match="no chat"):
        update_chat(db, 999, paused=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "fr"),
        ("timezone", "Mars/Base"),
        ("digest_time", "24:00"),
        ("digest_time", "noon"),
        ("summary_sentences", 0),
        ("summary_sentences", 6),
        ("summary_sentences", "3"),
        ("instant", "yes"),
        ("paused", 1),
        ("type", "forum"),
        ("active", False),  # set_active says why; update_chat does not
    ],
)
def test_update_chat_refuses_bad_values(db: Database, field: str, value: object) -> None:
    before = new_chat(db, 1)
    with pytest.raises(StorageError):  # also a ValueError, for code checking input
        update_chat(db, 1, **{field: value})
    assert get_chat(db, 1) == before


def test_update_chat_normalises_what_users_type(db: Database) -> None:
    new_chat(db, 1)
    chat = update_chat(db, 1, timezone="asia/taipei", digest_time="0730")
    assert (chat.timezone, chat.digest_time) == ("Asia/Taipei", "07:30")
    assert update_chat(db, 1, timezone="Taipei").timezone == "Asia/Taipei"
    stamp = datetime(2025, 11, 2, 0, 0, 5, tzinfo=UTC)
    assert update_chat(db, 1, last_digest_at=stamp).last_digest_at == stamp


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("7:30", "07:30"),
        ("07:30", "07:30"),
        ("0730", "07:30"),
        ("23：59", "23:59"),
        (" 8.05 ", "08:05"),
        ("0:00", "00:00"),
    ],
)
def test_parse_clock(text: str, clock: str) -> None:
    assert parse_clock(text) == clock


@pytest.mark.parametrize("text", ["", "8", "24:00", "12:60", "7:5", "ab:cd", "12:00:00"])
def test_parse_clock_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "zone", "offset"),
    [
        ("Europe/London", "Europe/London", "+0000"),
        ("europe/london", "Europe/London", "+0000"),
        ("new york", "America/New_York", "-0500"),
        ("Taipei", "Asia/Taipei", "+0800"),
        ("UTC+8", "Etc/GMT-8", "+0800"),  # what people mean, not what Etc/GMT+8 means
        ("GMT+8", "Etc/GMT-8", "+0800"),
        ("+08:00", "Etc/GMT-8", "+0800"),
        ("utc-5", "Etc/GMT+5", "-0500"),
        ("UTC", "UTC", "+0000"),
    ],
)
def test_parse_timezone(text: str, zone: str, offset: str) -> None:
    assert parse_timezone(text) == zone
    winter = datetime(2025, 1, 15, tzinfo=UTC)
    assert winter.astimezone(ZoneInfo(zone)).strftime("%z") == offset


@pytest.mark.parametrize("text", ["Atlantis", "", "localtime", "../etc/passwd", "+15", "+5:30"])
def test_parse_timezone_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timezone(text)


# group -> supergroup


def test_migrate_moves_settings_subscriptions_mutes_and_undelivered_messages(
    db: Database,
) -> None:
    new_chat(db, -1, type="group", title="Team", timezone="Asia/Taipei")
    update_chat(db, -1, digest_time="18:00", paused=True, language="en")
    subscribe(db, -1, terms("AI", "Chips"), now=T0)
    mute(db, -1, terms("Sport"), now=T0)
    waiting = outbox.enqueue(db, -1, "alert", "a", outbox.make_payload("x"), now=T0)
    sent = outbox.enqueue(db, -1, "alert", "b", outbox.make_payload("y"), now=T0)
    outbox.mark_sent(db, sent, 1, T0)
    # the supergroup already spoke to the bot (a default chat) and followed something
    new_chat(db, -1002, type="supergroup", title=None)
    subscribe(db, -1002, terms("Chips", "Taiwan"), now=T0)

    moved = migrate_chat(db, -1, -1002)

    assert get_chat(db, -1) is None
    assert moved is not None and moved.chat_id == -1002
    assert (moved.type, moved.title, moved.timezone, moved.digest_time) == (
        "supergroup",
        "Team",
        "Asia/Taipei",
        "18:00",
    )
    assert (moved.language, moved.paused) == ("en", True)
    assert {s.display for s in list_subscriptions(db, -1002)} == {"AI", "Chips", "Taiwan"}
    assert [m.display for m in list_mutes(db, -1002)] == ["Sport"]
    assert list_subscriptions(db, -1) == [] and list_mutes(db, -1) == []
    assert outbox.get_item(db, waiting).chat_id == -1002
    assert outbox.get_item(db, sent).chat_id == -1  # history stays where it happened


def test_migrating_an_unknown_chat_does_nothing(db: Database) -> None:
    assert migrate_chat(db, -5, -1005) is None
    assert get_chat(db, -1005) is None


# digests


def test_digest_is_due_once_its_local_time_has_come(db: Database) -> None:
    # 08:00 in Taipei is 00:00 UTC; the chat was created the day before.
    new_chat(db, 1, timezone="Asia/Taipei", digest_time="08:00", now=T0 - timedelta(days=1))
    assert chats_due_for_digest(db, T0 - timedelta(minutes=1)) == []
    (due,) = chats_due_for_digest(db, T0)
    assert due.chat_id == 1
    update_chat(db, 1, last_digest_at=T0 + timedelta(seconds=30))
    assert chats_due_for_digest(db, T0 + timedelta(hours=5)) == []
    assert chats_due_for_digest(db, T0 + timedelta(days=1) - timedelta(minutes=1)) == []
    assert [c.chat_id for c in chats_due_for_digest(db, T0 + timedelta(days=1))] == [1]


def test_digest_missed_while_down_is_sent_on_return_once(db: Database) -> None:
    new_chat(db, 1, digest_time="08:00", now=T0)
    update_chat(db, 1, last_digest_at=T0 + timedelta(hours=8))  # 1 Nov 08:00 served
    back = T0 + timedelta(days=2, hours=10)  # down over 2 Nov, back 3 Nov 10:00
    assert [c.chat_id for c in chats_due_for_digest(db, back)] == [1]
    update_chat(db, 1, last_digest_at=back)
    assert chats_due_for_digest(db, back + timedelta(hours=1)) == []


def test_a_chat_created_after_todays_slot_waits_for_tomorrow(db: Database) -> None:
    new_chat(db, 1, digest_time="08:00", now=T0 + timedelta(hours=9))
    assert chats_due_for_digest(db, T0 + timedelta(hours=12)) == []
    assert [c.chat_id for c in chats_due_for_digest(db, T0 + timedelta(days=1, hours=8))] == [1]


def test_paused_and_inactive_chats_get_no_digest(db: Database) -> None:
    for chat_id in (1, 2, 3):
        new_chat(db, chat_id, now=T0 - timedelta(days=1))
    update_chat(db, 2, paused=True)
    set_active(db, 3, False)
    assert [c.chat_id for c in chats_due_for_digest(db, T0 + timedelta(hours=9))] == [1]


def test_each_chat_is_due_at_its_own_local_time(db: Database) -> None:
    joined = T0 - timedelta(hours=1)  # 31 October, 19:00 in New York
    new_chat(db, 1, timezone="Asia/Taipei", digest_time="08:00", now=joined)  # 00:00 UTC
    new_chat(db, 2, timezone="Europe/London", digest_time="08:00", now=joined)  # 08:00 UTC
    new_chat(db, 3, timezone="America/New_York", digest_time="08:00", now=joined)  # 12:00
    due_at = {
        hour: [c.chat_id for c in chats_due_for_digest(db, T0 + timedelta(hours=hour))]
        for hour in (1, 9, 13)
    }
    assert due_at == {1: [1], 9: [1, 2], 13: [1, 2, 3]}


def test_digest_on_a_daylight_saving_morning(db: Database) -> None:
    # London skips 01:00-02:00 on 30 March 2025; a 01:30 digest still comes, once.
    day = datetime(2025, 3, 30, tzinfo=UTC)
    new_chat(db, 1, timezone="Europe/London", digest_time="01:30", now=day - timedelta(days=1))
    assert chats_due_for_digest(db, day + timedelta(minutes=89)) == []
    assert [c.chat_id for c in chats_due_for_digest(db, day + timedelta(minutes=90))] == [1]


# subscriptions and mutes


def test_subscribe_reports_added_already_and_over_limit(db: Database, db_path: Path) -> None:
    new_chat(db, 1)
    result = subscribe(db, 1, terms("AI", "Chips", "AI"), limit=3, now=T0)
    assert result == (["AI", "Chips"], ["AI"], [])
    added, already, over = subscribe(db, 1, terms("Chips", "Taiwan", "Japan"), limit=3, now=T0)
    assert (added, already, over) == (["Taiwan"], ["Chips"], ["Japan"])
    db.close()
    reopened = open_db(db_path)
    assert [s.display for s in list_subscriptions(reopened, 1)] == ["AI", "Chips", "Taiwan"]
    reopened.close()


def test_subscriptions_keep_what_the_user_typed(db: Database) -> None:
    new_chat(db, 1)
    subscribe(db, 1, [("台积电", "台積電")], now=T0)
    (sub,) = list_subscriptions(db, 1)
    assert (sub.term, sub.display, sub.instant, sub.created_at) == ("台积电", "台積電", True, T0)
    assert subscribe(db, 1, [("台积电", "台积电")], now=T0).already == ["台積電"]


def test_unsubscribe_and_instant_switch(db: Database) -> None:
    new_chat(db, 1)
    subscribe(db, 1, terms("AI", "Chips"), now=T0)
    assert set_instant(db, 1, "ai", False)
    assert not set_instant(db, 1, "nothing", False)
    assert [(s.display, s.instant) for s in list_subscriptions(db, 1)] == [
        ("AI", False),
        ("Chips", True),
    ]
    assert unsubscribe(db, 1, ["ai", "taiwan", "ai"]) == (["AI"], ["taiwan"])
    assert [s.display for s in list_subscriptions(db, 1)] == ["Chips"]


def test_mutes(db: Database) -> None:
    new_chat(db, 1)
    assert mute(db, 1, terms("Sport", "Sport"), now=T0) == (["Sport"], ["Sport"], [])
    assert mute(db, 1, terms("Weather", "Gossip"), limit=2, now=T0).over_limit == ["Gossip"]
    assert [m.display for m in list_mutes(db, 1)] == ["Sport", "Weather"]
    assert unmute(db, 1, ["sport", "gossip"]) == (["Sport"], ["gossip"])
    assert all_mutes(db) == {1: ["weather"]}


def test_all_subscriptions_only_for_chats_that_receive(db: Database) -> None:
    for chat_id in (1, 2, 3, 4):
        new_chat(db, chat_id)
        subscribe(db, chat_id, terms(f"T{chat_id}", "Common"), now=T0 + timedelta(seconds=chat_id))
    update_chat(db, 2, paused=True)
    set_active(db, 3, False)
    found = all_subscriptions(db)
    assert sorted(found) == [1, 4]
    assert [s.term for s in found[4]] == ["common", "t4"]
