"""/search with paging buttons, /latest, /article, /tags and the story buttons, end to end."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from storage_builders import make_article

from bot.callbacks import encode
from bot.context import deps_of
from bot.handlers.lookup import TRENDING_COUNT, TRENDING_WINDOW
from storage.articles import save_articles, trending_tags
from storage.db import open_db
from storage.trending import window_start

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot_harness import Harness

    from summariser.article import Article

    Story = Callable[[str], Article]

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def user(bot: Harness) -> int:
    return bot.new_user()


def titles(text: str) -> list[str]:
    """The story titles of a result list, in order (each follows a blank line)."""
    blocks = text.split("\n\n")[1:]
    return [block.splitlines()[0].split(". ", 1)[-1] for block in blocks if block.strip()]


async def test_search_finds_both_scripts_and_pages_with_buttons(bot: Harness, user: int) -> None:
    [results] = await bot.send(user, "/search 台灣", language_code="en")

    assert results.text.startswith("🔎 台灣: 6 stories · page 1 of 2")
    first_page = titles(results.text)
    assert len(first_page) == 5
    navigation = [b for b in results.buttons() if "›" in b["text"] or "‹" in b["text"]]
    assert [b["text"] for b in navigation] == ["Next ›"]
    assert [b["text"] for b in results.buttons()[:5]] == ["1", "2", "3", "4", "5"]

    await bot.press(user, results, navigation[0]["callback_data"])
    assert results.text.startswith("🔎 台灣: 6 stories · page 2 of 2")  # edited in place
    [last] = titles(results.text)
    assert last not in first_page
    assert [b["text"] for b in results.buttons()] == ["1", "‹ Previous"]

    await bot.press(user, results, results.buttons()[-1]["callback_data"])
    assert titles(results.text) == first_page
    assert bot.tg.calls("editMessageText")[-1].params["link_preview_options"] == {
        "is_disabled": True
    }


async def test_search_results_show_where_the_words_were_found(
    bot: Harness, user: int, story: Story
) -> None:
    [results] = await bot.send(user, "/search methane", language_code="en")
    assert titles(results.text) == ["Climate talks open with new pledge on methane"]
    assert "methane emissions" in results.text
    assert results.buttons() == [
        {"text": "1", "callback_data": encode("article", id=story("Climate").id)}
    ]


async def test_search_paging_works_for_a_query_too_long_for_button_data(
    bot: Harness, user: int
) -> None:
    query = " ".join(["台灣"] * 20)  # 140 bytes: the buttons refer to it instead
    [results] = await bot.send(user, f"/search {query}", language_code="en")
    assert "6 stories · page 1 of 2" in results.text
    [forward] = [b for b in results.buttons() if b["text"] == "Next ›"]
    assert forward["callback_data"].startswith("q:5:")

    await bot.press(user, results, forward["callback_data"])
    assert "page 2 of 2" in results.text


@pytest.mark.parametrize(
    "query",
    [
        '台灣 OR "',
        "NEAR(台灣 AI)",
        "* AND -",
        "title:台灣",
        "<script>alert(1)</script>",
        "'; DROP TABLE articles; --",
    ],
)
async def test_hostile_queries_are_searched_as_words_and_echoed_escaped(
    bot: Harness, user: int, query: str
) -> None:
    [results] = await bot.send(user, f"/search {query}", language_code="en")
    assert results.text.startswith(("🔎", "Nothing found for"))
    assert bot.tg.calls("sendMessage")[-1].ok
    assert "<script>" not in results.source
    again = await bot.reply_text(user, "/search 台灣")
    assert "6 stories" in again  # nothing was dropped


async def test_search_without_words_or_with_too_many_says_how(bot: Harness, user: int) -> None:
    assert "Here is how it works" in await bot.reply_text(user, "/search", language_code="en")
    assert "Here is how it works" in await bot.reply_text(user, "/search \u200f\u202e ")
    assert await bot.reply_text(user, "/search " + "x" * 201) == (
        "That is too long: please keep it under 200 characters."
    )


async def test_latest_lists_the_newest_stories_with_story_buttons(bot: Harness, user: int) -> None:
    [latest] = await bot.send(user, "/latest", language_code="en")

    assert latest.text.startswith("📰 Latest stories\n\n1. Climate talks open with new pledge")
    assert len(titles(latest.text)) == 9  # eight stories and the hint
    assert latest.text.endswith("Tap a number for the full summary.")
    assert [b["text"] for b in latest.buttons()] == [str(n) for n in range(1, 9)]

    await bot.press(user, latest, latest.buttons()[0]["callback_data"])
    detail = bot.bot_messages(user)[-1]
    assert detail.text.startswith(
        "Climate talks open with new pledge on methane\nfocus · 2025-11-20 16:00"
    )
    assert "Keywords: methane" in detail.text


async def test_latest_about_a_term_in_either_script(bot: Harness, user: int) -> None:
    [latest] = await bot.send(user, "/latest 台灣", language_code="zh-TW")
    assert latest.text.startswith("📰 台灣 的最新報導")
    assert {title[:2] for title in titles(latest.text)[:-1]} >= {"台湾", "台北", "颱風"}

    assert await bot.reply_text(user, "/latest 冥王星") == "還沒有和 冥王星 相關的報導。"
    assert "太長了" in await bot.reply_text(user, "/latest " + "長" * 41)


async def test_article_shows_the_full_summary_keywords_tags_and_link(
    bot: Harness, user: int, story: Story
) -> None:
    exports = story("台灣半導體")
    [detail] = await bot.send(user, f"/article {exports.id.upper()}", language_code="zh-TW")

    assert detail.text.startswith("台灣半導體出口十月創新高")
    for sentence in exports.summary:
        assert sentence in detail.text
    assert "關鍵字：" in detail.text and "標籤：cna、台灣、半導體、出口" in detail.text
    link = next(e for e in detail.entities if e["type"] == "text_link")
    assert link["url"] == exports.url


async def test_article_with_a_bad_or_unknown_id(bot: Harness, user: int) -> None:
    assert "Here is how it works" in await bot.reply_text(user, "/article 12", language_code="en")
    assert "Here is how it works" in await bot.reply_text(user, "/article <b>x</b>")
    assert await bot.reply_text(user, "/article 0000000000000000") == (
        "I can't find that story. It may have been removed."
    )


async def test_tags_counts_stories_of_the_last_day(bot: Harness, user: int) -> None:
    text = await bot.reply_text(user, "/tags", language_code="en")

    lines = text.splitlines()
    assert lines[:3] == ["🏷 Trending tags today", "1. 台湾 · 6", "2. ai · 3"]
    assert "高雄" not in text  # five days old


def ranking(text: str) -> list[tuple[str, int]]:
    """The (tag, stories) pairs of a /tags reply, in the order shown."""
    lines = text.splitlines()[1:]
    found = [re.fullmatch(r"(\d+)\. (.+) · (\d+)", line) for line in lines]
    assert all(found), lines
    return [(m[2], int(m[3])) for m in found if m]


async def test_tags_follows_what_the_ingest_stores_between_two_asks(
    bot: Harness, user: int
) -> None:
    def counted_afresh() -> list[tuple[str, int]]:
        since = window_start(bot.clock.now() - TRENDING_WINDOW)
        return trending_tags(bot.db, since, limit=TRENDING_COUNT)

    def ingest(*stored: Article) -> None:
        # As bot.jobs does: the ingest writes on a connection of its own.
        db = open_db(deps_of(bot.app).settings.db_path)
        try:
            save_articles(db, stored, now=bot.clock.now())
        finally:
            db.close()

    before = await bot.reply_text(user, "/tags", language_code="en")
    assert ranking(before) == counted_afresh()
    assert "海底电缆" not in before
    assert await bot.reply_text(user, "/tags") == before  # nothing new: the same answer

    published = bot.clock.now() - timedelta(hours=1)
    cables = [
        make_article(title, text, source=source, published=published, tags=(source, "海底電纜"))
        for title, text, source in [
            ("馬祖海底電纜中斷", "馬祖兩條海纜同時中斷。", "cna"),
            ("台马海缆修复", "工程船抵达马祖。", "zaobao"),
            ("Matsu cables cut", "Both undersea cables to Matsu failed.", "focus"),
        ]
    ]
    ingest(*cables)
    after = await bot.reply_text(user, "/tags")
    assert ("海底电缆", 3) in ranking(after)
    assert ranking(after) == counted_afresh()

    ingest(replace(cables[2], tags=("focus", "matsu")))  # an edit takes the tag away
    edited = await bot.reply_text(user, "/tags")
    assert ("海底电缆", 2) in ranking(edited)
    assert ranking(edited) == counted_afresh()
