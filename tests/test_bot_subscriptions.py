"""/subscribe, /unsubscribe, /mute, /unmute and /list, with their buttons, end to end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.matching import matches
from storage import subscriptions
from storage.articles import latest_articles
from storage.subscriptions import DEFAULT_LIMIT

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def user(bot: Harness) -> int:
    return bot.new_user()


def terms(bot: Harness, chat_id: int) -> list[tuple[str, str, bool]]:
    return [
        (s.term, s.display, s.instant) for s in subscriptions.list_subscriptions(bot.db, chat_id)
    ]


async def test_subscribing_in_traditional_script_matches_simplified_articles(
    bot: Harness, user: int
) -> None:
    text = await bot.reply_text(user, "/subscribe 台灣", language_code="zh-TW")

    assert text == "✅ 已關注：台灣"
    assert terms(bot, user) == [("台湾", "台灣", True)]
    stored = latest_articles(bot.db, limit=50)
    matched = {a.lang for a in stored if matches(a, "台湾")}
    assert matched == {"zh-Hant", "zh-Hans"}  # both scripts reach the subscriber
    assert not any(matches(a, "台湾") for a in stored if a.lang == "en")


async def test_several_terms_at_once_split_by_commas_and_by_spaces_around_chinese(
    bot: Harness,
    user: int,
) -> None:
    text = await bot.reply_text(
        user, "/subscribe 台積電 AI, climate change；颱風", language_code="en"
    )

    assert text == "✅ Now following: 台積電, AI, climate change, 颱風"
    assert {display for _, display, _ in terms(bot, user)} == {
        "台積電",
        "AI",
        "climate change",
        "颱風",
    }


async def test_subscribing_twice_says_so_and_keeps_one_row(bot: Harness, user: int) -> None:
    await bot.send(user, "/subscribe AI", language_code="en")
    text = await bot.reply_text(user, "/subscribe ai, ＡＩ, typhoon")

    assert text.splitlines() == ["✅ Now following: typhoon", "You already follow: AI"]
    assert [term for term, _, _ in terms(bot, user)] == ["ai", "typhoon"]


async def test_subscribe_without_terms_offers_todays_trending_tags_as_buttons(
    bot: Harness, user: int
) -> None:
    [offer] = await bot.send(user, "/subscribe", language_code="en")

    labels = [button["text"] for button in offer.buttons()]
    assert "Tap one of today's tags" in offer.text
    assert labels[:2] == ["台湾 · 6", "ai · 3"]  # stories today that carry it, either script
    assert len(labels) == 12
    assert not any(label.startswith(("港口文化", "高雄")) for label in labels)  # five days old
    assert not any(label.startswith(("cna", "focus", "pts", "zaobao")) for label in labels)

    ai = offer.buttons()[1]
    answer = await bot.press(user, offer, ai["callback_data"])

    assert answer.params["text"] == "✅ Now following: ai"
    assert terms(bot, user) == [("ai", "ai", True)]
    ticked = next(b for b in offer.buttons() if b["callback_data"] == ai["callback_data"])
    assert ticked["text"] == "✅ ai · 3"
    again = await bot.press(user, offer, ai["callback_data"])
    assert again.params["text"] == "You already follow: ai"
    assert len(terms(bot, user)) == 1


async def test_trending_buttons_are_in_a_traditional_readers_script(
    bot: Harness, user: int
) -> None:
    [offer] = await bot.send(user, "/subscribe", language_code="zh-hant")

    taiwan = offer.buttons()[0]
    assert taiwan["text"] == "台灣 · 6"  # stored folded as 台湾
    answer = await bot.press(user, offer, taiwan["callback_data"])

    assert "台灣" in answer.params["text"]
    assert terms(bot, user) == [("台湾", "台灣", True)]  # one term for both scripts


async def test_unsubscribe_by_name_and_by_button(bot: Harness, user: int) -> None:
    await bot.send(user, "/subscribe 台灣, AI, typhoon", language_code="en")
    text = await bot.reply_text(user, "/unsubscribe 台湾, sport")
    assert text.splitlines() == ["Stopped following: 台灣", "You were not following: sport"]

    [offer] = await bot.send(user, "/unsubscribe")
    assert [b["text"] for b in offer.buttons()] == ["❌ AI", "❌ typhoon"]
    answer = await bot.press(user, offer, offer.buttons()[0]["callback_data"])
    assert answer.params["text"] == "Stopped following: AI"
    assert [b["text"] for b in offer.buttons()] == ["❌ typhoon"]  # the keyboard shrinks
    await bot.press(user, offer, offer.buttons()[0]["callback_data"])
    assert offer.text == "Stopped following: typhoon" and offer.buttons() == []
    assert terms(bot, user) == []


async def test_a_button_for_a_topic_already_removed_is_stale(bot: Harness, user: int) -> None:
    await bot.send(user, "/subscribe AI", language_code="en")
    [offer] = await bot.send(user, "/unsubscribe")
    await bot.send(user, "/unsubscribe AI")  # removed by typing, the button is left behind
    await bot.send(user, "/subscribe typhoon")

    answer = await bot.press(user, offer, offer.buttons()[0]["callback_data"])

    assert answer.params["text"] == "That button has expired. Please send the command again."
    assert terms(bot, user) == [("typhoon", "typhoon", True)]


async def test_limits_on_terms_per_chat_length_and_per_command(bot: Harness, user: int) -> None:
    many = ", ".join(f"topic{n}" for n in range(11))
    text = await bot.reply_text(user, f"/subscribe {many}", language_code="en")
    assert text == "At most 10 topics at a time, please."
    assert terms(bot, user) == []

    long_term = "x" * 41
    text = await bot.reply_text(user, f"/subscribe ok, {long_term}")
    assert text.splitlines() == [
        "✅ Now following: ok",
        f"“{'x' * 39}…” is too long: a topic can have at most 40 characters.",
    ]

    for start in range(1, DEFAULT_LIMIT, 10):  # fill up to the limit, ten at a time
        batch = ", ".join(f"t{n}" for n in range(start, min(start + 10, DEFAULT_LIMIT)))
        await bot.send(user, f"/subscribe {batch}")
    assert len(terms(bot, user)) == DEFAULT_LIMIT
    text = await bot.reply_text(user, "/subscribe one more")
    assert "limit of 50 topics" in text and "one more" in text
    assert len(terms(bot, user)) == DEFAULT_LIMIT


async def test_mute_and_unmute(bot: Harness, user: int) -> None:
    text = await bot.reply_text(user, "/mute 體育, sport", language_code="zh-TW")
    assert text == "🔇 已隱藏：體育、sport。提到這些詞的新聞不會再傳給您。"
    assert {m.term for m in subscriptions.list_mutes(bot.db, user)} == {"体育", "sport"}

    assert await bot.reply_text(user, "/unmute 体育") == "🔊 已取消隱藏：體育"
    [offer] = await bot.send(user, "/unmute")
    assert [b["text"] for b in offer.buttons()] == ["❌ sport"]
    await bot.press(user, offer, offer.buttons()[0]["callback_data"])
    assert subscriptions.list_mutes(bot.db, user) == []
    assert await bot.reply_text(user, "/unmute") == "您沒有隱藏任何字詞。"
    assert "用法如下" in await bot.reply_text(user, "/mute")


async def test_list_shows_topics_mutes_and_settings_and_toggles_instant_alerts(
    bot: Harness,
    user: int,
) -> None:
    await bot.send(user, "/subscribe 台灣", language_code="en")
    await bot.send(user, "/subscribe AI")
    await bot.send(user, "/mute sport")
    [shown] = await bot.send(user, "/list")

    assert "Topics you follow (2)\n• 台灣\n• AI" in shown.text
    assert "Muted words (1)\n• sport" in shown.text
    assert (
        "Digest at 08:00 (Asia/Taipei) · 3 sentences · instant alerts on · delivering" in shown.text
    )
    assert [b["text"] for b in shown.buttons()] == ["🔔 台灣", "🔔 AI"]

    answer = await bot.press(user, shown, shown.buttons()[1]["callback_data"])
    assert answer.params["text"] == "🔕 AI: digest only"
    assert terms(bot, user) == [("台湾", "台灣", True), ("ai", "AI", False)]
    assert "• AI 🔕" in shown.text  # the list is redrawn in place
    assert [b["text"] for b in shown.buttons()] == ["🔔 台灣", "🔕 AI"]
    await bot.press(user, shown, shown.buttons()[1]["callback_data"])
    assert terms(bot, user)[1] == ("ai", "AI", True)


async def test_list_when_nothing_is_followed(bot: Harness, user: int) -> None:
    [shown] = await bot.send(user, "/list", language_code="en")
    assert shown.text.startswith("You don't follow any topics yet.")
    assert shown.buttons() == []


async def test_paused_chats_are_reminded_when_they_subscribe(bot: Harness, user: int) -> None:
    await bot.send(user, "/settings pause", language_code="en")
    text = await bot.reply_text(user, "/subscribe AI")
    assert "deliveries are paused" in text
