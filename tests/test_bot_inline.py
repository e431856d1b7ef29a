"""Inline mode: "@bot words" in any chat answers with matching stories, page by page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.fakeapi import parse_html

if TYPE_CHECKING:
    from bot_harness import Harness

pytest_plugins = ["bot_harness"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_inline_query_answers_with_matching_stories(bot: Harness) -> None:
    user = bot.new_user()
    answer = await bot.inline(user, "methane", language_code="en")

    assert answer.ok
    [result] = answer.params["results"]
    assert result["type"] == "article"
    assert result["title"] == "Climate talks open with new pledge on methane"
    assert result["url"] == "https://focus.example.com/world/climate-talks-methane-pledge"
    assert result["description"].startswith("Delegates from nearly 200 countries")
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    shared = parse_html(content["message_text"])
    assert shared.text.startswith(
        "Climate talks open with new pledge on methane\nfocus · 11-20 16:00"
    )
    assert "next_offset" not in answer.params


async def test_inline_results_page_by_offset(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.handlers.inline.PAGE_SIZE", 4)
    user = bot.new_user()

    first = await bot.inline(user, "台灣")
    assert len(first.params["results"]) == 4 and first.params["next_offset"] == "4"
    second = await bot.inline(user, "台灣", offset=first.params["next_offset"])
    assert len(second.params["results"]) == 2 and "next_offset" not in second.params

    ids = [r["id"] for r in first.params["results"] + second.params["results"]]
    assert len(set(ids)) == 6
    assert all(1 <= len(i.encode()) <= 64 for i in ids)


async def test_an_empty_inline_query_offers_the_newest_stories(bot: Harness) -> None:
    answer = await bot.inline(bot.new_user(), "")
    titles = [r["title"] for r in answer.params["results"]]
    assert titles[0] == "Climate talks open with new pledge on methane"
    assert len(titles) == 10 and "next_offset" not in answer.params


async def test_inline_answers_in_the_users_language(bot: Harness) -> None:
    user = bot.new_user()
    await bot.send(user, "/language zh-Hant", language_code="en")

    answer = await bot.inline(user, "methane")

    text = answer.params["results"][0]["input_message_content"]["message_text"]
    assert "focus · 11-20 16:00" in text  # the stored chat's time zone, Asia/Taipei


@pytest.mark.parametrize("offset", ["-1", "abc", "99999999999999999999", "3.5"])
async def test_forged_offsets_start_from_the_beginning(bot: Harness, offset: str) -> None:
    answer = await bot.inline(bot.new_user(), "methane", offset=offset)
    assert [r["title"][:7] for r in answer.params["results"]] == ["Climate"]


@pytest.mark.parametrize("query", ["<b>台灣</b>", 'NEAR("a" "b")', "\u202e" * 300, "x" * 5000])
async def test_hostile_inline_queries_get_a_valid_answer(bot: Harness, query: str) -> None:
    answer = await bot.inline(bot.new_user(), query)
    assert answer.ok
    assert len(answer.params["results"]) <= 50
