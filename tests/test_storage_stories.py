"""Near-duplicate stories: re-posts and both-script versions are one story; others are not."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_builders import make_article

from storage import articles as articles_module
from storage import stories as stories_module
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


def test_a_near_version_is_judged_by_the_stored_articles_length_too(db, monkeypatch):
    # 川普 / 特朗普 wording puts the two scripts 6 bits apart: near, not close, so both
    # texts must be long enough; the stored one's length is read back from the database.
    hant, hans = STORIES["trade_hant"], STORIES["trade"]
    save_articles(db, [hant], now=NOW)
    monkeypatch.setattr(stories_module, "NEAR_MIN_CHARS", len(hant.text) + 1)
    save_articles(db, [hans], now=NOW)  # long enough itself; the stored version is not
    assert story_of(db, "trade") == hans.id
    monkeypatch.setattr(stories_module, "NEAR_MIN_CHARS", len(hant.text))
    save_articles(db, [replace(hans, title=hans.title + "（更新）")], now=NOW)
    assert story_of(db, "trade") == hant.id


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


def reference_fingerprint(folded_text: str) -> int | None:
    """The SimHash as documented, one 3-gram at a time: fingerprints are stored, so any
    faster way of computing them must give exactly these values or old stories stop
    matching new articles."""
    letters = [c for c in folded_text if c.isalnum()]
    if len(letters) < 50:
        return None

    def bits(char: str) -> int:
        return int.from_bytes(hashlib.blake2b(char.encode(), digest_size=8).digest(), "little")

    def rotate(value: int, by: int) -> int:
        return ((value << by) | (value >> (64 - by))) & (2**64 - 1)

    grams = [
        bits(a) ^ rotate(bits(b), 8) ^ rotate(bits(c), 16)
        for a, b, c in zip(letters, letters[1:], letters[2:], strict=False)
    ]
    value = sum(1 << k for k in range(64) if 2 * sum(g >> k & 1 for g in grams) > len(grams))
    return value - 2**64 if value >> 63 else value


@pytest.mark.parametrize(
    "text",
    [
        STORIES["trade"].text,
        STORIES["trade_hant"].text,
        "Ｇ7峰會_2025：日圓、歐元與美元；𠀀𠁀𠂀 (astral) ٣٤٥ digits, café au lait " * 3,
        "x" * 49,
        "y" * 50,
    ],
)
def test_fingerprint_is_the_documented_simhash(text):
    assert fingerprint(fold(text)) == reference_fingerprint(fold(text))
