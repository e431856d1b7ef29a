"""Near-duplicate stories: re-posts and both-script versions are one story; others are not."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_builders import make_article

from storage import articles as articles_module
from storage.articles import get_article, save_article, save_articles
from storage.stories import WINDOW, distance, fingerprint, story_members
from summariser.fold import fold

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "storage" / "stories.json"
NOW = datetime(2025, 11, 21, tzinfo=UTC)


def load_stories() -> dict:
    """Five articles written for these tests: one story three times (Simplified, Traditional
    with 川普/網路 wording, a re-post under another headline), a later story from the same
    meeting with a similar headline, and a story on the same summit from another outlet."""
    return {
        item["key"]: make_article(
            item["title"],
            item["text"],
            source=item["source"],
            url=item["url"],
            lang=item["lang"],
            published=datetime.fromisoformat(item["published"]),
        )
        for item in json.loads(FIXTURE.read_text(encoding="utf-8"))
    }


STORIES = load_stories()


@pytest.fixture
def stored(db):
    save_articles(db, STORIES.values(), now=NOW)
    return db


def story_of(db, key: str) -> str:
    return get_article(db, STORIES[key].id).story_id


def test_both_scripts_and_a_repost_are_one_story_named_after_the_first(stored):
    first = STORIES["trade"]
    for key in ("trade", "trade_hant", "trade_repost"):
        assert story_of(stored, key) == first.id, key
    members = story_members(stored, first.id)
    assert [m.id for m in members] == [
        STORIES["trade"].id,
        STORIES["trade_hant"].id,
        STORIES["trade_repost"].id,
    ]


def test_other_stories_on_the_same_topic_stay_apart(stored):
    assert story_of(stored, "statement") == STORIES["statement"].id
    assert story_of(stored, "security") == STORIES["security"].id
    assert [m.id for m in story_members(stored, STORIES["security"].id)] == [STORIES["security"].id]


def test_story_is_named_after_the_earliest_even_when_saved_last(db):
    save_article(db, STORIES["trade_repost"], now=NOW)
    save_article(db, STORIES["trade"], now=NOW)
    assert story_of(db, "trade") == STORIES["trade_repost"].id  # the first one stored
    other = load_stories()
    fresh = [other["trade_repost"], other["trade"]]
    save_articles(db, fresh, now=NOW)  # unchanged: nothing moves
    assert story_of(db, "trade") == STORIES["trade_repost"].id


def test_within_one_call_the_earliest_published_names_the_story(db, monkeypatch):
    monkeypatch.setattr(articles_module, "BATCH_SIZE", 1)  # and across batches
    save_articles(db, [STORIES["trade_repost"], STORIES["trade_hant"], STORIES["trade"]], now=NOW)
    for key in ("trade", "trade_hant", "trade_repost"):
        assert story_of(db, key) == STORIES["trade"].id


def test_a_repost_outside_the_window_is_a_new_story(db):
    late = replace(
        STORIES["trade_repost"], published=STORIES["trade"].published + WINDOW + timedelta(days=1)
    )
    save_articles(db, [STORIES["trade"], late], now=NOW)
    assert get_article(db, late.id).story_id == late.id


def test_identical_short_texts_are_not_linked(db):
    days = [
        make_article(
            f"首相動向（{day}日）",
            "終日在東京的宿舍度過。",
            url=f"https://news.example.org/pm/{day}",
            published=datetime(2025, 11, day, 12, tzinfo=UTC),
        )
        for day in (8, 9)
    ]
    save_articles(db, days, now=NOW)
    assert [get_article(db, a.id).story_id for a in days] == [a.id for a in days]


def test_editing_an_article_relinks_it(db):
    save_articles(db, [STORIES["trade"], STORIES["trade_repost"]], now=NOW)
    rewritten = replace(STORIES["trade_repost"], text=STORIES["security"].text)
    save_article(db, rewritten, now=NOW)
    assert story_of(db, "trade_repost") == STORIES["trade_repost"].id
    save_article(db, STORIES["trade_repost"], now=NOW)  # edited back
    assert story_of(db, "trade_repost") == STORIES["trade"].id


def test_a_story_head_that_joins_another_story_takes_its_members(db):
    head, member = STORIES["security"], STORIES["trade_hant"]
    # trade_hant first has the security text, so it joins the security story...
    save_article(db, head, now=NOW)
    save_article(db, replace(member, text=head.text + "。"), now=NOW)
    assert story_of(db, "trade_hant") == head.id
    # ...then security is rewritten into the trade story, which exists too.
    save_article(db, STORIES["trade"], now=NOW)
    save_article(db, replace(head, text=STORIES["trade"].text), now=NOW)
    assert story_of(db, "security") == STORIES["trade"].id
    assert story_of(db, "trade_hant") == STORIES["trade"].id


def test_fingerprint_is_stable_and_ignores_spacing_and_script():
    text = STORIES["trade"].text
    assert fingerprint(fold(text)) == fingerprint(fold(" ".join(text)))
    assert fingerprint(fold("太短了")) is None
    simplified = fingerprint(fold(text))
    traditional = fingerprint(fold(STORIES["trade_hant"].text))
    unrelated = fingerprint(fold(STORIES["security"].text))
    assert distance(simplified, traditional) < distance(simplified, unrelated)
    assert -(2**63) <= simplified < 2**63  # fits an SQLite INTEGER
