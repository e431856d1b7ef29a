"""/settings and /language: the button screens, typed values, validation, and saving."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storage import chats

if TYPE_CHECKING:
    from bot_harness import Harness

    from bot.fakeapi import StoredMessage

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def user(bot: Harness) -> int:
    return bot.new_user()


def button(message: StoredMessage, label: str) -> str:
    """The callback data of the button whose text starts with `label`."""
    found = [b["callback_data"] for b in message.buttons() if b["text"].startswith(label)]
    assert found, f"no button {label!r} in {[b['text'] for b in message.buttons()]}"
    return found[0]


def setting(bot: Harness, name: str, chat_id: int) -> object:
    return getattr(chats.get_chat(bot.db, chat_id), name)


async def open_settings(bot: Harness, user: int) -> StoredMessage:
    [screen] = await bot.send(user, "/settings", language_code="en")
    return screen


async def test_settings_screen_shows_every_setting_with_buttons(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)

    assert screen.text.splitlines()[:7] == [
        "⚙️ Settings",
        "🕗 Daily digest at: 08:00",
        "🌏 Time zone: Asia/Taipei",
        "💬 Language: English",
        "📝 Summary length: 3 sentences",
        "🔔 Instant alerts: on",
        "⏯ Status: delivering",
    ]
    assert [b["text"] for b in screen.buttons()] == [
        "🕗 Digest time",
        "🌏 Time zone",
        "💬 Language",
        "📝 Summary length",
        "🔕 Turn instant alerts off",
        "⏸ Pause everything",
    ]
    assert all(len(b["callback_data"].encode()) <= 64 for b in screen.buttons())


async def test_digest_time_from_a_preset_button(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "🕗"))
    assert screen.text.startswith("When should your daily digest arrive?")

    answer = await bot.press(user, screen, button(screen, "07:30"))

    assert (
        answer.params["text"] == "Done: your digest will arrive every day at 07:30 (Asia/Taipei)."
    )
    assert setting(bot, "digest_time", user) == "07:30"
    assert "🕗 Daily digest at: 07:30" in screen.text  # back on the main screen


async def test_digest_time_typed_after_the_prompt(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "🕗"))

    assert await bot.reply_text(user, "6:45") == (
        "Done: your digest will arrive every day at 06:45 (Asia/Taipei)."
    )
    assert setting(bot, "digest_time", user) == "06:45"
    # the prompt is answered once; the next plain message is not a time any more
    assert "Send me a link" in await bot.reply_text(user, "7:00")


@pytest.mark.parametrize(
    ("typed", "saved", "field", "value"),
    [
        ("/settings time 07:30", "every day at 07:30", "digest_time", "07:30"),
        ("/settings time 0715", "every day at 07:15", "digest_time", "07:15"),
        (
            "/settings tz Europe/London",
            "Time zone set to Europe/London",
            "timezone",
            "Europe/London",
        ),
        ("/settings timezone tokyo", "Time zone set to Asia/Tokyo", "timezone", "Asia/Tokyo"),
        ("/settings length 1", "summaries will have 1 sentence.", "summary_sentences", 1),
        ("/settings instant off", "Instant alerts are off", "instant", False),
        ("/settings pause", "Paused.", "paused", True),
        ("/settings lang zh-Hant", "好的，之後我會用繁體中文", "language", "zh-Hant"),
    ],
)
async def test_typed_settings(
    bot: Harness, user: int, typed: str, saved: str, field: str, value: object
) -> None:
    await bot.send(user, "/start", language_code="en")
    assert saved in await bot.reply_text(user, typed)
    assert setting(bot, field, user) == value


async def test_time_zone_reply_tells_the_local_time(bot: Harness, user: int) -> None:
    await bot.send(user, "/start", language_code="en")
    text = await bot.reply_text(user, "/settings tz Asia/Taipei")
    local = bot.clock.now().astimezone(chats.get_chat(bot.db, user).zone)
    assert text == f"Time zone set to Asia/Taipei; it is {local:%H:%M} there now."


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/settings time 25:00", "“25:00” isn't a time I understand."),
        ("/settings time <b>noon</b>", "“<b>noon</b>” isn't a time I understand."),
        ("/settings tz Mars/Olympus_Mons", "I don't know the time zone “Mars/Olympus_Mons”."),
        ("/settings tz ../../etc/passwd", "I don't know the time zone “../../etc/passwd”."),
        ("/settings length 9", "Here is how it works"),
        ("/settings colour blue", "Here is how it works"),
        ("/settings time", "Here is how it works"),
        ("/language klingon", "Here is how it works"),
    ],
)
async def test_invalid_settings_are_refused_politely_and_change_nothing(
    bot: Harness, user: int, typed: str, answer: str
) -> None:
    await bot.send(user, "/start", language_code="en")
    before = chats.get_chat(bot.db, user)

    assert answer in await bot.reply_text(user, typed)
    assert chats.get_chat(bot.db, user) == before


async def test_time_zone_buttons_and_a_typed_zone(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "🌏"))
    answer = await bot.press(user, screen, button(screen, "Asia/Tokyo"))
    assert answer.params["text"].startswith("Time zone set to Asia/Tokyo")

    await bot.press(user, screen, button(screen, "🌏"))
    assert "I don't know the time zone" in await bot.reply_text(user, "Atlantis")
    assert setting(bot, "timezone", user) == "Asia/Tokyo"


async def test_language_buttons_switch_every_later_reply_and_the_menu(
    bot: Harness, user: int
) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "💬"))
    answer = await bot.press(user, screen, button(screen, "简体中文"))

    assert answer.params["text"] == "好的，之后我会用简体中文和您交流。"
    assert screen.text.startswith("⚙️ 设置")
    assert "我能为您做这些事" in await bot.reply_text(user, "/help")
    menu = bot.tg.commands(scope={"type": "chat", "chat_id": user})
    assert {"command": "search", "description": "搜索新闻"} in menu


async def test_language_command_shortcut(bot: Harness, user: int) -> None:
    [offer] = await bot.send(user, "/language", language_code="en")
    assert [b["text"] for b in offer.buttons()] == ["繁體中文", "简体中文", "English", "« Back"]

    assert await bot.reply_text(user, "/language 繁體") == "好的，之後我會用繁體中文和您溝通。"
    assert setting(bot, "language", user) == "zh-Hant"
    assert await bot.reply_text(user, "/language en") == "OK, I'll speak English from now on."


async def test_summary_length_instant_and_pause_buttons(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "📝"))
    assert [b["text"] for b in screen.buttons()] == ["1", "2", "3", "4", "5", "« Back"]
    await bot.press(user, screen, button(screen, "5"))
    assert setting(bot, "summary_sentences", user) == 5

    await bot.press(user, screen, button(screen, "🔕 Turn instant alerts off"))
    assert setting(bot, "instant", user) is False
    assert "🔔 Turn instant alerts on" in [b["text"] for b in screen.buttons()]

    answer = await bot.press(user, screen, button(screen, "⏸"))
    assert answer.params["text"].startswith("⏸ Paused.")
    assert setting(bot, "paused", user) is True
    await bot.press(user, screen, button(screen, "▶️ Resume"))
    assert setting(bot, "paused", user) is False


async def test_back_button_returns_to_the_main_screen(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    main_text = screen.text
    await bot.press(user, screen, button(screen, "📝"))
    await bot.press(user, screen, button(screen, "« Back"))
    assert screen.text == main_text


async def test_a_double_press_that_changes_nothing_is_no_error(bot: Harness, user: int) -> None:
    screen = await open_settings(bot, user)
    await bot.press(user, screen, button(screen, "📝"))
    bot.allowed_failures = {"editMessageText"}
    bot.tg.fail_next(
        "editMessageText",
        400,
        description="Bad Request: message is not modified: specified new message content and "
        "reply markup are exactly the same as a current content and reply markup of the message",
    )  # what Telegram answers to the second of two quick presses

    answer = await bot.press(user, screen, button(screen, "2"))

    assert answer.params["text"] == "OK, summaries will have 2 sentences."
    assert setting(bot, "summary_sentences", user) == 2
    assert len(bot.bot_messages(user)) == 1  # no "something went wrong"
