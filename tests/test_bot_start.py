"""/start, /help, the command menu, deep links, unknown commands and the error handler."""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING

import pytest

from bot.i18n import COMMANDS
from storage import chats, subscriptions

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def user(bot: Harness) -> int:
    return bot.new_user()


ADMIN = 4242  # bot_harness.ADMIN


def b64(term: str) -> str:
    return base64.urlsafe_b64encode(term.encode()).decode().rstrip("=")


async def test_start_welcomes_in_the_users_language_and_creates_the_chat(
    bot: Harness, user: int
) -> None:
    text = await bot.reply_text(user, "/start", language_code="zh-TW")

    assert "歡迎使用 newsgist" in text
    for first_step in ("/subscribe", "/latest", "/search"):
        assert first_step in text
    chat = chats.get_chat(bot.db, user)
    assert chat is not None and (chat.language, chat.type, chat.active) == (
        "zh-Hant",
        "private",
        True,
    )
    assert chat.timezone == "Asia/Taipei"  # the operator's default for new chats


@pytest.mark.parametrize(
    ("code", "helping", "welcome"),
    [("zh-CN", "我能为您做这些事", "欢迎使用"), ("en-GB", "Here is what I can do", "Welcome to")],
)
async def test_first_contact_language_decides_the_replies(
    bot: Harness, user: int, code: str, helping: str, welcome: str
) -> None:
    assert helping in await bot.reply_text(user, "/help", language_code=code)
    assert welcome in await bot.reply_text(user, "/start")  # remembered, not asked again


async def test_help_lists_every_public_command_and_admins_also_see_stats(
    bot: Harness, user: int
) -> None:
    text = await bot.reply_text(user, "/help", language_code="en")
    admin_text = await bot.reply_text(ADMIN, "/help", language_code="en")

    for command in COMMANDS:
        assert (f"/{command.name}" in text) is not command.admin
        assert f"/{command.name}" in admin_text


async def test_command_menu_is_registered_for_default_english_and_chinese(
    bot: Harness, user: int
) -> None:
    menus = {code: bot.tg.commands(language_code=code) for code in ("", "en", "zh")}

    public = [c.name for c in COMMANDS if not c.admin]
    for code, menu in menus.items():
        assert [entry["command"] for entry in menu] == public, code
    assert menus[""] == menus["en"]
    subscribe = {
        code: menu[public.index("subscribe")]["description"] for code, menu in menus.items()
    }
    assert (
        subscribe["en"].startswith("Follow") and subscribe["zh"] == "关注话题（关键词、人名或标签）"
    )


async def test_a_traditional_chinese_user_gets_a_menu_of_their_own(bot: Harness, user: int) -> None:
    mainland = bot.new_user()
    await bot.send(user, "/start", language_code="zh-Hant")
    await bot.send(mainland, "/start", language_code="zh-CN")

    scope = {"type": "chat", "chat_id": user}
    [subscribe] = [c for c in bot.tg.commands(scope=scope) if c["command"] == "subscribe"]
    assert subscribe["description"] == "關注主題（關鍵字、人名或標籤）"
    assert bot.tg.commands(scope={"type": "chat", "chat_id": mainland}) == []  # "zh" serves them


async def test_deep_link_subscribes_directly(bot: Harness, user: int) -> None:
    text = await bot.reply_text(user, "/start sub_typhoon", language_code="en")

    assert "Now following: typhoon" in text
    assert [s.term for s in subscriptions.list_subscriptions(bot.db, user)] == ["typhoon"]


async def test_deep_link_with_a_base64_payload_carries_chinese_tags(
    bot: Harness, user: int
) -> None:
    text = await bot.reply_text(user, f"/start sub_b64_{b64('台灣')}", language_code="zh-TW")

    assert "已關注：台灣" in text
    [sub] = subscriptions.list_subscriptions(bot.db, user)
    assert (sub.term, sub.display) == ("台湾", "台灣")  # stored folded, shown as typed


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        ("sub_b64_!!!", "Welcome to newsgist"),  # not base64: an ordinary /start
        ("sub_b64_", "Welcome to newsgist"),
        (f"sub_b64_{b64('x' * 41)}", "is too long"),
        (f"sub_b64_{b64(chr(0x202E) + chr(7))}", "Please type a word"),
    ],
)
async def test_a_broken_deep_link_subscribes_nothing_and_says_why(
    bot: Harness, user: int, payload: str, answer: str
) -> None:
    text = await bot.reply_text(user, f"/start {payload}", language_code="en")

    assert answer in text
    assert subscriptions.list_subscriptions(bot.db, user) == []


async def test_start_brings_back_a_user_who_had_blocked_the_bot(bot: Harness, user: int) -> None:
    await bot.send(user, "/subscribe AI", language_code="en")
    await bot.member(user, "kicked")  # the user blocks the bot
    assert not chats.get_chat(bot.db, user).active

    # Telegram reports the unblock (member) before the /start message; both reactivate.
    text = await bot.reply_text(user, "/start")

    assert "Welcome back" in text
    assert chats.get_chat(bot.db, user).active


async def test_start_alone_reactivates_an_inactive_chat(bot: Harness, user: int) -> None:
    await bot.send(user, "/help", language_code="en")
    chats.set_active(bot.db, user, False, "blocked")  # e.g. the sender saw 403 earlier

    await bot.send(user, "/latest")
    assert not chats.get_chat(bot.db, user).active  # ordinary commands do not revive it
    await bot.send(user, "/start")
    assert chats.get_chat(bot.db, user).active


async def test_unknown_command_points_to_help(bot: Harness, user: int) -> None:
    text = await bot.reply_text(user, "/frobnicate now", language_code="en")
    assert text == "I don't know that command. Send /help to see what I can do."


async def test_in_groups_only_unknown_commands_addressed_to_us_are_answered(
    bot: Harness, user: int
) -> None:
    group = bot.new_group()
    await bot.member(group, "member", user_id=user)
    asked = await bot.send(group, "/frobnicate@newsgist_test_bot", user_id=user)
    other_bot = await bot.send(group, "/frobnicate", user_id=user)  # may be another bot's

    assert [m.text for m in asked] == [
        "I don't know that command. Send /help to see what I can do."
    ]
    assert other_bot == []


async def test_unexpected_errors_are_logged_without_the_token_and_the_user_is_told(
    bot: Harness, user: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(
            f"database on fire while calling {bot.tg.base_url}123456:SECRET-token_value"
        )

    monkeypatch.setattr("bot.handlers.lookup.articles.trending_tags", broken)
    with caplog.at_level(logging.ERROR, logger="bot"):
        text = await bot.reply_text(user, "/tags", language_code="en")

    assert text == "Sorry, something went wrong. Please try again later."
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "database on fire" in logged and "RuntimeError" in logged
    assert "SECRET-token_value" not in logged and "123456:" not in logged
    assert "***" in logged
