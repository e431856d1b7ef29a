"""Soak: a few hundred users talk to the bot while the poll job ingests a pile of posts.

The ingest runs as the bot runs it (`bot.jobs.poll_once`: a worker thread with a SQLite
connection of its own), while the event loop writes chats and subscriptions and reads
searches on the bot's connection. Both must get through (WAL, busy_timeout), every command
must be answered, and nothing may be logged as an error ("database is locked" least of all).
Posts: 500 of the shared corpus when ../shared is present, else 1,000 made up here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from bot_harness import TOKEN, Harness, bot_settings

from bot.app import build_application, polling
from bot.clock import SystemClock
from bot.context import deps_of
from bot.fakeapi import FakeTelegram
from bot.jobs import PollReport, poll_once
from storage.articles import count_articles
from storage.db import open_db

CORPUS_POSTS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "posts"
USERS = 200
CORPUS_SAMPLE = 500
MADE_UP_POSTS = 1000
TERMS = ["台灣", "颱風", "半導體", "climate", "election", "香港", "日本", "AI"]
QUEUE_WAIT = 120.0  # seconds
COMMANDS = ("/start", "/subscribe {term}", "/search {term}", "/latest", "/list", "/tags")


def made_up_posts(folder: Path, count: int) -> None:
    """Posts in the mirror's dialect, in Chinese and English, about the followed terms."""
    rng = random.Random(7)
    zh = ["政府今天宣布新的措施", "專家表示情況仍需觀察", "市場反應平穩", "居民關注後續發展"]
    en = ["Officials announced new measures", "Experts said the picture was mixed",
          "Markets were calm", "Residents are watching closely"]  # fmt: skip
    start = datetime(2025, 11, 1, tzinfo=UTC)
    folder.mkdir(parents=True)
    for number in range(count):
        term = TERMS[number % len(TERMS)]
        chinese = number % 2 == 0
        lines = zh if chinese else en
        sentences = [f"{term}{rng.choice(lines)}。" if chinese else f"{term}: {rng.choice(lines)}."
                     for _ in range(8)]  # fmt: skip
        published = start + timedelta(hours=number)
        title = f"{term} 報導第{number}則" if chinese else f"{term} report number {number}"
        body = "".join(f"<p>{' '.join(sentences[i : i + 2])}</p>" for i in range(0, 8, 2))
        (folder / f"{published:%Y-%m-%d}-SOAK-post-{number}.html").write_text(
            f"---\nlayout: post\ntitle: {title}\n"
            f"date: {published:%Y-%m-%d %H:%M:%S} +00:00\n"
            f"link: https://soak.example.com/{number}\ncategories: soak\n---\n{body}\n",
            encoding="utf-8",
        )


def post_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    if CORPUS_POSTS.is_dir():
        folder.mkdir()
        everything = sorted(CORPUS_POSTS.iterdir())
        for path in everything[:: len(everything) // CORPUS_SAMPLE][:CORPUS_SAMPLE]:
            shutil.copy(path, folder / path.name)
    else:
        made_up_posts(folder, MADE_UP_POSTS)
    return folder


@pytest_asyncio.fixture
async def soak_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The real Application on the real clock, one folder source, polling a fake Telegram."""
    folder = post_folder(tmp_path)
    db = open_db(tmp_path / "newsgist.db")
    clock = SystemClock()
    async with FakeTelegram(token=TOKEN, flood_limits=False) as tg:
        settings = dataclasses.replace(bot_settings(tg, tmp_path), sources=(str(folder),))
        app = build_application(settings, db, clock=clock, install_jobs=False)
        async with polling(app):
            yield Harness(tg, app, db, clock)  # type: ignore[arg-type]
    db.close()


async def test_users_are_answered_while_the_sources_are_ingested(
    soak_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = soak_bot
    posts = len(list(Path(deps_of(bot.app).settings.sources[0]).iterdir()))
    answered: list[float] = []  # when each command got its answer
    unanswered: list[str] = []
    waits: list[float] = []  # from the user's send to the bot's answer

    async def user(number: int) -> None:
        chat_id = 700_000 + number
        term = TERMS[number % len(TERMS)]
        for command in COMMANDS:
            text = command.format(term=term)
            before = len(bot.bot_messages(chat_id))
            sent = time.monotonic()
            update = bot.tg.inject_message(chat_id, text, language_code="en")
            assert update is not None
            # All 200 users type at once: a command may wait behind the whole queue.
            await bot.handled(update["update_id"], timeout=QUEUE_WAIT)
            if len(bot.bot_messages(chat_id)) > before:
                answered.append(time.monotonic())
                waits.append(answered[-1] - sent)
            else:
                unanswered.append(f"{chat_id} {text}")

    async def poll() -> tuple[PollReport | None, float]:
        report = await poll_once(bot.app)
        return report, time.monotonic()

    stalls: list[float] = []  # how late the event loop woke a 20 ms sleeper

    async def watch_loop() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.02)
            stalls.append(time.monotonic() - before - 0.02)

    watcher = asyncio.create_task(watch_loop())
    started = time.monotonic()
    ingest = asyncio.create_task(poll())
    await asyncio.gather(*(user(number) for number in range(USERS)))
    report, ingest_done = await ingest
    took = time.monotonic() - started
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    during = sum(moment < ingest_done for moment in answered)

    commands = USERS * len(COMMANDS)
    print(
        f"{len(answered)} of {commands} commands answered in {took:.1f}s; "
        f"{during} of them while {posts} posts were ingested in {ingest_done - started:.1f}s; "
        f"longest event-loop stall {max(stalls):.2f}s, longest wait for an answer "
        f"{max(waits):.1f}s"
    )
    assert unanswered == [] and len(answered) == commands
    assert during >= 50  # the two writers really overlapped
    assert max(stalls) < 5  # nobody's command sat behind a database lock for long
    assert report is not None and report.ingest is not None
    assert report.ingest.failed_sources == []
    totals = report.ingest.totals
    assert totals["new"] + totals["failed"] == posts
    assert count_articles(bot.db) == totals["new"] >= posts * 0.9
    refused = [c for c in bot.tg.calls() if not c.ok and c.method != "getUpdates"]
    assert refused == []
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    locked = [r.getMessage() for r in caplog.records if "locked" in r.getMessage()]
    assert problems == [] and locked == []
    subscribed = bot.db.execute("SELECT count(DISTINCT chat_id) FROM subscriptions").fetchone()
    assert subscribed[0] == USERS
