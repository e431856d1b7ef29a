"""Daily digests planned from a real SQLite database into the outbox."""

from __future__ import annotations

import html
import random
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from jobs_support import T0, add_chat, follow, hours, mute_words, news, outbox_items, store
from sqlite_utils import Database

from bot.callbacks import decode, moment_code, term_key
from bot.digest import GROUP_CAP, build_digest, deliver_digests, plan_digests
from bot.fakeapi import parse_html, utf16_len
from bot.matching import normalise_term
from storage.chats import get_chat
from storage.subscriptions import all_mutes, all_subscriptions

ALICE = 1001
TAIPEI = "Asia/Taipei"  # T0 is 08:00 there
MINUTE = timedelta(minutes=1)


@pytest.fixture
def alice(db: Database) -> int:
    add_chat(db, ALICE, now=T0 - timedelta(days=3), timezone=TAIPEI, digest_time="08:00")
    follow(db, ALICE, "typhoon")
    follow(db, ALICE, "election")  # followed later: shown after typhoon
    return ALICE


def digest_texts(db: Database) -> list[str]:
    return [item.payload["text"] for item in outbox_items(db, "digest")]


def test_the_digest_comes_at_the_chats_own_hour_once(db: Database, alice: int) -> None:
    store(db, news("Typhoon nears", seed=1, mentions=["typhoon"]), now=T0 - hours(3))

    assert deliver_digests(db, now=T0 - MINUTE) == 0  # 07:59 in Taipei
    assert get_chat(db, ALICE).last_digest_at is None
    assert deliver_digests(db, now=T0) == 1  # 08:00
    assert deliver_digests(db, now=T0 + MINUTE) == 0

    [item] = outbox_items(db, "digest")
    assert item.dedupe_key == f"digest:{ALICE}:2025-11-20:08:00:0"
    assert "Typhoon nears" in item.payload["text"]
    assert get_chat(db, ALICE).last_digest_at == T0


def test_a_digest_missed_while_down_is_sent_on_return_once(db: Database, alice: int) -> None:
    db.execute("UPDATE chats SET last_digest_at = ?", [(T0 - timedelta(days=1)).isoformat()])
    db.conn.commit()
    store(db, news("Typhoon nears", seed=1, mentions=["typhoon"]), now=T0 - hours(2))

    back = T0 + hours(3.5)  # the bot was down from 07:00 to 11:30 Taipei time
    assert deliver_digests(db, now=back) == 1
    assert deliver_digests(db, now=back + MINUTE) == 0
    assert deliver_digests(db, now=back + hours(5)) == 0
    assert len(digest_texts(db)) == 1


def test_nothing_new_sends_nothing_but_closes_the_window(db: Database, alice: int) -> None:
    store(db, news("Council meets", seed=1, mentions=["council"]), now=T0 - hours(3))

    assert deliver_digests(db, now=T0) == 0

    assert outbox_items(db) == []
    assert get_chat(db, ALICE).last_digest_at == T0


def test_the_window_runs_from_the_last_digest(db: Database, alice: int) -> None:
    yesterday = T0 - timedelta(days=1)
    store(db, news("Typhoon forms", seed=1, mentions=["typhoon"]), now=yesterday - hours(2))
    assert deliver_digests(db, now=yesterday) == 1
    late = news("Typhoon late import", seed=2, mentions=["typhoon"], published=yesterday - hours(1))
    store(db, late, now=yesterday + hours(5))  # published before, first seen after the digest

    deliver_digests(db, now=T0)

    first, second = digest_texts(db)
    assert "Typhoon forms" in first and "Typhoon forms" not in second
    assert "Typhoon late import" in second


def test_near_duplicates_are_one_story_naming_the_other_outlets(db: Database, alice: int) -> None:
    text = "typhoon " + " ".join(f"w{n}" for n in range(80))
    store(
        db,
        news("Typhoon hits", seed=1, text=text, source="wire", published=T0 - hours(5)),
        news("Typhoon hits!", seed=2, text=text, source="dw", published=T0 - hours(4)),
        news("Typhoon hits.", seed=3, text=text, source="bbc", published=T0 - hours(3)),
        now=T0 - hours(1),
    )

    deliver_digests(db, now=T0)

    [text_sent] = digest_texts(db)
    assert text_sent.count("Typhoon hits") == 1
    assert "also from: dw, bbc" in text_sent
    assert "1 story" in text_sent


def test_a_story_known_before_the_window_is_not_news_again(db: Database, alice: int) -> None:
    text = "typhoon " + " ".join(f"w{n}" for n in range(80))
    store(db, news("Typhoon hits", seed=1, text=text), now=T0 - timedelta(days=1, hours=2))
    deliver_digests(db, now=T0 - timedelta(days=1))
    repost = news("Typhoon hits again", seed=2, text=text, source="dw", published=T0 - hours(2))
    store(db, repost, now=T0 - hours(1))

    assert deliver_digests(db, now=T0) == 0


def test_a_mute_hides_a_story_only_where_every_matching_version_is_muted(
    db: Database, alice: int
) -> None:
    mute_words(db, ALICE, "football")
    text = "typhoon " + " ".join(f"w{n}" for n in range(80))
    store(
        db,
        news("Typhoon hits the coast", seed=1, text=text, source="dw", published=T0 - hours(5)),
        news("Typhoon stops football", seed=2, text=text, source="wire", published=T0 - hours(4)),
        news(
            "Typhoon and football", seed=3, mentions=["typhoon football"], published=T0 - hours(3)
        ),
        now=T0 - hours(1),
    )

    deliver_digests(db, now=T0)

    [text_sent] = digest_texts(db)
    assert "Typhoon hits the coast" in text_sent  # its other version is muted, this one not
    assert "also from: wire" in text_sent
    assert "Typhoon and football" not in text_sent  # its only version is muted
    assert "1 story" in text_sent


def test_stories_are_grouped_by_subscription_most_relevant_first(db: Database, alice: int) -> None:
    mute_words(db, ALICE, "football")
    store(
        db,
        news("Typhoon one", seed=1, mentions=["typhoon"], published=T0 - hours(1)),
        news(
            "Typhoon and election", seed=2, mentions=["typhoon election"], published=T0 - hours(6)
        ),
        news("Election only", seed=3, mentions=["election"], published=T0 - hours(2)),
        news("Typhoon football", seed=4, mentions=["typhoon football"], published=T0 - hours(1)),
        now=T0 - hours(1),
    )

    deliver_digests(db, now=T0)

    [text] = digest_texts(db)
    order = [
        text.index(title) for title in ("Typhoon and election", "Typhoon one", "Election only")
    ]
    assert order == sorted(order)
    assert text.index("<b>typhoon</b>") < text.index("Typhoon one") < text.index("<b>election</b>")
    assert text.count("Typhoon and election") == 1  # shown once, under its first topic
    assert "football" not in text.lower()
    assert "3 stories" in text


def test_a_busy_topic_is_capped_with_a_pointer_to_the_rest(db: Database, alice: int) -> None:
    many = [
        news(f"Typhoon bulletin {n}", seed=n, mentions=["typhoon"], published=T0 - hours(n / 10))
        for n in range(GROUP_CAP + 4)
    ]
    store(db, *many, now=T0 - hours(2))

    deliver_digests(db, now=T0)

    items = outbox_items(db, "digest")
    joined = "".join(item.payload["text"] for item in items)
    shown = [a for a in many if f"{a.title}</a>" in joined]
    assert [a.title for a in shown] == [a.title for a in many[:GROUP_CAP]]  # newest first
    assert "…and 4 more: <code>/search typhoon</code>" in joined
    assert all("reply_markup" not in item.payload for item in items[:-1])  # under the end
    [[button]] = items[-1].payload["reply_markup"]["inline_keyboard"]
    assert button["text"] == "➕ typhoon: 4 more"
    fields = decode(button["callback_data"]).fields  # the digest's window, and the topic
    assert fields == {
        "since": moment_code(T0 - timedelta(hours=24)), "until": moment_code(T0),
        "key": term_key("typhoon"), "offset": "0",
    }  # fmt: skip


def test_a_long_digest_is_split_between_stories(db: Database) -> None:
    add_chat(db, ALICE, now=T0 - timedelta(days=3), timezone=TAIPEI, summary_sentences=5)
    follow(db, ALICE, "typhoon, election, tariff")
    long_summary = tuple(f"Sentence {n} of a long summary " + "x" * 120 + "." for n in range(5))
    articles = [
        news(f"Story {term} {n}", seed=100 + 10 * i + n, mentions=[term])
        for i, term in enumerate(("typhoon", "election", "tariff"))
        for n in range(8)
    ]
    articles = [
        type(a)(**{**a.__dict__, "summary": long_summary}) for a in articles
    ]  # five long sentences each
    store(db, *articles, now=T0 - hours(1))

    deliver_digests(db, now=T0)

    items = outbox_items(db, "digest")
    assert len(items) > 1
    assert [item.dedupe_key.rsplit(":", 1)[1] for item in items] == [
        str(n) for n in range(len(items))
    ]
    for item in items:
        visible = parse_html(item.payload["text"]).text  # Telegram would accept it
        assert utf16_len(visible) <= 4096
        assert utf16_len(item.payload["text"]) <= 4096
    texts = [item.payload["text"] for item in items]
    for article in articles:
        holding = [text for text in texts if article.title in text]
        assert len(holding) == 1  # never cut between two messages
        assert long_summary[-1] in holding[0].split(article.title, 1)[1]


def test_one_pool_for_everyone_gives_what_each_chat_would_get_alone(db: Database) -> None:
    """`plan_digests` renders each story once for all chats and splits on known lengths;
    every chat must still get exactly what `render.digest_messages` gives it alone."""
    rng = random.Random(7)
    vocabulary = ["typhoon", "election", "tariff", "vaccine", "satellite", "earthquake", "台灣"]
    articles = []
    for n in range(80):
        article = news(
            f"Item {n} <{rng.choice(vocabulary)}>",
            seed=200 + n,
            mentions=rng.sample(vocabulary, 2),
            published=T0 - hours(rng.uniform(0.1, 30)),
            lang=rng.choice(["en", "zh-Hant"]),
        )
        summary = tuple(f"Sentence {k} & more " + "word " * rng.randint(5, 150) for k in range(5))
        articles.append(replace(article, summary=summary))
    store(db, *articles, now=T0 - hours(1))
    for chat_id in range(1, 61):
        add_chat(
            db, chat_id, now=T0 - timedelta(days=2), timezone=rng.choice(["UTC", TAIPEI]),
            digest_time=rng.choice(["00:00", "07:30"]), language=rng.choice(["en", "zh-Hant"]),
            summary_sentences=rng.randint(1, 5),
        )  # fmt: skip
        follow(db, chat_id, ", ".join(rng.sample(vocabulary, rng.randint(1, 5))))
        if chat_id % 4 == 0:
            mute_words(db, chat_id, rng.choice(vocabulary))
    subscriptions, mutes = all_subscriptions(db), all_mutes(db)

    planned = plan_digests(db, T0)

    by_chat: dict[int, list[str]] = {}
    buttons: dict[int, list[tuple[str, int]]] = {}
    for message in planned:
        by_chat.setdefault(message.chat_id, []).append(message.payload["text"])
        for [button] in message.payload.get("reply_markup", {}).get("inline_keyboard", []):
            count = int(re.search(r"\d+", button["text"]).group())
            buttons.setdefault(message.chat_id, []).append(
                (decode(button["callback_data"]).fields["key"], count)
            )
    alone = {}
    for chat_id in range(1, 61):
        chat = get_chat(db, chat_id)
        if not chat.digest_due(T0):
            continue
        texts = build_digest(
            db, chat, subscriptions.get(chat_id, []), mutes.get(chat_id, []),
            since=T0 - timedelta(hours=24), until=T0,
        )  # fmt: skip
        if texts:
            alone[chat_id] = texts
    assert by_chat == alone
    assert len(alone) > 15
    assert any(len(texts) > 2 for texts in alone.values())  # long digests were split
    # a "more" button for each group the digest capped, as its "…and N more" lines say
    capped = {
        chat_id: [
            (term_key(normalise_term(html.unescape(term))), int(count))
            for count, term in re.findall(
                r"…\D*(\d+)[^<]*<code>/search (.*?)</code>", "".join(texts)
            )
        ]
        for chat_id, texts in alone.items()
    }
    assert buttons == {chat_id: found for chat_id, found in capped.items() if found}
    assert len(buttons) > 10
