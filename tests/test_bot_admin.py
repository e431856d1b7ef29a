"""/stats: the operators' view; to everyone else it is an unknown command."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from storage import outbox, sources
from storage.outbox import make_payload

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = 4242  # bot_harness.ADMIN, named in the settings
TOKEN = "123456:SECRET-token_value"  # bot_harness.TOKEN
UNKNOWN = "I don't know that command. Send /help to see what I can do."


def numbers(text: str) -> dict[str, int]:
    """Every "Label: 12" of the statistics, by label."""
    return {label: int(n) for label, n in re.findall(r"([A-Za-z][A-Za-z ]*): (\d+)", text)}


async def stats(bot: Harness) -> str:
    return await bot.reply_text(ADMIN, "/stats", language_code="en")


async def test_stats_are_unknown_to_everyone_but_the_admins(bot: Harness) -> None:
    user = bot.new_user()
    assert await bot.reply_text(user, "/stats", language_code="en") == UNKNOWN
    assert "/stats" not in await bot.reply_text(user, "/help")


async def test_stats_count_users_topics_articles_and_deliveries(bot: Harness) -> None:
    before = numbers(await stats(bot))
    assert before["Articles"] == 10

    user = bot.new_user()
    await bot.send(user, "/subscribe 台灣, brand new topic", language_code="en")
    await bot.send(user, "/mute sport")
    now = bot.clock.now()
    payload = make_payload("a digest")
    sent = outbox.enqueue(bot.db, user, "digest", f"test:{user}:1", payload, now=now)
    outbox.mark_sent(bot.db, sent, 99, now)
    failed = outbox.enqueue(bot.db, user, "alert", f"test:{user}:2", payload, now=now)
    outbox.mark_failed(bot.db, failed, "Bad Request: message is too long")
    outbox.enqueue(bot.db, user, "alert", f"test:{user}:3", payload, now=now)
    sources.record_failure(bot.db, "cna", "_posts/broken.md", "front matter has no title", now)

    after = numbers(await stats(bot))

    assert after["Users"] == before["Users"] + 1
    assert after["Subscriptions"] == before["Subscriptions"] + 2
    assert after["muted words"] == before["muted words"] + 1
    assert after["Delivered today"] == before["Delivered today"] + 1
    assert after["waiting"] == before["waiting"] + 1
    assert after["failed"] == before["failed"] + 1
    assert after["posts that could not be read"] == before["posts that could not be read"] + 1


async def test_stats_show_each_source_and_never_a_secret(bot: Harness) -> None:
    sources.record_scan(
        bot.db,
        "cna",
        "git",
        "https://github.com/example/cna.git",
        state={},
        counts={"new": 7},
        now=bot.clock.now(),
    )
    sources.record_scan(
        bot.db,
        "private-feed",
        "feed",
        "https://reader:hunter2@feeds.example.com/rss",
        state={},
        counts={},
        error=f"GET https://reader:hunter2@feeds.example.com/rss?key={TOKEN} failed: 401",
        now=bot.clock.now(),
    )

    scanned = f"{bot.clock.now().astimezone(ZoneInfo('Asia/Taipei')):%m-%d %H:%M}"

    text = await stats(bot)

    assert f"✅ cna: scanned {scanned}, 7 new" in text
    assert f"⚠️ private-feed: scan at {scanned} failed: GET https://***@feeds" in text
    assert TOKEN not in text and "SECRET-token_value" not in text and "hunter2" not in text


async def test_stats_are_not_shown_in_groups(bot: Harness) -> None:
    group = bot.new_group()
    await bot.member(group, "member", user_id=ADMIN)
    text = await bot.reply_text(group, "/stats@newsgist_test_bot", user_id=ADMIN)
    assert text == "That command only works in a private chat with me."
