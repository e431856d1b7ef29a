"""Search and stories on real posts (CNA, DW and KYODO from the shared corpus)."""

from __future__ import annotations

from storage.search import search
from summariser.fold import fold


def containing(db, word: str, source: str | None = None) -> set[str]:
    """Ids of the articles whose folded title or text contains `word`: plain substring search."""
    rows = db.execute(
        "SELECT id, title, text FROM articles WHERE ? IS NULL OR source = ?", [source, source]
    )
    return {ident for ident, title, text in rows if fold(word) in fold(title + "\n" + text)}


def story_of(db, path: str) -> str:
    (story,) = db.execute("SELECT story_id FROM articles WHERE path = ?", [path]).fetchone()
    return story


def test_taiwan_in_simplified_finds_every_traditional_post(corpus_db):
    page = search(corpus_db, "台湾", limit=5000)
    expected = containing(corpus_db, "台湾")
    assert {hit.article.id for hit in page.hits} == expected
    assert page.total == len(expected)
    traditional = [hit for hit in page.hits if hit.article.lang == "zh-Hant"]
    assert len(traditional) > len(page.hits) / 2  # CNA writes 台灣
    assert any("台灣" in hit.snippet for hit in traditional)
    assert search(corpus_db, "臺灣").total == search(corpus_db, "台灣").total == page.total


def test_anshi_finds_the_dw_nexperia_posts(corpus_db):
    page = search(corpus_db, "安世", source="dw", limit=500)
    expected = containing(corpus_db, "安世", source="dw")
    assert len(expected) >= 5
    assert {hit.article.id for hit in page.hits} == expected
    assert all("安世" in hit.snippet for hit in page.hits)
    titles = [hit.article.title for hit in page.hits[:5]]
    assert sum("安世" in title for title in titles) >= 3  # headline matches first


def test_dw_story_in_both_scripts_is_one_story(corpus_db):
    simplified = story_of(
        corpus_db, "2025-11-14-DW-高市早苗-台湾有事-争议继续升级-中日互召大使.html"
    )
    traditional = story_of(
        corpus_db, "2025-11-14-DW-高市早苗-台灣有事-爭議升級-北京召見日大使.html"
    )
    assert simplified == traditional


def test_different_dw_apec_stories_stay_apart(corpus_db):
    stories = {
        story_of(corpus_db, path)
        for path in (
            "2025-11-01-DW-台湾apec代表会晤美财长-美防长呼吁东盟对华立场坚定.html",
            "2025-11-01-DW-习近平访韩收官apec-李在明寻求-安抚北京.html",
            "2025-11-05-DW-北京-台湾只能在-一中-前提下参加明年深圳apec峰会.html",
        )
    }
    assert len(stories) == 3


def test_daily_items_with_the_same_short_text_stay_apart(corpus_db):
    assert story_of(corpus_db, "2025-11-08-KYODO-追踪高市早苗首相-8日.html") != story_of(
        corpus_db, "2025-11-09-KYODO-追踪高市早苗首相-9日.html"
    )
