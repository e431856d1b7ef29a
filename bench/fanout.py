"""Fan-out benchmark: one digest to each of N chats through the fake Telegram's flood limits.

Runs three senders against a fresh fake Bot API (1/s per chat, 30/s overall, 429 beyond),
each through the real python-telegram-bot `Bot` over HTTP:

- newsgist: the outbox and `bot.sender.drain` with the default `RateLimiter`;
- naive-seq: one message after another, no pacing, waiting retry_after on each 429;
- naive-gather: everything at once with asyncio.gather, no retry (what is refused is lost).

Digests are 1-3 KB of Telegram HTML built from real corpus titles when ../shared is there.

    .venv/bin/python bench/fanout.py [--chats 1000] [--only newsgist]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import random
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.error import RetryAfter, TelegramError  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.fakeapi import FakeTelegram  # noqa: E402
from bot.ratelimit import RateLimiter  # noqa: E402
from bot.sender import drain, retry_seconds  # noqa: E402
from sources.jekyll import parse_post_file  # noqa: E402
from storage import chats, outbox  # noqa: E402
from storage.db import open_db, utc_now  # noqa: E402
from storage.outbox import Outgoing, make_payload  # noqa: E402

TOKEN = "123456:BENCH-fanout"
CEILING = 30.0  # Telegram's messages per second for one bot
CORPUS = ROOT.parent / "shared" / "corpus" / "posts"
FIRST_CHAT = 10_000_001


@dataclass
class Result:
    name: str
    delivered: int
    lost: int
    refused_429: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"{self.name:<13} {self.delivered:>9} {self.lost:>5} {self.refused_429:>6} "
            f"{self.seconds:>8.1f} {self.rate:>8.1f} {self.rate / CEILING:>8.0%}"
        )


def headlines(count: int) -> list[tuple[str, str, str]]:
    """(title, url, opening) triples: corpus posts when present, else made-up ones."""
    found: list[tuple[str, str, str]] = []
    if CORPUS.is_dir():
        for path in sorted(CORPUS.iterdir())[: count * 2]:
            try:
                post = parse_post_file(path)
            except Exception:  # a bench does not care why one post is unreadable
                continue
            text = re.sub(r"<[^>]+>|\s+", " ", post.body).strip()
            found.append((post.title, post.url or "https://example.org/", text[:160]))
    while len(found) < count:
        n = len(found)
        found.append((f"Headline {n}", f"https://example.org/{n}", "Lorem ipsum dolor. " * 8))
    return found[:count]


def digests(count: int) -> list[str]:
    """`count` digests of 1-3 KB of HTML, 2 to 9 items each."""
    pool = headlines(200)
    rng = random.Random(7)
    result = []
    for n in range(count):
        items = rng.sample(pool, rng.randint(2, 9))
        lines = [f"<b>Your digest</b> · #{n}"]
        for title, url, opening in items:
            lines.append(
                f'• <a href="{html.escape(url)}">{html.escape(title)}</a>\n'
                f"<i>{html.escape(opening)}</i>"
            )
        text = "\n\n".join(lines)
        while len(text.encode()) > 3000:
            text = text[: text.rfind("\n\n•")]
        result.append(text)
    return result


def make_bot(fake: FakeTelegram) -> Bot:
    """PTB's default pool of 256 connections; waiting for one is not an error here."""
    request = HTTPXRequest(pool_timeout=None, read_timeout=30)
    return Bot(TOKEN, base_url=fake.base_url, request=request)


async def newsgist(bot: Bot, texts: list[str], workdir: Path) -> tuple[int, int, float]:
    """Enqueue every digest, then drain the outbox once: (delivered, lost, seconds)."""
    db = open_db(workdir / "bench.db")
    now = utc_now()
    for offset in range(len(texts)):
        chats.ensure_chat(
            db,
            FIRST_CHAT + offset,
            type="private",
            title=None,
            language="en",
            timezone="UTC",
            digest_time="08:00",
            now=now,
        )
    day = datetime.now(UTC).date().isoformat()
    outbox.enqueue_many(
        db,
        [
            Outgoing(FIRST_CHAT + n, "digest", f"digest:{FIRST_CHAT + n}:{day}", make_payload(t))
            for n, t in enumerate(texts)
        ],
        now=now,
    )
    started = time.perf_counter()
    report = await drain(bot, db, RateLimiter())
    seconds = time.perf_counter() - started
    lost = outbox.pending_count(db) + outbox.failed_count(db)
    db.close()
    return report.sent, lost, seconds


async def naive_sequential(bot: Bot, texts: list[str], _: Path) -> tuple[int, int, float]:
    """A careful but unpaced bot: send, and on 429 sleep retry_after and send again."""
    started = time.perf_counter()
    for n, text in enumerate(texts):
        while True:
            try:
                await bot.send_message(FIRST_CHAT + n, text, parse_mode="HTML")
                break
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error))
    return len(texts), 0, time.perf_counter() - started


async def naive_gather(bot: Bot, texts: list[str], _: Path) -> tuple[int, int, float]:
    """Fire everything at once; a refused message is not tried again."""
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(bot.send_message(FIRST_CHAT + n, t, parse_mode="HTML") for n, t in enumerate(texts)),
        return_exceptions=True,
    )
    seconds = time.perf_counter() - started
    lost = sum(isinstance(answer, TelegramError) for answer in answers)
    return len(texts) - lost, lost, seconds


Runner = Callable[[Bot, list[str], Path], Awaitable[tuple[int, int, float]]]
RUNNERS: dict[str, Runner] = {
    "newsgist": newsgist,
    "naive-seq": naive_sequential,
    "naive-gather": naive_gather,
}


async def run(name: str, texts: list[str]) -> Result:
    """One sender against a fresh fake Telegram (empty flood buckets) in its own thread."""
    with FakeTelegram.run_in_thread(token=TOKEN) as fake, tempfile.TemporaryDirectory() as tmp:
        for n in range(len(texts)):
            fake.add_chat(FIRST_CHAT + n)
        async with make_bot(fake) as bot:
            delivered, lost, seconds = await RUNNERS[name](bot, texts, Path(tmp))
        return Result(name, delivered, lost, fake.too_many_requests, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--only", choices=list(RUNNERS), action="append")
    options = parser.parse_args()
    texts = digests(options.chats)
    sizes = sorted(len(t.encode()) for t in texts)
    print(f"{len(texts)} digests, {sizes[0]}-{sizes[-1]} bytes (median {sizes[len(sizes) // 2]})")
    print(
        f"{'sender':<13} {'delivered':>9} {'lost':>5} {'429s':>6} {'seconds':>8} "
        f"{'msg/s':>8} {'of 30/s':>8}"
    )
    for name in options.only or list(RUNNERS):
        print(asyncio.run(run(name, texts)).row(), flush=True)


if __name__ == "__main__":
    main()
