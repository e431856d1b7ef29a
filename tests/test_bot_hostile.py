"""Input nobody should trust: floods, forged buttons, huge or strange arguments, markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.callbacks import encode, term_key
from storage import chats, subscriptions

if TYPE_CHECKING:
    from bot_harness import Harness

    from bot.fakeapi import Call, StoredMessage

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")

STALE = "That button has expired. Please send the command again."


@pytest.fixture
def user(bot: Harness) -> int:
    return bot.new_user()


def followed(bot: Harness, chat_id: int) -> list[str]:
    return [s.display for s in subscriptions.list_subscriptions(bot.db, chat_id)]


async def press_forged(
    bot: Harness, chat_id: int, message: StoredMessage, data: str, *, user_id: int | None = None
) -> Call:
    """A modified client sends `data` for a real message of the bot, whatever its buttons."""
    message.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    return await bot.press(chat_id, message, data, user_id=user_id)


async def test_a_flood_of_commands_gets_one_notice_and_others_are_not_held_up(
    bot: Harness, user: int
) -> None:
    await bot.send(user, "/start", language_code="en")
    updates = [bot.tg.inject_message(user, "/help") for _ in range(30)]
    neighbour = bot.new_user()
    neighbours_reply = bot.tg.inject_message(neighbour, "/help", language_code="en")
    for update in [*updates, neighbours_reply]:
        await bot.handled(update["update_id"])

    replies = [m.text for m in bot.bot_messages(user)][1:]
    notices = [text for text in replies if text.startswith("You're going a little fast")]
    assert len(replies) == 20 and len(notices) == 1  # 19 answers within the limit, then one notice
    assert replies[-1] == notices[0]
    assert bot.bot_messages(neighbour)[0].text.startswith("Here is what I can do")

    bot.clock.advance(60)
    assert (await bot.reply_text(user, "/help", pace=False)).startswith("Here is what I can do")


async def test_flooding_buttons_counts_too_and_changes_nothing(bot: Harness, user: int) -> None:
    [screen] = await bot.send(user, "/settings", language_code="en")
    pause = next(b["callback_data"] for b in screen.buttons() if b["text"].startswith("⏸"))
    for _ in range(19):
        bot.tg.inject_message(user, "/help")
    answer = await bot.press(user, screen, pause)  # the press is one too many
    assert answer.params["text"].startswith("You're going a little fast")
    assert not chats.get_chat(bot.db, user).paused


@pytest.mark.parametrize(
    "data",
    [
        "",
        "zz:1",
        "s:",
        "u:deadbeef",
        "i:deadbeef:1",
        "p:9999:台灣",
        "c:lang:xx",
        "c:len:9",
        "é" * 40,
    ],
)
async def test_forged_or_stale_buttons_get_a_polite_answer_and_change_nothing(
    bot: Harness, user: int, data: str
) -> None:
    await bot.send(user, "/subscribe AI", language_code="en")
    [listing] = await bot.send(user, "/list")
    before = (followed(bot, user), chats.get_chat(bot.db, user))

    answer = await press_forged(bot, user, listing, data or " ")

    assert answer.params["text"] == STALE
    assert (followed(bot, user), chats.get_chat(bot.db, user)) == before


async def test_a_forged_button_cannot_touch_another_chats_topics(bot: Harness, user: int) -> None:
    victim = bot.new_user()
    await bot.send(victim, "/subscribe 台灣", language_code="en")
    [listing] = await bot.send(user, "/list", language_code="en")

    answer = await press_forged(bot, user, listing, encode("unsubscribe", key=term_key("台湾")))

    assert answer.params["text"] == STALE
    assert followed(bot, victim) == ["台灣"]


async def test_a_forged_settings_button_in_a_group_still_needs_an_admin(bot: Harness) -> None:
    group, admin, member = bot.new_group(), bot.new_user(), bot.new_user()
    await bot.member(group, "member", user_id=admin)
    bot.tg.set_admins(group, [admin])
    [listing] = await bot.send(group, "/list@newsgist_test_bot", user_id=member)

    answer = await press_forged(bot, group, listing, "c:pause:1", user_id=member)

    assert answer.params["text"] == "In a group, only its admins can change this."
    assert not chats.get_chat(bot.db, group).paused


async def test_a_forged_story_button_for_an_unknown_story(bot: Harness, user: int) -> None:
    [latest] = await bot.send(user, "/latest", language_code="en")
    answer = await press_forged(bot, user, latest, "a:0000000000000000")
    assert answer.params["text"] == "I can't find that story. It may have been removed."


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/subscribe " + "a" * 4000, "is too long"),
        ("/subscribe " + ", ".join(f"t{n}" for n in range(300)), "At most 10 topics"),
        ("/subscribe " + "、" * 500, "Here is how it works"),
        ("/unsubscribe ,,,；；", "Here is how it works"),
        ("/unmute 、、", "Here is how it works"),
        ("/unsubscribe " + ", ".join(f"t{n}" for n in range(300)), "At most 10 topics"),
        ("/search " + "搜" * 4000, "please keep it under 200 characters"),
        ("/latest " + "x" * 4000, "please keep it under 40 characters"),
        ("/settings tz " + "Z" * 4000, "I don't know the time zone"),
        ("/article " + "f" * 4000, "Here is how it works"),
        ("/start sub_" + "y" * 4000, "is too long"),
        ("/subscribe \x00\x07\u200f\u202e", "Please type a word"),
    ],
)
async def test_oversized_or_empty_arguments_get_a_short_polite_answer(
    bot: Harness, user: int, command: str, answer: str
) -> None:
    [reply] = await bot.send(user, command, language_code="en")
    assert answer in reply.text
    assert len(reply.text) < 500
    assert followed(bot, user) == []


async def test_markup_in_terms_is_echoed_as_text(bot: Harness, user: int) -> None:
    [reply] = await bot.send(
        user, '/subscribe <b>bold</b>, *star*, [x](http://e.com), <a href="x">y', language_code="en"
    )

    assert reply.text == '✅ Now following: <b>bold</b>, *star*, [x](http://e.com), <a href="x">y'
    assert "&lt;b&gt;bold&lt;/b&gt;" in reply.source
    assert [e["type"] for e in reply.entities] == ["bold"] * 4  # only our own markup
    [listing] = await bot.send(user, "/list")
    assert "• <b>bold</b>" in listing.text


async def test_direction_and_control_marks_are_dropped_from_terms(bot: Harness, user: int) -> None:
    text = await bot.reply_text(user, "/subscribe \u202eAI\u200f, ta\u0000iwan", language_code="en")
    assert text == "✅ Now following: AI, taiwan"
    assert followed(bot, user) == ["AI", "taiwan"]


async def test_commands_are_case_insensitive(bot: Harness, user: int) -> None:
    assert await bot.reply_text(user, "/SUBSCRIBE AI", language_code="en") == "✅ Now following: AI"
