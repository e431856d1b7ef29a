"""The quick query paths answer exactly what the plain ones would.

Search scores only the matches recent enough to reach a page once many match; /latest walks
the newest articles when many match and sorts the matches when few do. Small databases
take the plain paths, so these tests force or arrange the quick ones and compare.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_builders import make_article

from storage import fts
from storage import search as search_module
from storage.articles import latest_articles, save_articles
from storage.db import open_db
from storage.search import search

NOW = datetime(2025, 11, 21, tzinfo=UTC)
WORDS = ["typhoon", "signal", "ferry", "harbour", "rain", "wind", "port", "warning"]
QUERIES = ["typhoon", "signal", "typhoon signal", "rain wind", "ferry"]


def _article(n: int, rng: random.Random, age: timedelta):
    title = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
    text = " ".join(rng.choice(WORDS + ["the", "city", "said"]) for _ in range(rng.randint(5, 60)))
    return make_article(f"{title} {n}", text, lang="en", path=f"{n}.html", published=NOW - age)


def _ranking(db, query: str, *, prune: bool, monkeypatch, limit: int, offset: int):
    monkeypatch.setattr(search_module, "PRUNE_FROM", 1 if prune else 10**9)
    page = search(db, query, limit=limit, offset=offset, now=NOW)
    return [(hit.article.id, hit.score) for hit in page.hits], page.total


def test_pruned_search_ranks_exactly_as_scoring_every_match(db, monkeypatch):
    rng = random.Random(11)
    # A month of news; today's typhoon warnings match so well that a search for them need
    # not look past the last days, other searches look further back.
    articles = [_article(n, rng, timedelta(hours=6 * n + rng.random())) for n in range(120)]
    articles += [
        make_article(
            f"Typhoon typhoon {n}", "typhoon " * 30, lang="en", published=NOW - timedelta(hours=n)
        )
        for n in range(6)
    ]
    save_articles(db, articles, now=NOW)
    passes: list[list[datetime | None]] = []
    page = search_module._page

    def spy(db, params, filters, horizon):
        passes[-1].append(horizon)
        return page(db, params, filters, horizon)

    monkeypatch.setattr(search_module, "_page", spy)
    for query in QUERIES:
        for limit, offset in [(5, 0), (5, 5), (3, 12), (10, 0)]:
            rankings = []
            for prune in (False, True):
                passes.append([])
                rankings.append(
                    _ranking(
                        db, query, prune=prune, monkeypatch=monkeypatch, limit=limit, offset=offset
                    )
                )
            full, pruned = rankings
            assert pruned == full, (query, limit, offset)
            assert full[0], query  # every query finds something
    first = NOW - search_module.FIRST_REACH
    pruned_passes = passes[1::2]
    assert [first] in pruned_passes  # answered from the last days' matches alone
    assert any(
        len(p) == 2 and p[1] is not None and p[1] < first for p in pruned_passes
    )  # looked further back, but not at everything


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(1, 40),
    spread_days=st.floats(0.1, 40),
    limit=st.integers(1, 6),
    offset=st.integers(0, 8),
)
def test_pruning_never_changes_a_page(monkeypatch, seed, count, spread_days, limit, offset):
    rng = random.Random(seed)
    db = open_db(":memory:")
    ages = rng.sample(range(int(spread_days * 1440) + count), count)  # distinct minutes
    save_articles(db, [_article(n, rng, timedelta(minutes=a)) for n, a in enumerate(ages)], now=NOW)
    for query in QUERIES[:3]:
        full = _ranking(db, query, prune=False, monkeypatch=monkeypatch, limit=limit, offset=offset)
        pruned = _ranking(
            db, query, prune=True, monkeypatch=monkeypatch, limit=limit, offset=offset
        )
        assert pruned == full
        # What pruning rests on: no match scores as much as the bound.
        scores = db.execute(
            "SELECT -bm25(articles_fts, 8.0, 1.0) FROM articles_fts WHERE articles_fts MATCH ?",
            [fts.match_expression(query)],
        ).fetchall()
        bound = search_module._score_bound(db, query)
        assert all(score < bound for (score,) in scores)
    db.close()


@pytest.fixture
def taiwan_news(db):
    """Twelve articles, nine about Taiwan (by tag, headline or text, in either script)."""
    about = [
        ("選舉結果", "開票完畢。", ("台灣",)),
        ("Election night", "Votes in 臺灣 were counted.", ()),
        ("台湾大选", "结果公布。", ()),
        ("颱風消息", "台灣東部風雨。", ()),
        ("Chip exports", "Exports rose.", ("台灣",)),
        ("台灣高鐵", "新車上線。", ()),
        ("Typhoon", "Rain in 台湾 and Okinawa.", ()),
        ("Tariffs", "Talks go on.", ("臺灣",)),
        ("台灣燈會", "遊客眾多。", ()),
    ]
    other = [
        ("香港天氣", "天晴。", ()),
        ("Ferry news", "Boats run.", ()),
        ("東京股市", "上漲。", ()),
    ]
    articles = [
        make_article(title, text, tags=tags, published=NOW - timedelta(hours=3 * n + 1))
        for n, (title, text, tags) in enumerate(about + other)
    ]
    rng = random.Random(3)
    rng.shuffle(articles)  # stored out of date order, as a first scan of a folder may be
    for article in articles:
        save_articles(db, [article], now=NOW)
    expected = sorted(
        (a for a in articles if a.title in {title for title, _, _ in about}),
        key=lambda a: a.published,
        reverse=True,
    )
    return db, [a.id for a in expected]


@pytest.mark.parametrize("limit", range(1, 13))
def test_latest_about_a_term_walks_or_sorts_to_the_same_answer(taiwan_news, limit):
    # Nine matches among twelve articles: a small limit walks the newest articles, a large
    # one sorts the matches (see latest_articles); both must give the newest matches.
    db, expected = taiwan_news
    for term in ("台灣", "台湾", "臺灣"):
        assert [a.id for a in latest_articles(db, term, limit=limit)] == expected[:limit]


def test_latest_finds_old_matches_when_nothing_recent_does(db):
    # Thirty typhoon stories from last year among four hundred: enough matches for a walk
    # from the newest, which finds none of them and gives way to sorting the matches.
    old = [
        make_article(f"颱風 {n}", "風雨交加。", published=NOW - timedelta(days=300, hours=n))
        for n in range(30)
    ]
    recent = [
        make_article(f"股市 {n}", "上漲。", published=NOW - timedelta(hours=n)) for n in range(370)
    ]
    save_articles(db, old + recent, now=NOW)
    expected = [a.id for a in sorted(old, key=lambda a: a.published, reverse=True)]
    for limit in (1, 2, 8):
        assert [a.id for a in latest_articles(db, "台风", limit=limit)] == expected[:limit]
