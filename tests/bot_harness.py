"""The bot under test, for real: `build_application` + FakeTelegram + a SQLite file + stored
articles made by the real summariser from the posts in tests/fixtures/bot/posts.

Loaded as a plugin (`pytest_plugins = ["bot_harness"]`); the `bot` fixture yields a `Harness`
whose `send`/`press` inject what a user does and return once the bot has handled it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.app import build_application, polling
from bot.clock import FakeClock
from bot.fakeapi import Call, FakeTelegram, StoredMessage
from newsgist.settings import Secret, Settings
from sources.jekyll import parse_post_file
from storage.articles import save_articles
from storage.db import open_db
from summariser.article import Article
from summariser.pipeline import build_article

POSTS = Path(__file__).parent / "fixtures" / "bot" / "posts"
PAGES = Path(__file__).parent / "fixtures" / "bot" / "pages"
TOKEN = "123456:SECRET-token_value"
NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)  # the posts were published this morning
ADMIN = 4242  # the operator named in the settings
HUMAN_PACE = 3.0  # seconds the clock moves per user action: 20 a minute, the command limit


@functools.cache
def fixture_articles() -> tuple[Article, ...]:
    """The fixture posts as the real pipeline summarises them (built once per session)."""
    return tuple(build_article(parse_post_file(path)) for path in sorted(POSTS.iterdir()))


def article_titled(prefix: str) -> Article:
    return next(a for a in fixture_articles() if a.title.startswith(prefix))


@pytest.fixture(scope="session")
def story() -> Callable[[str], Article]:
    """Look up a fixture article by the start of its title."""
    return article_titled


class Harness:
    """A running bot and the fake Telegram it talks to."""

    def __init__(self, tg: FakeTelegram, app: Application, db: Any, clock: FakeClock) -> None:
        self.tg = tg
        self.app = app
        self.db = db
        self.clock = clock
        self.allowed_failures: set[str] = set()  # API methods a test expects to be refused
        self._done: set[int] = set()
        self._ids = itertools.count(10_001)
        self._handled = asyncio.Event()
        process = app.process_update

        async def process_and_record(update: object) -> None:
            try:
                await process(update)
            finally:
                self._done.add(getattr(update, "update_id", -1))
                self._handled.set()

        app.process_update = process_and_record  # type: ignore[method-assign]

    def new_user(self) -> int:
        """A user id (and private chat id) no other test of the module has used."""
        return next(self._ids)

    def new_group(self) -> int:
        """A basic group's id no other test of the module has used."""
        return -next(self._ids)

    async def handled(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot has finished with the update (all its handlers returned)."""
        async with asyncio.timeout(timeout):
            while update_id not in self._done:
                self._handled.clear()
                await self._handled.wait()

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.tg.sent_messages(chat_id) if m.from_bot]

    async def send(
        self, chat_id: int, text: str, *, pace: bool = True, **options: Any
    ) -> list[StoredMessage]:
        """A user writes `text`; returns the messages the bot sent to the chat for it."""
        if pace:
            self.clock.advance(HUMAN_PACE)
        before = {m.message_id for m in self.bot_messages(chat_id)}
        update = self.tg.inject_message(chat_id, text, **options)
        assert update is not None, "Telegram would not show this to the bot"
        await self.handled(update["update_id"])
        return [m for m in self.bot_messages(chat_id) if m.message_id not in before]

    async def reply_text(self, chat_id: int, text: str, **options: Any) -> str:
        """The visible text of the bot's one reply to `text`."""
        [reply] = await self.send(chat_id, text, **options)
        return reply.text

    async def press(
        self, chat_id: int, message: StoredMessage, data: str, *, user_id: int | None = None
    ) -> Call:
        """A user presses the button with `data`; returns the bot's answerCallbackQuery."""
        self.clock.advance(HUMAN_PACE)
        mark = self.tg.mark()
        update = self.tg.inject_callback(chat_id, message.message_id, data, user_id=user_id)
        await self.handled(update["update_id"])
        answers = [c for c in self.tg.calls()[mark:] if c.method == "answerCallbackQuery"]
        assert answers, "every button press must be answered"
        return answers[-1]

    async def member(self, chat_id: int, status: str, **options: Any) -> None:
        """The bot's membership in a chat changes (added, removed, blocked)."""
        update = self.tg.inject_my_chat_member(chat_id, status, **options)
        await self.handled(update["update_id"])

    async def inline(self, user_id: int, query: str, offset: str = "", **options: Any) -> Call:
        update = self.tg.inject_inline_query(user_id, query, offset, **options)
        await self.handled(update["update_id"])
        return self.tg.calls("answerInlineQuery")[-1]


def bot_settings(tg: FakeTelegram, data_dir: Path) -> Settings:
    return Settings(
        token=Secret(TOKEN),
        api_base_url=tg.base_url,
        data_dir=data_dir,
        admins=frozenset({ADMIN}),
        timezone="Asia/Taipei",
        digest_time="08:00",
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """One running bot per test module (starting one costs more than most tests)."""
    data_dir = tmp_path_factory.mktemp("bot")
    db = open_db(data_dir / "newsgist.db")
    save_articles(db, fixture_articles(), now=NOW)
    clock = FakeClock(NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter as a timedelta, no warning
        async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
            app = build_application(bot_settings(tg, data_dir), db, clock=clock, install_jobs=False)
            async with polling(app):
                yield Harness(tg, app, db, clock)
    db.close()


@pytest_asyncio.fixture(loop_scope="module")
async def bot(running_bot: Harness) -> AsyncIterator[Harness]:
    """The module's bot; the test fails if Telegram refused any call the bot made during it,
    or if a message went out without HTML parse mode and with a link preview.

    Tests share the bot and its database, so each uses chat and user ids of its own.
    """
    mark = running_bot.tg.mark()
    running_bot.allowed_failures = set()
    yield running_bot
    refused = [
        f"{call.method}: {call.error}"
        for call in running_bot.tg.calls()[mark:]
        if not call.ok and call.method not in running_bot.allowed_failures
    ]
    assert not refused, f"Telegram refused calls: {refused}"
    for call in running_bot.tg.calls()[mark:]:
        if call.method in ("sendMessage", "editMessageText"):
            assert call.params.get("parse_mode") == "HTML", call.params
            assert call.params.get("link_preview_options") == {"is_disabled": True}, call.params
