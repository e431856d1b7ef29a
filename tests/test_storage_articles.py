"""Saving articles (new, updated, unchanged) and the ways the bot reads them back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from storage_builders import make_article

from storage import articles as articles_module
from storage.articles import (
    article_ids_for_tag,
    count_articles,
    find_by_url,
    get_article,
    latest_articles,
    recent_articles,
    save_article,
    save_articles,
    trending_tags,
)
from storage.search import search

T0 = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)
NOW = datetime(2025, 11, 21, tzinfo=UTC)


def test_new_article_reads_back_with_every_field(db):
    article = make_article(
        "荷蘭暫停接管安世半導體",
        "荷蘭經濟大臣宣布暫停行政令。\n\n中國商務部表示歡迎。",
        url="https://news.example.org/a/1",
        lang="zh-Hant",
        summary=("荷蘭經濟大臣宣布暫停行政令。", "中國商務部表示歡迎。"),
        tags=("cna", "安世半導體"),
        keywords=("荷蘭", "商務部"),
    )
    assert save_article(db, article, now=NOW) == "new"
    stored = get_article(db, article.id)
    assert stored is not None
    for name in ("id", "source", "path", "url", "title", "lang", "text"):
        assert getattr(stored, name) == getattr(article, name), name
    assert stored.published == article.published and stored.published.tzinfo is not None
    assert stored.summary == article.summary and isinstance(stored.summary, tuple)
    assert stored.tags == article.tags and stored.keywords == article.keywords
    assert stored.story_id == article.id
    assert stored.first_seen == stored.updated_at == NOW
    assert get_article(db, "0000000000000000") is None


def test_saving_the_same_article_again_changes_nothing(db):
    article = make_article("標題", "內容" * 40, tags=("cna",))
    save_article(db, article, now=NOW)
    changes = db.conn.total_changes
    assert save_article(db, article, now=NOW + timedelta(hours=1)) == "unchanged"
    assert db.conn.total_changes == changes
    assert get_article(db, article.id).updated_at == NOW


def test_edited_article_replaces_row_tags_and_search_entry(db):
    original = make_article(
        "颱風鳳凰逼近", "天文台表示颱風鳳凰將於今晚最接近本港。", tags=("rthk", "颱風")
    )
    save_article(db, original, now=NOW)
    edited = replace(
        original,
        title="鳳凰減弱為熱帶風暴",
        text="天文台表示鳳凰已減弱，三號信號將於中午取消。",
        tags=("rthk", "天氣"),
    )
    later = NOW + timedelta(hours=2)
    assert save_article(db, edited, now=later) == "updated"
    stored = get_article(db, original.id)
    assert stored.title == "鳳凰減弱為熱帶風暴"
    assert stored.first_seen == NOW and stored.updated_at == later
    assert article_ids_for_tag(db, "天氣") == [original.id]
    assert article_ids_for_tag(db, "颱風") == []
    assert search(db, "最接近", now=NOW).total == 0  # words only the old text had
    assert search(db, "三號信號", now=NOW).total == 1
    assert search(db, "鳳凰", now=NOW).total == 1  # one row, not an old and a new one
    assert count_articles(db) == 1


def test_save_articles_counts_and_spans_batches(db, monkeypatch):
    monkeypatch.setattr(articles_module, "BATCH_SIZE", 3)
    batch = [
        make_article(f"第{i}則新聞", f"內容{i}", published=T0 + timedelta(minutes=i))
        for i in range(7)
    ]
    assert save_articles(db, batch, now=NOW) == {"new": 7}
    edited = [replace(batch[0], text="新內容"), *batch[1:4], make_article("另一則", "別的")]
    assert save_articles(db, edited, now=NOW) == {"updated": 1, "unchanged": 3, "new": 1}
    assert count_articles(db) == 8


def test_one_id_twice_in_a_batch_keeps_the_last_version(db):
    first = make_article("初稿", "第一版內容", url="https://news.example.org/x")
    second = replace(first, title="定稿", text="第二版內容")
    assert save_articles(db, [first, second], now=NOW) == {"new": 1, "repeated": 1}
    assert get_article(db, first.id).title == "定稿"


def test_recent_articles_window_order_and_limit(db):
    days = [make_article(f"day {d}", "text", published=T0 + timedelta(days=d)) for d in range(5)]
    save_articles(db, days, now=NOW)
    found = recent_articles(db, T0 + timedelta(days=1), until=T0 + timedelta(days=4))
    assert [a.title for a in found] == ["day 3", "day 2", "day 1"]
    assert [a.title for a in recent_articles(db, T0, limit=2)] == ["day 4", "day 3"]


def test_latest_articles_by_tag_or_word_in_either_script(db):
    tagged = make_article("選舉結果", "開票完畢。", tags=("台灣",), published=T0)
    in_text = make_article(
        "Election night", "Votes in 臺灣 were counted.", published=T0 + timedelta(hours=1)
    )
    in_title = make_article("台湾大选", "结果公布。", published=T0 + timedelta(hours=2))
    other = make_article("香港天氣", "天晴。", published=T0 + timedelta(hours=3))
    save_articles(db, [tagged, in_text, in_title, other], now=NOW)
    assert [a.id for a in latest_articles(db, "台灣")] == [in_title.id, in_text.id, tagged.id]
    assert [a.id for a in latest_articles(db, limit=2)] == [other.id, in_title.id]
    assert latest_articles(db, "!!!") == []  # nothing to match, and no error


def test_article_ids_for_tag_folds_script_and_case(db):
    article = make_article("Chips", "text", tags=("Nexperia", "安世半導體"))
    save_article(db, article, now=NOW)
    assert article_ids_for_tag(db, "NEXPERIA") == [article.id]
    assert article_ids_for_tag(db, "安世半导体") == [article.id]


def test_trending_tags_count_stories_not_articles_and_skip_the_source(db):
    text = "亞太經合組織峰會在深圳舉行，各經濟體領導人出席並討論供應鏈和數字貿易。" * 4
    repost = make_article(
        "APEC峰會開幕", text, source="dw", url="https://a.example/1", tags=("dw", "apec")
    )
    again = replace(repost, id="1" * 16, url="https://a.example/2", path="again.html")
    different = make_article("台風", "颱風逼近。", source="dw", tags=("dw", "apec", "天氣"))
    old = make_article("舊聞", "舊的。", tags=("天氣",), published=T0 - timedelta(days=30))
    save_articles(db, [repost, again, different, old], now=NOW)
    assert get_article(db, again.id).story_id == repost.id
    assert trending_tags(db, T0 - timedelta(days=1)) == [("apec", 2), ("天气", 1)]
    assert trending_tags(db, T0 - timedelta(days=1), limit=1) == [("apec", 2)]


def test_find_by_url_however_the_link_is_spelled(db):
    url = "https://www.dw.com/zh/中国拟部分允许安世半导体出口/a-74583623"
    article = make_article("安世", "text", url=url)
    save_article(db, article, now=NOW)
    spelled = (
        "HTTPS://WWW.DW.COM/zh/%E4%B8%AD%E5%9B%BD%E6%8B%9F%E9%83%A8%E5%88%86%E5%85%81%E8%AE%B8"
        "%E5%AE%89%E4%B8%96%E5%8D%8A%E5%AF%BC%E4%BD%93%E5%87%BA%E5%8F%A3/a-74583623"
        "?utm_source=telegram#top"
    )
    assert find_by_url(db, spelled).id == article.id
    assert find_by_url(db, "https://www.dw.com/zh/other/a-1") is None
    assert find_by_url(db, " ") is None
