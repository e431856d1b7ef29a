"""Instant alerts planned from a real SQLite database into the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jobs_support import T0, add_chat, follow, hours, mute_words, news, outbox_items, store
from sqlite_utils import Database

from bot import alerts
from bot.alerts import BURST, deliver_alerts, plan_alerts, read_cursor

ALICE, BOB = 1001, 1002
NOW = T0 + hours(1)


@pytest.fixture
def alice(db: Database) -> int:
    add_chat(db, ALICE, now=T0 - timedelta(days=1))
    follow(db, ALICE, "typhoon")
    return ALICE


def test_a_new_matching_article_alerts_once(db: Database, alice: int) -> None:
    storm = news("Typhoon reaches the coast", seed=1, mentions=["typhoon"])
    other = news("Council approves budget", seed=2)
    store(db, storm, other, now=NOW)

    assert deliver_alerts(db, now=NOW) == 1
    assert deliver_alerts(db, now=NOW + hours(1)) == 0

    [item] = outbox_items(db)
    assert (item.chat_id, item.kind, item.article_ids) == (ALICE, "alert", (storm.id,))
    assert item.dedupe_key == f"alert:{ALICE}:{storm.id}"
    assert "Typhoon reaches the coast" in item.payload["text"]
    assert "<b>typhoon</b>" in item.payload["text"]  # the term that matched, as typed
    assert read_cursor(db) == 2


def test_an_edited_article_never_alerts_again(db: Database, alice: int) -> None:
    first = news("Typhoon reaches the coast", seed=1, mentions=["typhoon"])
    store(db, first, now=NOW)
    assert deliver_alerts(db, now=NOW) == 1

    edited = news("Typhoon reaches the coast, updated", seed=1, mentions=["typhoon", "rain"])
    assert edited.id == first.id
    assert store(db, edited, now=NOW + hours(1)) == {"updated": 1}
    assert deliver_alerts(db, now=NOW + hours(1)) == 0

    later = news("Second typhoon forms", seed=3, mentions=["typhoon"])
    store(db, later, now=NOW + hours(2))
    assert deliver_alerts(db, now=NOW + hours(2)) == 1
    assert [item.article_ids for item in outbox_items(db)] == [(first.id,), (later.id,)]


def test_a_muted_word_wins_over_a_subscription(db: Database, alice: int) -> None:
    mute_words(db, ALICE, "football")
    match = news("Typhoon delays football final", seed=1, mentions=["typhoon", "football"])
    plain = news("Typhoon closes schools", seed=2, mentions=["typhoon"])
    store(db, match, plain, now=NOW)

    deliver_alerts(db, now=NOW)

    assert [item.article_ids for item in outbox_items(db)] == [(plain.id,)]


def test_a_burst_is_bundled_into_one_message(db: Database, alice: int) -> None:
    add_chat(db, BOB, now=T0 - timedelta(days=1))
    follow(db, BOB, "election closed")
    storms = [
        news(f"Typhoon bulletin {n}", seed=10 + n, mentions=["typhoon"], published=T0 + hours(n))
        for n in range(BURST + 2)
    ]
    elections = [
        news(f"Election update {n}", seed=30 + n, mentions=["election closed"]) for n in range(2)
    ]
    store(db, *storms, *elections, now=NOW)

    deliver_alerts(db, now=NOW)

    [bundle] = [item for item in outbox_items(db) if item.chat_id == ALICE]
    assert bundle.dedupe_key.startswith(f"alert:{ALICE}:bundle:")
    assert set(bundle.article_ids) == {a.id for a in storms}
    text = bundle.payload["text"]
    assert f"{len(storms)} new stories" in text
    # newest first: the stories match the same terms, so recency decides
    positions = [text.index(a.title) for a in reversed(storms)]
    assert positions == sorted(positions)
    assert len([item for item in outbox_items(db) if item.chat_id == BOB]) == 2


def test_a_bundle_is_enqueued_once_even_when_planned_twice(db: Database, alice: int) -> None:
    store(db, *[news(f"Typhoon {n}", seed=n, mentions=["typhoon"]) for n in range(5)], now=NOW)
    planned, cursor = plan_alerts(db, after_seq=0, now=NOW)
    again, _ = plan_alerts(db, after_seq=0, now=NOW)
    assert [m.dedupe_key for m in planned] == [m.dedupe_key for m in again]
    assert cursor == 5


def test_articles_published_long_ago_never_alert(db: Database, alice: int) -> None:
    """A first scan of a month of posts must not wake everybody up."""
    old = news("Typhoon of last month", seed=1, mentions=["typhoon"], published=NOW - hours(72))
    recent = news("Typhoon this morning", seed=2, mentions=["typhoon"], published=NOW - hours(3))
    store(db, old, recent, now=NOW)

    deliver_alerts(db, now=NOW)

    assert [item.article_ids for item in outbox_items(db)] == [(recent.id,)]
    assert read_cursor(db) == 2


def test_a_story_alerts_once_across_outlets_and_cycles(db: Database, alice: int) -> None:
    text = "typhoon " + " ".join(f"w{n}" for n in range(80))
    first = news("Typhoon hits", seed=1, text=text, source="wire")
    store(db, first, now=NOW)
    deliver_alerts(db, now=NOW)

    repost = news("Typhoon hits (repost)", seed=2, text=text, source="formosa")
    store(db, repost, now=NOW + hours(1))
    deliver_alerts(db, now=NOW + hours(1))

    assert [item.article_ids for item in outbox_items(db)] == [(first.id,)]


def test_one_story_in_both_scripts_alerts_once_in_the_chats_script(db: Database) -> None:
    for chat_id, language in ((BOB, "zh-Hans"), (BOB + 1, "zh-Hant")):
        add_chat(db, chat_id, now=T0 - timedelta(days=1), language=language)
        follow(db, chat_id, "台灣")
    body = (
        "颱風今天登陸台灣東部，" + "花蓮縣與台東縣宣布停班停課，山區累積雨量可能超過五百毫米。" * 3
    )
    hant = news("颱風登陸台灣", seed=1, text=body, lang="zh-Hant", source="formosa")
    hans = news("台风登陆台湾", seed=2, text=body, lang="zh-Hans", source="huanan")
    store(db, hant, hans, now=NOW)

    deliver_alerts(db, now=NOW)

    sent = {item.chat_id: item.article_ids for item in outbox_items(db)}
    assert sent == {BOB: (hans.id,), BOB + 1: (hant.id,)}


def test_only_chats_that_want_instant_alerts_get_them(db: Database, alice: int) -> None:
    chats = {
        2001: {"instant": False},
        2002: {"paused": True},
        2003: {},  # follows for the digest only
        2004: {},  # blocked the bot
        2005: {},
    }
    for chat_id, settings in chats.items():
        add_chat(db, chat_id, now=T0, **settings)
        follow(db, chat_id, "typhoon", instant=chat_id != 2003)
    db.execute("UPDATE chats SET active = 0 WHERE chat_id = 2004")
    db.conn.commit()
    store(db, news("Typhoon warning", seed=1, mentions=["typhoon"]), now=NOW)

    deliver_alerts(db, now=NOW)

    assert sorted(item.chat_id for item in outbox_items(db)) == [ALICE, 2005]


def test_a_crash_before_the_cursor_moves_loses_and_doubles_nothing(
    db: Database, alice: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    store(db, news("Typhoon warning", seed=1, mentions=["typhoon"]), now=NOW)

    def crash(*args: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(alerts, "_write_cursor", crash)
        with pytest.raises(OSError):
            deliver_alerts(db, now=NOW)
    assert outbox_items(db) == [] and read_cursor(db) == 0

    assert deliver_alerts(db, now=NOW) == 1
    assert deliver_alerts(db, now=NOW) == 0
    assert len(outbox_items(db)) == 1
