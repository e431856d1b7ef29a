"""The trending-tags cache: always the answer a fresh count gives, no query when nothing
changed, and only the articles that arrived or left the window read when something did.
Writes come from the bot's own connection and from another one (the ingest's)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database
from storage_builders import make_article

from storage import trending
from storage.articles import get_article, save_articles, trending_tags
from storage.db import open_db, to_db_time
from storage.migrations import MIGRATIONS
from storage.transaction import write_transaction
from storage.trending import TrendingCache, window_start
from summariser.article import Article

NOW = datetime(2025, 11, 21, 9, 30, 15, tzinfo=UTC)
DAY = timedelta(hours=24)
TAGS = ["颱風", "台风", "APEC", "ai", "股市", "選舉", "cna", "dw", "半導體"]
SOURCES = ["cna", "dw", "kyodo"]
# Long enough for a fingerprint (50 letters): articles sharing one within ten days are one
# story.
STORY_TEXTS = [
    "颱風鳳凰逼近東部海面，氣象署發布海上警報，花蓮台東沿海風浪明顯增強，漁船請回港避風。"
    "預計明天清晨最接近陸地，山區可能出現豪雨，民眾應避免前往海邊與山區活動。",
    "亞太經合組織領袖會議在深圳開幕，各經濟體討論供應鏈韌性、數字貿易與人工智能合作議題。"
    "主辦方表示將發表聯合宣言，承諾維持多邊貿易體制並加強區域互聯互通。",
    "半導體出口十月再創新高，人工智能伺服器需求強勁，晶圓代工廠產能利用率維持高檔水準。"
    "經濟部預估第四季出口仍將成長，但提醒關稅政策變化可能帶來不確定性。",
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


def edit_counter(db: Database) -> int:
    return db.execute("SELECT edits FROM article_edits").fetchone()[0]


class Work:
    """What one call does to the database: the statements run and SQLite's virtual machine
    steps (in hundreds), the cost a user waits for whatever the statements are."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[str] = []
        self.steps = 0

    def __call__(self, ask: Callable[[], list[tuple[str, int]]]) -> list[tuple[str, int]]:
        self.statements, self.steps = [], 0

        def step() -> int:
            self.steps += 1
            return 0

        self.db.conn.set_trace_callback(self.statements.append)
        self.db.conn.set_progress_handler(step, 100)
        try:
            return ask()
        finally:
            self.db.conn.set_trace_callback(None)
            self.db.conn.set_progress_handler(None, 0)

    def reads_tags(self) -> list[str]:
        return [s for s in self.statements if "article_tags" in s]

    def counted_afresh(self) -> bool:
        return any("count(DISTINCT" in s for s in self.statements)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("afresh_when_cheaper", [True, False])
def test_the_cache_answers_as_a_fresh_count_through_writes_and_time(
    db: Database,
    other: Database,
    seed: int,
    afresh_when_cheaper: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not afresh_when_cheaper:  # a small window is often cheaper to count afresh: don't
        monkeypatch.setattr(trending, "INCREMENTAL_COST", 0)
    rng = random.Random(seed)
    now = NOW
    stored: list[Article] = []
    cache = TrendingCache(db)
    answers = []
    actions = ["ingest", "ingest", "own", "late", "edit", "edit", "tick", "tick", "back", "write"]
    for step in range(80):
        action = rng.choice(actions)
        since = now - DAY
        if action in ("ingest", "own", "late"):
            # "late": posts found now but published before the window (a first scan)
            hours = rng.randint(25, 24 * 8) if action == "late" else rng.randint(0, 30)
            fresh = [
                news(len(stored) + k, rng, now - timedelta(hours=hours, minutes=rng.randint(0, 59)))
                for k in range(rng.randint(1, 4))
            ]
            save_articles(db if action == "own" else other, fresh, now=now)
            stored += fresh
        elif action == "edit" and stored:
            # New tags, and at times a new text, which can move the article (and, if it
            # headed one, its whole story) into another story.
            index = rng.randrange(len(stored))
            text = rng.choice([stored[index].text, *STORY_TEXTS])
            tags = tuple(rng.sample(TAGS, rng.randint(0, 3)))
            stored[index] = replace(stored[index], text=text, tags=tags)
            save_articles(rng.choice([db, other]), [stored[index]], now=now)
        elif action == "tick":
            now += timedelta(seconds=rng.choice([5, 40, 61, 600, 3 * 3600, 20 * 3600]))
            since = now - DAY
        elif action == "back":  # a longer window: it starts earlier, then later again
            since = now - DAY - timedelta(hours=rng.randint(1, 100))
        else:  # a write that changes no article: the same answer
            other.execute(
                "INSERT OR REPLACE INTO job_state VALUES ('test', ?, ?)",
                [str(step), to_db_time(now)],
            )
        if rng.random() < 0.4:  # nobody asked: the next refresh has several changes to apply
            continue
        limit = rng.choice([3, 8, 30])
        answer = cache.tags(since, limit)
        assert answer == fresh_count(db, since, limit), (seed, step, action)
        answers.append(answer)
    assert len({tuple(a) for a in answers}) > 5  # the answer did move


def test_asking_again_with_nothing_written_runs_no_count(db: Database) -> None:
    rng = random.Random(7)
    save_articles(db, [news(n, rng, NOW - timedelta(hours=n)) for n in range(20)], now=NOW)
    cache = TrendingCache(db)
    work = Work(db)

    first = work(lambda: cache.tags(NOW - DAY, 10))
    assert first == fresh_count(db, NOW - DAY, 10) and work.counted_afresh()
    for seconds in (3, 20, 44):  # the same minute: the kept answer, nothing read
        assert work(lambda s=seconds: cache.tags(NOW + timedelta(seconds=s) - DAY, 10)) == first
        assert work.statements == ["PRAGMA data_version"]
    # 09:31: the window moved, but no article left it (the oldest is 19 hours old)
    assert work(lambda: cache.tags(NOW + timedelta(seconds=45) - DAY, 10)) == first
    assert work.reads_tags() == []
    # A write that stores no article: one look at the edit counter and the newest article.
    db.execute("INSERT INTO job_state VALUES ('test', '1', ?)", [to_db_time(NOW)])
    assert work(lambda: cache.tags(NOW + timedelta(seconds=50) - DAY, 10)) == first
    assert [s for s in work.statements if s.startswith("SELECT")] == [trending._POSITION]


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


def test_new_articles_are_read_alone_not_the_whole_window(db: Database, other: Database) -> None:
    rng = random.Random(3)
    day = [news(n, rng, NOW - timedelta(minutes=5 * n)) for n in range(280)]
    save_articles(db, day, now=NOW)
    cache = TrendingCache(db)
    work = Work(db)
    work(lambda: cache.tags(NOW - DAY, 30))
    full = work.steps
    assert work.counted_afresh()

    for poll in range(3):  # a few posts per poll, stored by the ingest's connection
        fresh = [news(1000 + 10 * poll + k, rng, NOW - timedelta(minutes=k)) for k in range(3)]
        save_articles(other, fresh, now=NOW)
        answer = work(lambda: cache.tags(NOW - DAY, 30))

        assert answer == fresh_count(db, NOW - DAY, 30)
        assert not work.counted_afresh()
        assert len(work.reads_tags()) == 1  # the new articles' tags, nothing else
        assert work.steps * 20 < full, (work.steps, full)


def test_a_day_filling_up_is_counted_afresh_only_while_that_is_cheaper(
    db: Database, other: Database
) -> None:
    rng = random.Random(4)
    cache = TrendingCache(db)
    work = Work(db)
    afresh = []
    for poll, count in enumerate([3] * 20 + [15]):  # the last poll brings a first scan's worth
        fresh = [news(100 * poll + k, rng, NOW - timedelta(minutes=k)) for k in range(count)]
        save_articles(other, fresh, now=NOW)
        assert work(lambda: cache.tags(NOW - DAY, 30)) == fresh_count(db, NOW - DAY, 30)
        afresh.append(work.counted_afresh())
    # A poll's articles cost less to count afresh than to add while the day holds fewer
    # than three times as many; after that they are added.
    assert afresh[:3] == [True] * 3 and not any(afresh[3:])


def test_a_minute_on_only_the_articles_that_left_the_window_are_read(db: Database) -> None:
    rng = random.Random(5)
    # One article every five minutes for a day and a half.
    save_articles(db, [news(n, rng, NOW - timedelta(minutes=5 * n)) for n in range(430)], now=NOW)
    cache = TrendingCache(db)
    work = Work(db)
    work(lambda: cache.tags(NOW - DAY, 30))
    full = work.steps

    for minutes in range(5, 65, 5):  # an hour, five minutes at a time: twelve articles leave
        since = NOW + timedelta(minutes=minutes) - DAY
        assert work(lambda s=since: cache.tags(s, 30)) == fresh_count(db, since, 30)
        assert not work.counted_afresh()
        assert work.steps * 20 < full, (work.steps, full)

    far = NOW + timedelta(hours=11)  # most of the window left: counting afresh is cheaper
    assert work(lambda: cache.tags(far - DAY, 30)) == fresh_count(db, far - DAY, 30)
    assert work.counted_afresh()
    back = far - timedelta(hours=2)  # a window starting earlier than the counted one
    assert work(lambda: cache.tags(back - DAY, 30)) == fresh_count(db, back - DAY, 30)
    assert work.counted_afresh()


def test_an_edit_that_moves_a_story_is_counted_afresh(db: Database, other: Database) -> None:
    # Story A: a head and its re-post, both about the typhoon. Story C: the APEC summit and
    # a report of it that also mentions the typhoon.
    head = make_article("颱風", STORY_TEXTS[0], path="a.html", tags=("颱風",), published=NOW)
    repost = make_article(
        "颱風（更新）", STORY_TEXTS[0], path="r.html", tags=("颱風", "花蓮"), published=NOW
    )
    summit = make_article("APEC", STORY_TEXTS[1], path="c.html", tags=("APEC",), published=NOW)
    report = make_article(
        "APEC 與颱風", STORY_TEXTS[1], path="d.html", tags=("颱風",), published=NOW
    )
    save_articles(db, [summit, report], now=NOW - timedelta(hours=2))
    save_articles(db, [head, repost], now=NOW - timedelta(hours=1))
    cache = TrendingCache(db)
    assert cache.tags(NOW - DAY, 10) == [("台风", 2), ("apec", 1), ("花莲", 1)]

    # The head is rewritten into a report of the summit: it joins story C and takes its
    # re-post along, so one story now carries the typhoon.
    save_articles(other, [replace(head, text=STORY_TEXTS[1])], now=NOW)
    assert get_article(db, repost.id).story_id == summit.id
    work = Work(db)
    answer = work(lambda: cache.tags(NOW - DAY, 10))

    assert answer == [("apec", 1), ("台风", 1), ("花莲", 1)] == fresh_count(db, NOW - DAY, 10)
    assert work.counted_afresh()


def test_the_edit_counter_moves_on_edits_and_deletes_never_on_new_articles(
    db: Database, other: Database
) -> None:
    rng = random.Random(9)
    stored = [news(n, rng, NOW - timedelta(hours=n)) for n in range(5)]
    save_articles(other, stored, now=NOW)
    save_articles(other, [news(5, rng, NOW)], now=NOW)
    assert edit_counter(db) == 0  # storing new posts costs the ingest nothing extra

    changes = [
        lambda: save_articles(other, [replace(stored[0], tags=("地震",))], now=NOW),
        lambda: save_articles(other, [replace(stored[1], title="新標題")], now=NOW),
        lambda: other.execute("DELETE FROM article_tags WHERE article_id = ?", [stored[2].id]),
        lambda: other.execute(
            "UPDATE article_tags SET tag = tag || '!' WHERE article_id = ?", [stored[3].id]
        ),
        lambda: other.execute("DELETE FROM articles WHERE id = ?", [stored[4].id]),
    ]
    cache = TrendingCache(db)
    for change in changes:
        before = edit_counter(db)
        cache.tags(NOW - DAY, 10)
        change()
        assert edit_counter(db) > before
        assert cache.tags(NOW - DAY, 10) == fresh_count(db, NOW - DAY, 10)


def test_asked_inside_a_write_the_cache_sees_its_articles(db: Database) -> None:
    cache = TrendingCache(db)
    assert cache.tags(NOW - DAY, 10) == []
    with write_transaction(db):
        save_articles(db, [make_article("地震", "花蓮地震。", tags=("地震",), published=NOW)])
        assert cache.tags(NOW - DAY, 10) == [("地震", 1)]
    assert cache.tags(NOW - DAY, 10) == [("地震", 1)]


def test_a_database_from_before_the_edit_counter_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    with write_transaction(old):
        for migration in MIGRATIONS[:4]:
            migration(old)
        old.execute("PRAGMA user_version = 4")
    typhoon = make_article("颱風", "颱風來了。", tags=("颱風",), published=NOW)
    save_articles(old, [typhoon], now=NOW)
    old.close()

    db = open_db(path)
    cache = TrendingCache(db)
    assert cache.tags(NOW - DAY, 10) == [("台风", 1)]
    save_articles(db, [replace(typhoon, tags=("地震",))], now=NOW)
    assert edit_counter(db) > 0
    assert cache.tags(NOW - DAY, 10) == [("地震", 1)]
    db.close()
