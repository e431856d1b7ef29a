"""Full-text search: both Chinese scripts and English, ranking, snippets, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database
from storage_builders import make_article

from storage.articles import save_articles
from storage.db import open_db
from storage.fts import rebuild
from storage.migrations import MIGRATIONS
from storage.search import ELLIPSIS, search, snippet

T0 = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)
NOW = datetime(2025, 11, 11, tzinfo=UTC)

NEXPERIA_HANT = make_article(
    "荷蘭暫停接管安世半導體",
    "荷蘭經濟大臣周三宣布，暫停對晶片製造商安世半導體的行政令，以緩和與中國的緊張關係。"
    "中國商務部表示歡迎，但認為距離徹底解決問題仍有差距。\n\n"
    "汽車業者擔心供應鏈中斷，歐洲多家車廠已減產。德國汽車工業協會呼籲雙方盡快達成協議，"
    "避免生產線再次停擺。",
    source="cna",
    lang="zh-Hant",
    published=T0,
)
TAIWAN_HANS = make_article(
    "台湾代表出席会议",
    "台湾代表林先生周五在会上发言，呼吁各方维持区域稳定。",
    source="dw",
    published=T0 + timedelta(hours=1),
)
ENGLISH = make_article(
    "Chipmaker Nexperia resumes shipments",
    "The Dutch government paused its order, and deliveries of chips to car makers restarted.",
    source="reuters",
    lang="en",
    published=T0 + timedelta(hours=2),
)
FILLER = [
    make_article(f"第{i}則地方新聞", f"市政府今天公布第{i}項交通改善計畫，預計明年完工。")
    for i in range(6)
]


@pytest.fixture
def news(db):
    save_articles(db, [NEXPERIA_HANT, TAIWAN_HANS, ENGLISH, *FILLER], now=NOW)
    return db


def ids(page) -> list[str]:
    return [hit.article.id for hit in page.hits]


@pytest.mark.parametrize("query", ["台湾", "台灣", "臺灣"])
def test_taiwan_in_any_script_finds_the_simplified_post(news, query):
    assert ids(search(news, query, now=NOW)) == [TAIWAN_HANS.id]


@pytest.mark.parametrize("query", ["安世", "安世半导体", "半導", "暂停接管"])
def test_part_of_a_traditional_word_finds_it_from_simplified(news, query):
    assert ids(search(news, query, now=NOW)) == [NEXPERIA_HANT.id]


def test_single_character_matches_anywhere_in_a_word(news):
    # 鏈 ends the run 供應鏈 and 晶 starts 晶片: both are found.
    assert ids(search(news, "链", now=NOW)) == [NEXPERIA_HANT.id]
    assert ids(search(news, "晶", now=NOW)) == [NEXPERIA_HANT.id]


def test_english_is_case_insensitive_and_words_are_anded(news):
    assert ids(search(news, "NEXPERIA", now=NOW)) == [ENGLISH.id]
    assert ids(search(news, "dutch CHIPS", now=NOW)) == [ENGLISH.id]
    assert search(news, "dutch taiwan", now=NOW).total == 0


def test_quoted_phrase_must_appear_in_order(news):
    assert ids(search(news, '"paused its order"', now=NOW)) == [ENGLISH.id]
    assert search(news, '"order its paused"', now=NOW).total == 0
    assert ids(search(news, "「暫停接管」", now=NOW)) == [NEXPERIA_HANT.id]


def test_snippet_shows_the_original_text_around_the_match(news):
    (hit,) = search(news, "供应链", now=NOW).hits
    assert "供應鏈" in hit.snippet  # the original script, not the folded one
    assert hit.snippet.startswith(ELLIPSIS)
    assert len(hit.snippet) <= 82


def test_snippet_maps_back_through_width_folding():
    text = "前言" * 40 + "ＡＰＥＣ峰會在深圳舉行" + "後記" * 40
    cut = snippet(text, ["apec"])
    assert "ＡＰＥＣ峰會" in cut
    assert cut.startswith(ELLIPSIS) and cut.endswith(ELLIPSIS)


def test_snippet_does_not_cut_english_words():
    text = " ".join(["alpha"] * 30 + ["Nexperia", "resumed"] + ["omega"] * 30)
    cut = snippet(text, ["nexperia"])
    assert "Nexperia" in cut
    words = cut.strip(ELLIPSIS).split()
    assert set(words) <= {"alpha", "Nexperia", "resumed", "omega"}


def test_title_match_ranks_above_text_matches(db):
    in_title = make_article(
        "Nexperia warns of delays", "The company said orders would ship late.", lang="en"
    )
    in_text = make_article(
        "Car makers cut output",
        "Suppliers blamed Nexperia. Without Nexperia parts, lines stopped; Nexperia said more.",
        lang="en",
    )
    save_articles(db, [in_title, in_text, *FILLER], now=NOW)
    assert ids(search(db, "nexperia", now=NOW)) == [in_title.id, in_text.id]


def test_newer_article_ranks_first_when_equally_relevant(db):
    old = make_article("Typhoon warning", "Signal 8 is hoisted.", lang="en", published=T0)
    new = make_article(
        "Typhoon warning again", "Signal 8 is hoisted.", lang="en", published=T0 + timedelta(days=5)
    )
    save_articles(db, [old, new, *FILLER], now=NOW)
    hits = search(db, "signal hoisted", now=T0 + timedelta(days=5)).hits
    assert [h.article.id for h in hits] == [new.id, old.id]
    assert hits[0].score > hits[1].score > 0


def test_paging_and_filters(news):
    first = search(news, "交通", limit=4, now=NOW)
    second = search(news, "交通", limit=4, offset=4, now=NOW)
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and first.has_more
    assert len(second.hits) == 2 and not second.has_more
    assert not set(ids(first)) & set(ids(second))
    assert search(news, "交通", offset=10, now=NOW).total == 6  # past the end
    assert search(news, "chips", source="cna", now=NOW).total == 0
    assert ids(search(news, "安世", since=T0, now=NOW)) == [NEXPERIA_HANT.id]
    assert search(news, "安世", since=T0 + timedelta(minutes=1), now=NOW).total == 0


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"""',
        "*",
        "a*",
        "NEAR(a b, 2)",
        "-chips",
        "AND",
        "chips OR",
        "NOT taiwan",
        "(",
        "())",
        "title:chips",
        "{title body}: chips",
        "^chips",
        "chips + nexperia",
        "'",
        "\\",
        "%",
        "",
        "   ",
        "。，！",
        "\x00",
        "0\x00",
        "台\x00灣",
    ],
)
def test_fts_syntax_in_user_input_is_just_text(news, query):
    page = search(news, query, now=NOW)
    assert page.total == len(page.hits)


def test_operators_are_searched_as_words(db):
    article = make_article("Words", "Meet me NEAR the station and NOT later.", lang="en")
    save_articles(db, [article], now=NOW)
    assert ids(search(db, "NEAR", now=NOW)) == [article.id]
    assert ids(search(db, "not later", now=NOW)) == [article.id]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=30))
def test_no_user_input_raises(news, query):
    search(news, query, now=NOW)


def test_rebuilt_index_gives_the_same_results(news):
    before = [ids(search(news, q, now=NOW)) for q in ("台湾", "安世", "nexperia", "交通")]
    rebuild(news)
    after = [ids(search(news, q, now=NOW)) for q in ("台湾", "安世", "nexperia", "交通")]
    assert after == before and all(after)


def test_a_much_better_old_match_beats_a_weak_new_one(db):
    strong = make_article(
        "Signal 8 hoisted", "Signal 8 was hoisted at noon.", lang="en", published=T0
    )
    weak = make_article(
        "Weather",
        "Rain and wind expected through the weekend, with signal changes possible later on.",
        lang="en",
        published=T0 + timedelta(days=5),
    )
    save_articles(db, [strong, weak, *FILLER], now=NOW)
    assert ids(search(db, "signal", now=T0 + timedelta(days=5))) == [strong.id, weak.id]


def test_non_ascii_punctuation_splits_words_and_accents_do_not_matter(db):
    article = make_article(
        "Lula’s visit",
        "Lula’s team—led from São Paulo—met Müller’s aides; “tariffs” were on the table…",
        lang="en",
    )
    save_articles(db, [article], now=NOW)
    for query in ("lula", "led", "sao paulo", "São", "muller", "Müller", "tariffs", "table"):
        assert ids(search(db, query, now=NOW)) == [article.id], query
    assert ids(search(db, "team led", now=NOW)) == [article.id]
    assert ids(search(db, "“", now=NOW)) == []  # punctuation is not a word


def test_a_database_indexed_by_unicode61_is_reindexed_on_upgrade(tmp_path, caplog):
    # Schema 5 read the index with unicode61; the upgrade re-indexes what is stored.
    path = tmp_path / "old.db"
    old = Database(path)
    for migration in MIGRATIONS[:5]:
        migration(old)
    old.execute("PRAGMA user_version = 5")
    article = make_article("Lula’s visit", "Lula’s team met in São Paulo.", lang="en")
    save_articles(old, [article], now=NOW)
    old.close()

    db = open_db(path)
    assert "re-indexing 1 stored articles for search" in caplog.text
    (schema,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    assert "'ascii'" in schema
    assert ids(search(db, "sao paulo", now=NOW)) == [article.id]
    assert ids(search(db, "lula", now=NOW)) == [article.id]
