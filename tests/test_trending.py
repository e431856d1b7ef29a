"""The trending-tags cache: always the answer a fresh count gives, and no count when nothing
changed. Writes come from the bot's own connection and from another one (the ingest's)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database
from storage_builders import make_article

from storage.articles import save_articles, trending_tags
from storage.db import open_db, to_db_time
from storage.trending import TrendingCache, window_start
from summariser.article import Article

NOW = datetime(2025, 11, 21, 9, 30, 15, tzinfo=UTC)
DAY = timedelta(hours=24)
TAGS = ["颱風", "台风", "APEC", "ai", "股市", "選舉", "cna", "dw", "半導體"]
SOURCES = ["cna", "dw", "kyodo"]
# Long enough for a fingerprint: articles sharing one within ten days are one story.
STORY_TEXTS = [
    "颱風鳳凰逼近東部海面，氣象署發布海上警報，花蓮台東沿海風浪明顯增強，漁船請回港避風。",
    "亞太經合組織領袖會議在深圳開幕，各經濟體討論供應鏈韌性、數字貿易與人工智能合作議題。",
    "半導體出口十月再創新高，人工智能伺服器需求強勁，晶圓代工廠產能利用率維持高檔水準。",
]


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """A second connection to the same file, as the ingest's worker thread has."""
    (path,) = [row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"]
    connection = open_db(Path(path))
    yield connection
    connection.close()


def news(n: int, rng: random.Random, published: datetime) -> Article:
    """A short item (a story of its own) or a re-post of one of three long stories."""
    text = rng.choice(STORY_TEXTS) if rng.random() < 0.4 else f"短訊第{n}則。"
    return make_article(
        f"新聞 {n}",
        text,
        source=rng.choice(SOURCES),
        path=f"{n}.html",
        published=published,
        tags=tuple(rng.sample(TAGS, rng.randint(1, 4))),
        keywords=tuple(rng.sample(TAGS, rng.randint(0, 2))),
    )


def fresh_count(db: Database, since: datetime, limit: int) -> list[tuple[str, int]]:
    return trending_tags(db, window_start(since), limit=limit)


@pytest.mark.parametrize("seed", range(4))
def test_the_cache_answers_as_a_fresh_count_through_writes_and_time(
    db: Database, other: Database, seed: int
) -> None:
    rng = random.Random(seed)
    limit = rng.choice([3, 8, 30])
    now = NOW
    stored: list[Article] = []
    cache = TrendingCache(db)
    answers = []
    for step in range(40):
        action = rng.choice(["ingest", "ingest", "own", "edit", "tick", "tick", "other write"])
        if action in ("ingest", "own"):
            fresh = [
                news(len(stored) + k, rng, now - timedelta(minutes=rng.randint(0, 30 * 60)))
                for k in range(rng.randint(1, 3))
            ]
            save_articles(other if action == "ingest" else db, fresh, now=now)
            stored += fresh
        elif action == "edit" and stored:
            index = rng.randrange(len(stored))
            stored[index] = replace(stored[index], tags=tuple(rng.sample(TAGS, 2)))
            save_articles(rng.choice([db, other]), [stored[index]], now=now)
        elif action == "tick":
            now += timedelta(seconds=rng.choice([5, 40, 61, 600, 3 * 3600]))
        else:  # a write that changes no article: a recount, the same answer
            other.execute(
                "INSERT OR REPLACE INTO job_state VALUES ('test', ?, ?)",
                [str(step), to_db_time(now)],
            )
        answer = cache.tags(now - DAY, limit)
        assert answer == fresh_count(db, now - DAY, limit), (seed, step, action)
        answers.append(answer)
    assert len({tuple(a) for a in answers}) > 3  # the answer did move


def test_asking_again_with_nothing_written_runs_no_count(db: Database) -> None:
    rng = random.Random(7)
    save_articles(db, [news(n, rng, NOW - timedelta(hours=n)) for n in range(20)], now=NOW)
    cache = TrendingCache(db)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)

    def counts_run() -> int:
        return sum("article_tags" in statement for statement in statements)

    first = cache.tags(NOW - DAY, 10)
    assert first and counts_run() == 1
    for seconds in (3, 20, 44):  # the same minute: the kept answer
        assert cache.tags(NOW + timedelta(seconds=seconds) - DAY, 10) == first
    assert counts_run() == 1
    cache.tags(NOW + timedelta(seconds=45) - DAY, 10)  # 09:31: the window moved
    assert counts_run() == 2
    db.conn.set_trace_callback(None)


def test_a_story_leaves_the_answer_when_the_window_moves_past_it(db: Database) -> None:
    edge = make_article(
        "邊緣", "昨天的消息。", tags=("昨日",), published=NOW - DAY - timedelta(seconds=10)
    )
    inside = make_article("今天", "今天的消息。", tags=("今日",), published=NOW)
    save_articles(db, [edge, inside], now=NOW)
    cache = TrendingCache(db)

    # The window starts at the minute: 09:30:00 yesterday still holds 09:30:05.
    assert cache.tags(NOW - DAY, 10) == [("今日", 1), ("昨日", 1)]
    assert cache.tags(NOW + timedelta(seconds=50) - DAY, 10) == [("今日", 1)]


def test_articles_stored_by_another_connection_or_this_one_show_at_once(
    db: Database, other: Database
) -> None:
    cache = TrendingCache(db)
    assert cache.tags(NOW - DAY, 10) == []

    ingested = make_article("颱風", "颱風來了。", source="cna", tags=("cna", "颱風"), published=NOW)
    save_articles(other, [ingested], now=NOW)
    assert cache.tags(NOW - DAY, 10) == [("台风", 1)]

    again = make_article("台风登陆", "台风登陆了。", source="dw", tags=("台风",), published=NOW)
    save_articles(db, [again], now=NOW)
    assert cache.tags(NOW - DAY, 10) == [("台风", 2)]

    save_articles(other, [replace(ingested, tags=("cna", "地震"))], now=NOW)
    assert cache.tags(NOW - DAY, 10) == [("台风", 1), ("地震", 1)]
