"""The "more" button under a digest, end to end: the real Application and handlers on the
fake Telegram, a real SQLite file, the digest planned and delivered by the real jobs, and a
restart between the digest and the press."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from bot_harness import TOKEN, Harness, bot_settings
from jobs_support import hours, news, store
from sqlite_utils import Database

from bot.app import build_application, polling
from bot.callbacks import MAX_BYTES, decode, encode, moment_code, term_key
from bot.clock import FakeClock
from bot.digest import GROUP_CAP, MORE_PAGE
from bot.fakeapi import Call, FakeTelegram, StoredMessage
from bot.jobs import digest_tick, drain_outbox
from storage.db import open_db
from summariser.article import Article

START = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)  # 20:00 in Taipei
DIGEST_AT = datetime(2025, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 in Taipei, the default time
ALICE = 7001


@dataclass
class World:
    """A fake Telegram and a database that outlive any one run of the bot."""

    tg: FakeTelegram
    db: Database
    clock: FakeClock
    data_dir: Path


@pytest_asyncio.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    db = open_db(tmp_path / "newsgist.db")
    async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
        yield World(tg, db, FakeClock(START), tmp_path)
    db.close()


@asynccontextmanager
async def running(world: World) -> AsyncIterator[Harness]:
    """One run of the bot (a process, as far as the bot can tell: nothing in memory
    survives it); every message and answer it sent must have been accepted, messages with
    HTML and without link previews."""
    mark = world.tg.mark()
    app = build_application(
        bot_settings(world.tg, world.data_dir), world.db, clock=world.clock, install_jobs=False
    )
    async with polling(app):
        yield Harness(world.tg, app, world.db, world.clock)
    calls = [c for c in world.tg.calls()[mark:] if c.method != "getUpdates"]  # not ours
    assert [f"{c.method}: {c.error}" for c in calls if not c.ok] == []
    for call in calls:
        if call.method == "sendMessage":
            assert call.params.get("parse_mode") == "HTML"
            assert call.params.get("link_preview_options") == {"is_disabled": True}


def bulletins(term: str, count: int, *, seed: int) -> list[Article]:
    """`count` stories about `term`, an hour apart, the first the newest."""
    return [
        news(
            f"{term.capitalize()} bulletin {n}",
            seed=seed + n,
            mentions=[term],
            published=START - hours(n + 1),
        )  # fmt: skip
        for n in range(count)
    ]


async def digest(bot: Harness, chat_id: int) -> list[StoredMessage]:
    """The digest due at 08:00 Taipei time, planned and delivered by the real jobs."""
    before = len(bot.bot_messages(chat_id))
    bot.clock.set(DIGEST_AT)
    await digest_tick(bot.app)
    await drain_outbox(bot.app)
    return bot.bot_messages(chat_id)[before:]


async def press(bot: Harness, chat_id: int, message: StoredMessage, data: str) -> tuple:
    """Press a button; the answer and the messages the bot sent for it."""
    before = len(bot.bot_messages(chat_id))
    answer = await bot.press(chat_id, message, data)
    return answer, bot.bot_messages(chat_id)[before:]


def count_in(messages: list[StoredMessage], title: str) -> int:
    return sum(message.text.count(f"{title}\n") for message in messages)


async def test_a_capped_topic_has_a_button_that_sends_the_rest_once(world: World) -> None:
    stories = bulletins("zephyr", GROUP_CAP + 4, seed=100)
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="en")
        store(world.db, *stories, now=world.clock.now())
        sent = await digest(bot, ALICE)

        *parts, last = sent
        assert all(not part.buttons() for part in parts)  # the keyboard is under the end
        [button] = last.buttons()
        assert button["text"] == "➕ zephyr: 4 more"
        assert len(button["callback_data"].encode()) <= MAX_BYTES
        assert [count_in(sent, s.title) for s in stories] == [1] * GROUP_CAP + [0] * 4

        answer, more = await press(bot, ALICE, last, button["callback_data"])

    assert answer.ok and "text" not in answer.params  # no pop-up: the stories are the answer
    [message] = more
    assert message.text.startswith("🔹 zephyr: 4 more stories")
    assert [count_in(sent + more, s.title) for s in stories] == [1] * (GROUP_CAP + 4)
    assert "Summary sentence 110." in message.text  # rendered as the digest renders items
    assert message.buttons() == []  # nothing left to ask for
    assert last.buttons() == []  # the used button went; the digest itself is unchanged
    assert last.text == sent[-1].text


async def test_the_button_works_after_a_restart_in_the_chats_language(world: World) -> None:
    stories = bulletins("zephyr", GROUP_CAP + 2, seed=200)
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="zh-TW")
        store(world.db, *stories, now=world.clock.now())
        *_, last = await digest(bot, ALICE)
    [button] = last.buttons()
    assert button["text"] == "➕ zephyr：再看 2 則"

    async with running(world) as bot:  # a new process: only the database remembers
        answer, more = await press(bot, ALICE, last, button["callback_data"])

    assert answer.ok
    [message] = more
    assert message.text.startswith("🔹 zephyr：還有 2 則新聞")
    assert [count_in(more, s.title) for s in stories] == [0] * GROUP_CAP + [1, 1]


async def test_a_long_tail_comes_a_page_at_a_time_each_story_once(world: World) -> None:
    stories = bulletins("zephyr", GROUP_CAP + MORE_PAGE + 3, seed=300)
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="en")
        store(world.db, *stories, now=world.clock.now())
        sent = await digest(bot, ALICE)
        [button] = sent[-1].buttons()
        assert button["text"] == f"➕ zephyr: {MORE_PAGE + 3} more"

        _, first = await press(bot, ALICE, sent[-1], button["callback_data"])
        [next_button] = first[-1].buttons()
        assert next_button["text"] == "➕ zephyr: 3 more"
        _, second = await press(bot, ALICE, first[-1], next_button["callback_data"])

    assert first[0].text.startswith(f"🔹 zephyr: {MORE_PAGE} more stories")
    assert second[0].text.startswith("🔹 zephyr: 3 more stories")
    everything = sent + first + second
    assert [count_in(everything, s.title) for s in stories] == [1] * len(stories)
    page = "\n".join(message.text for message in first)
    places = [page.index(f"{s.title}\n") for s in stories[GROUP_CAP : GROUP_CAP + MORE_PAGE]]
    assert places == sorted(places)  # the next ten, newest first as in the digest
    assert second[-1].buttons() == []


async def test_a_double_tap_is_answered_not_served_twice(world: World) -> None:
    stories = bulletins("zephyr", GROUP_CAP + 2, seed=400)
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="en")
        store(world.db, *stories, now=world.clock.now())
        *_, last = await digest(bot, ALICE)
        data = last.buttons()[0]["callback_data"]
        before = len(bot.bot_messages(ALICE))
        mark = world.tg.mark()
        taps = [world.tg.inject_callback(ALICE, last.message_id, data) for _ in range(2)]
        for tap in taps:
            await bot.handled(tap["update_id"])
        answers = [c for c in world.tg.calls()[mark:] if c.method == "answerCallbackQuery"]
        more = bot.bot_messages(ALICE)[before:]

    assert len(more) == 1
    assert [count_in(more, s.title) for s in stories] == [0] * GROUP_CAP + [1, 1]
    assert [a.params.get("text") for a in answers] == [None, "Already sent: see above."]


async def test_no_button_when_every_story_fits(world: World) -> None:
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="en")
        store(world.db, *bulletins("zephyr", GROUP_CAP, seed=500), now=world.clock.now())
        sent = await digest(bot, ALICE)
    assert sent and all(message.buttons() == [] for message in sent)


async def forged(bot: Harness, message: StoredMessage, data: str) -> tuple[Call, list]:
    """A modified client sends `data` for a real message of the bot, whatever its buttons."""
    message.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    return await press(bot, message.chat_id, message, data)


async def test_forged_or_expired_buttons_get_a_helpful_answer_and_nothing_else(
    world: World,
) -> None:
    async with running(world) as bot:
        await bot.send(ALICE, "/subscribe zephyr", language_code="en")
        store(world.db, *bulletins("zephyr", GROUP_CAP + 3, seed=600), now=world.clock.now())
        *_, last = await digest(bot, ALICE)
        real = decode(last.buttons()[0]["callback_data"]).fields
        since = real["since"]
        shapes = {
            "d:nonsense": "That button has expired. Please send the command again.",
            encode(  # a digest this chat never had: made a day earlier
                "digest_more", since=since, until=moment_code(DIGEST_AT - timedelta(days=1)),
                key=real["key"], offset=0,
            ): "That digest is too old to open up now: try /search instead.",
            encode(  # a topic the chat does not follow
                "digest_more", since=since, until=real["until"], key=term_key("typhoon"),
                offset=0,
            ): "You no longer follow that topic.",
            encode(  # past the end of the topic's stories
                "digest_more", since=since, until=real["until"], key=real["key"], offset=99,
            ): "No more stories about zephyr.",
        }  # fmt: skip
        for data, expected in shapes.items():
            answer, sent = await forged(bot, last, data)
            assert (answer.params.get("text"), sent) == (expected, [])
