"""Groups: added and removed, admins only may change things, /cmd@bot, and migration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from storage import chats, subscriptions

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT = "@newsgist_test_bot"
ADMIN_ONLY = "In a group, only its admins can change this."


class Group:
    """A group with the bot in it, one admin and one ordinary member."""

    def __init__(self, bot: Harness) -> None:
        self.id = bot.new_group()
        self.admin = bot.new_user()
        self.member = bot.new_user()


@pytest_asyncio.fixture(loop_scope="module")
async def group(bot: Harness) -> Group:
    group = Group(bot)
    await bot.send(group.admin, "/help", language_code="en")  # the admin speaks English
    await bot.member(group.id, "member", user_id=group.admin, title="Taiwan watchers")
    bot.tg.set_admins(group.id, [group.admin])
    return group


def followed(bot: Harness, chat_id: int) -> list[str]:
    return [s.display for s in subscriptions.list_subscriptions(bot.db, chat_id)]


async def test_adding_the_bot_creates_the_group_and_says_hello(bot: Harness, group: Group) -> None:
    chat = chats.get_chat(bot.db, group.id)
    assert chat is not None
    assert (chat.type, chat.title, chat.language, chat.active) == (
        "group",
        "Taiwan watchers",
        "en",
        True,
    )
    [hello] = bot.bot_messages(group.id)
    assert hello.text.startswith("👋 Thanks for adding me! Group admins can pick topics")


async def test_an_admin_subscribes_the_group(bot: Harness, group: Group) -> None:
    text = await bot.reply_text(group.id, f"/subscribe{BOT} 台灣, AI", user_id=group.admin)

    assert text == "✅ Now following: 台灣, AI"
    assert sorted(followed(bot, group.id)) == ["AI", "台灣"]
    assert followed(bot, group.admin) == []  # the group's topics, not the admin's own


async def test_members_may_look_but_not_change(bot: Harness, group: Group) -> None:
    await bot.send(group.id, f"/subscribe{BOT} AI", user_id=group.admin)

    for command in (f"/subscribe{BOT} sport", f"/unsubscribe{BOT} AI", f"/mute{BOT} AI"):
        assert await bot.reply_text(group.id, command, user_id=group.member) == ADMIN_ONLY
    assert await bot.reply_text(group.id, f"/settings{BOT} pause", user_id=group.member) == (
        ADMIN_ONLY
    )
    assert followed(bot, group.id) == ["AI"]
    assert not chats.get_chat(bot.db, group.id).paused

    listing = await bot.reply_text(group.id, f"/list{BOT}", user_id=group.member)
    assert "Topics you follow (1)\n• AI" in listing
    assert "🔎" in await bot.reply_text(group.id, f"/search{BOT} AI", user_id=group.member)


async def test_members_cannot_press_the_admins_buttons(bot: Harness, group: Group) -> None:
    [screen] = await bot.send(group.id, f"/settings{BOT}", user_id=group.admin)
    pause = next(b["callback_data"] for b in screen.buttons() if b["text"].startswith("⏸"))

    refused = await bot.press(group.id, screen, pause, user_id=group.member)
    assert refused.params["text"] == ADMIN_ONLY
    assert not chats.get_chat(bot.db, group.id).paused

    await bot.press(group.id, screen, pause, user_id=group.admin)
    assert chats.get_chat(bot.db, group.id).paused


async def test_admin_status_is_cached_briefly(bot: Harness, group: Group) -> None:
    await bot.send(group.id, f"/subscribe{BOT} one", user_id=group.admin)
    asked = len(bot.tg.calls("getChatMember"))
    bot.tg.set_admins(group.id, [])  # demoted; the bot remembers for a minute

    await bot.send(group.id, f"/subscribe{BOT} two", user_id=group.admin)
    assert len(bot.tg.calls("getChatMember")) == asked
    bot.clock.advance(61)
    refused = await bot.reply_text(group.id, f"/subscribe{BOT} three", user_id=group.admin)

    assert refused == ADMIN_ONLY
    assert sorted(followed(bot, group.id)) == ["one", "two"]


async def test_the_groups_creator_counts_as_admin(bot: Harness, group: Group) -> None:
    bot.tg.set_admins(group.id, [], creator=group.member)
    text = await bot.reply_text(group.id, f"/subscribe{BOT} AI", user_id=group.member)
    assert text == "✅ Now following: AI"


async def test_removed_from_the_group_and_added_back(bot: Harness, group: Group) -> None:
    await bot.send(group.id, f"/subscribe{BOT} AI", user_id=group.admin)
    await bot.member(group.id, "kicked", user_id=group.admin)
    assert not chats.get_chat(bot.db, group.id).active

    await bot.member(group.id, "member", user_id=group.admin)
    assert chats.get_chat(bot.db, group.id).active
    assert followed(bot, group.id) == ["AI"]  # kept while away
    hellos = [m for m in bot.bot_messages(group.id) if m.text.startswith("👋 Thanks")]
    assert len(hellos) == 2


async def test_a_group_that_becomes_a_supergroup_keeps_its_topics_and_settings(
    bot: Harness, group: Group
) -> None:
    await bot.send(group.id, f"/subscribe{BOT} AI, 台灣", user_id=group.admin)
    await bot.send(group.id, f"/settings{BOT} time 07:15", user_id=group.admin)
    supergroup = -1_000_000_000_000 + group.id

    service = bot.tg.inject_migration(group.id, supergroup)
    for update in service:
        await bot.handled(update["update_id"])

    assert chats.get_chat(bot.db, group.id) is None
    moved = chats.get_chat(bot.db, supergroup)
    assert (moved.type, moved.digest_time, moved.title) == (
        "supergroup",
        "07:15",
        "Taiwan watchers",
    )
    assert sorted(followed(bot, supergroup)) == ["AI", "台灣"]
    text = await bot.reply_text(supergroup, f"/list{BOT}", user_id=group.member)
    assert "Topics you follow (2)" in text


async def test_commands_addressed_to_the_bot_work_in_private_chats_too(bot: Harness) -> None:
    user = bot.new_user()
    text = await bot.reply_text(user, f"/subscribe{BOT} AI", language_code="en")
    assert text == "✅ Now following: AI"
