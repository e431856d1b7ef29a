"""Rendered messages: escaped, valid Telegram HTML, never over 4096, split between items."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fakeapi.html import parse_html
from bot.render import (
    LIMIT,
    DigestEntry,
    DigestGroup,
    alert_message,
    article_detail,
    article_item,
    digest_messages,
    search_results,
    settings_text,
    shorten,
    split_messages,
    subscriptions_list,
    trending_tags,
    utf16_len,
)
from storage.articles import save_articles
from storage.chats import ensure_chat, update_chat
from storage.db import open_db
from storage.search import search
from storage.subscriptions import list_mutes, list_subscriptions, mute, subscribe
from summariser.article import Article
from summariser.ids import article_id

TAIPEI = ZoneInfo("Asia/Taipei")
HOSTILE = '<script>alert("x")</script> & <b>Co</b> "quoted" \'single\''
SUPPORTED = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
_TAG = re.compile(r"</?([a-zA-Z0-9-]+)")


def make(
    title: str = "Title",
    *,
    n: int = 0,
    url: str | None = "https://example.org/story?a=1&b=2",
    summary: tuple[str, ...] = ("First sentence.", "Second sentence.", "Third sentence."),
    lang: str = "en",
    source: str = "cna",
    keywords: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    text: str = "",
) -> Article:
    return Article(
        id=article_id(None, source, f"{n}-{title}"),
        source=source,
        path=f"{n}-{title}",
        title=title,
        published=datetime(2025, 11, 1, 5, 34, tzinfo=UTC) + timedelta(minutes=n),
        lang=lang,
        text=text or " ".join(summary),
        summary=summary,
        url=url,
        keywords=keywords,
        tags=tags,
    )


def check_message(html: str, limit: int = LIMIT) -> str:
    """What Telegram would do with the message: parse it (or refuse), and count it."""
    assert utf16_len(html) <= limit
    assert {name.lower() for name in _TAG.findall(html)} <= SUPPORTED
    visible = parse_html(html).text
    assert utf16_len(visible) <= limit
    return visible


def test_hostile_title_and_url_are_escaped() -> None:
    url = 'https://example.org/a?x=1&y="2"<'
    item = article_item(make(HOSTILE, url=url, summary=(HOSTILE,)), "en", TAIPEI)
    assert "<script>" not in item
    visible = check_message(item)
    assert visible.startswith(HOSTILE)
    assert visible.endswith(HOSTILE)
    entities = parse_html(item).entities
    assert {"type": "text_link", "offset": 0, "length": len(HOSTILE), "url": url} in entities


def test_only_web_links_are_linked() -> None:
    item = article_item(make("Click", url="javascript:alert(1)"), "en", TAIPEI)
    assert "href" not in item
    assert "<a" not in article_item(make("No link", url=None), "en", TAIPEI)


def test_item_shows_source_local_time_also_from_and_summary() -> None:
    item = article_item(make("Quake", n=0), "zh-Hant", TAIPEI, also_from=["dw", "bbc"])
    visible = check_message(item)
    lines = visible.split("\n")
    assert lines[0] == "Quake"
    assert lines[1] == "cna · 11-01 13:34 · 另見：dw、bbc"  # 05:34 UTC is 13:34 in Taipei
    assert lines[2] == "First sentence. Second sentence. Third sentence."
    short = check_message(article_item(make("Quake"), "en", TAIPEI, sentences=1))
    assert short.endswith("cna · 11-01 13:34\nFirst sentence.")
    bare = check_message(article_item(make("Quake"), "en", TAIPEI, with_summary=False))
    assert "First" not in bare


def test_chinese_summaries_join_without_spaces() -> None:
    item = article_item(make("標題", summary=("第一句。", "第二句。"), lang="zh-Hant"), "en", UTC)
    assert check_message(item).endswith("第一句。第二句。")


def test_detail_has_summary_keywords_tags_and_link() -> None:
    article = make("Title", keywords=("台积电", "ai"), tags=("cna", "半导体"))
    visible = check_message(article_detail(article, "zh-Hant", TAIPEI))
    assert "cna · 2025-11-01 13:34" in visible
    assert "First sentence. Second sentence. Third sentence." in visible
    assert "關鍵字：台積電、ai" in visible  # stored folded, shown in the reader's script
    assert "標籤：cna、半導體" in visible
    simplified = check_message(article_detail(article, "zh-Hans", TAIPEI))
    assert "关键词：台积电、ai" in simplified
    assert visible.endswith("閱讀全文")


def test_detail_cuts_a_huge_summary_but_keeps_its_link() -> None:
    article = make("Title", summary=tuple("很長的一句話。" * 50 for _ in range(20)), lang="zh-Hant")
    detail = article_detail(article, "en", TAIPEI)
    visible = check_message(detail)
    assert "…" in visible
    assert visible.endswith("Read the full story")


def test_single_alert_carries_the_terms_and_the_summary() -> None:
    (message,) = alert_message([make("Chips")], "en", TAIPEI, terms=["AI", "台積電"])
    visible = check_message(message)
    assert visible.startswith("🔔 AI, 台積電\n\nChips")
    assert "Third sentence." in visible


def test_bundle_alert_counts_and_splits_between_stories() -> None:
    articles = [make("x" * 300, n=n, summary=("y" * 400,)) for n in range(40)]
    messages = alert_message(articles, "en", TAIPEI, terms=["AI"])
    assert len(messages) > 1
    assert check_message(messages[0]).startswith("🔔 AI: 40 new stories")
    shown = "\n\n".join(check_message(m) for m in messages)
    assert shown.count("x" * 300) == 40  # no story cut in two or lost


def test_digest_groups_cap_and_counts() -> None:
    ai = [make(f"AI story {n}", n=n) for n in range(7)]
    chips = [make("Chip story", n=99), ai[0]]  # ai[0] is in both groups
    groups = [
        DigestGroup("AI", tuple(DigestEntry(a) for a in ai)),
        DigestGroup("<chips>", tuple(DigestEntry(a, ("dw",)) for a in chips)),
    ]
    messages = digest_messages(groups, "en", TAIPEI, cap=5)
    visible = "\n\n".join(check_message(m) for m in messages)
    assert visible.startswith("📰 Your digest — 8 stories")
    assert "🔹 AI\nAI story 0" in visible
    assert "🔹 <chips>\nChip story" in visible
    assert "AI story 4" in visible and "AI story 5" not in visible
    assert "…and 2 more: /search AI" in visible
    assert "also from: dw" in visible


def test_digest_headings_never_end_a_message() -> None:
    groups = [
        DigestGroup(f"term{g}", tuple(DigestEntry(make("t" * 200, n=g * 10 + n)) for n in range(6)))
        for g in range(12)
    ]
    messages = digest_messages(groups, "en", TAIPEI, cap=6)
    assert len(messages) > 2
    for message in messages:
        last_line = check_message(message).split("\n")[-1]
        assert not last_line.startswith("🔹")


def test_split_fills_messages_exactly_to_the_limit() -> None:
    # two items of 2000 units and the separator: 4002, fits; one more character does not
    fits = ["a" * 2000, "b" * 2000]
    assert split_messages(fits, limit=4002) == ["a" * 2000 + "\n\n" + "b" * 2000]
    assert split_messages(fits, limit=4001) == ["a" * 2000, "b" * 2000]
    # astral characters count two units each
    emoji = ["😀" * 1000, "😀" * 1000]
    assert len(split_messages(emoji, limit=4001)) == 2
    assert len(split_messages(emoji, limit=4002)) == 1


def test_split_puts_the_header_on_the_first_message_only() -> None:
    messages = split_messages(["a" * 3000, "b" * 3000], header="<b>Head</b>")
    assert messages == ["<b>Head</b>\n\n" + "a" * 3000, "b" * 3000]
    assert split_messages([], header="<b>Head</b>") == []


def test_an_oversized_item_is_shortened_safely() -> None:
    item = "<b>" + "&amp;" * 700 + "</b>\n" + "<i>" + "word " * 1000 + "</i>"
    (message,) = split_messages([item])
    visible = check_message(message)
    assert visible.startswith("&" * 700 + "\nword word")
    assert visible.endswith("word…")  # cut between words, the tag closed after the mark
    assert message.endswith("…</i>")
    (entities,) = split_messages(["<b>" + "&amp;" * 1000 + "</b>"])
    visible = check_message(entities)  # parses: no half "&am" left behind
    assert visible == "&" * (len(visible) - 1) + "…"
    assert len(visible) > 800


def test_shorten_never_splits_an_emoji_sequence() -> None:
    family = "👩\u200d👩\u200d👧"
    text = "<i>" + family * 500 + "</i>"
    for limit in range(10, 60):
        cut = shorten(text, limit)
        check_message(cut, limit)
        body = parse_html(cut).text.removesuffix("…")
        assert body == family * (len(body) // len(family))


def test_list_shows_digest_only_topics_and_mutes(tmp_path: Path) -> None:
    db = open_db(tmp_path / "newsgist.db")
    now = datetime(2025, 11, 1, tzinfo=UTC)
    ensure_chat(
        db,
        1,
        type="private",
        title=None,
        language="en",
        timezone="UTC",
        digest_time="08:00",
        now=now,
    )
    assert subscriptions_list([], [], "en") == [
        "You don't follow any topics yet. Try <code>/subscribe 台積電</code> or "
        "<code>/subscribe AI</code>."
    ]
    subscribe(db, 1, [("ai", "AI")], now=now)
    subscribe(db, 1, [("台积电", "台積電<>")], instant=False, now=now + timedelta(seconds=1))
    mute(db, 1, [("体育", "體育")], now=now)
    (message,) = subscriptions_list(list_subscriptions(db, 1), list_mutes(db, 1), "en")
    visible = check_message(message)
    assert visible.split("\n") == [
        "Topics you follow (2)",
        "• AI",
        "• 台積電<> 🔕",
        "🔕 = daily digest only, no instant alerts",
        "",
        "Muted words (1)",
        "• 體育",
    ]
    db.close()


def test_long_lists_are_split() -> None:
    from storage.subscriptions import Subscription

    now = datetime(2025, 11, 1, tzinfo=UTC)
    subs = [Subscription(1, f"t{n}", "長" * 40 + str(n), True, now) for n in range(200)]
    messages = subscriptions_list(subs, [], "zh-Hant")
    assert len(messages) > 1
    shown = "\n".join(check_message(m) for m in messages)
    assert all(f"{'長' * 40}{n}" in shown for n in range(200))


def test_search_results_page_fits_one_message(tmp_path: Path) -> None:
    db = open_db(tmp_path / "newsgist.db")
    articles = [
        make(
            f"台積電 新聞 {n} " + "長" * 300,
            n=n,
            text="外資買超台積電。" + "內容" * 500,
            lang="zh-Hant",
        )
        for n in range(12)
    ]
    save_articles(db, articles, now=datetime(2025, 11, 2, tzinfo=UTC))
    page = search(db, "台積電", limit=5)
    message = search_results(page, "zh-Hant", TAIPEI)
    visible = check_message(message)
    assert visible.startswith("🔎 台積電：共 12 篇 · 第 1／3 頁")
    assert visible.count("台積電 新聞") == 5
    assert "外資買超台積電" in visible  # the passage where it was found
    nothing = search_results(search(db, "不存在的詞"), "en", TAIPEI)
    assert check_message(nothing).startswith("Nothing found for 不存在的詞")
    db.close()


def test_trending_tags_are_ranked_and_escaped() -> None:
    visible = check_message(trending_tags([("台积电", 12), ("<ai>", 3)], "zh-Hans"))
    assert visible.split("\n") == ["🏷 今日热门标签", "1. 台积电 · 12", "2. <ai> · 3"]
    assert check_message(trending_tags([], "en")) == "No trending tags yet today."
    traditional = check_message(trending_tags([("台积电", 12), ("关税", 4)], "zh-Hant"))
    assert traditional.split("\n")[1:] == ["1. 台積電 · 12", "2. 關稅 · 4"]


def test_settings_screen_in_the_chats_language(tmp_path: Path) -> None:
    db = open_db(tmp_path / "newsgist.db")
    ensure_chat(
        db,
        5,
        type="private",
        title=None,
        language="zh-Hant",
        timezone="Asia/Taipei",
        digest_time="07:30",
        now=datetime(2025, 11, 1, tzinfo=UTC),
    )
    chat = update_chat(db, 5, instant=False, paused=True, summary_sentences=2)
    visible = check_message(settings_text(chat))
    for line in (
        "每日摘要時間：07:30",
        "時區：Asia/Taipei",
        "語言：繁體中文",
        "摘要長度：2 句",
        "即時通知：關閉",
        "狀態：已暫停",
    ):
        assert line in visible
    db.close()


# Property tests: whatever the headlines, every message is valid and within the limit.

_PIECE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
_text = st.lists(
    _PIECE
    | st.sampled_from(["<", ">", "&", '"', "&amp;", "😀", "👩\u200d👧", "台積電", " ", "\n"]),
    max_size=30,
).map("".join)
_articles = st.builds(
    lambda title, summary, n, source: make(title, n=n, summary=tuple(summary), source=source),
    _text,
    st.lists(_text, max_size=4),
    st.integers(0, 10_000),
    st.sampled_from(["cna", "bbc", "<dw>"]),
)


@settings(max_examples=60, deadline=None)
@given(articles=st.lists(_articles, min_size=1, max_size=30), limit=st.integers(200, LIMIT))
def test_split_messages_property(articles: list[Article], limit: int) -> None:
    items = [article_item(a, "en", TAIPEI) for a in articles]
    header = "<b>Header</b>"
    messages = split_messages(items, header=header, limit=limit)
    for message in messages:
        check_message(message, limit)
    if all(utf16_len(item) <= limit - utf16_len(header) - 2 for item in items):
        # nothing was shortened: every item is whole, boundaries fall between items
        assert "\n\n".join(messages) == "\n\n".join([header, *items])


@settings(max_examples=80, deadline=None)
@given(article=_articles, limit=st.integers(1, 600))
def test_shorten_property(article: Article, limit: int) -> None:
    html = article_item(article, "en", TAIPEI)
    cut = shorten(html, limit)
    if not cut:
        return
    visible = check_message(cut, limit)
    whole = parse_html(html).text
    assert whole.startswith(visible.removesuffix("…").rstrip())


@settings(max_examples=30, deadline=None)
@given(
    groups=st.lists(
        st.tuples(_text, st.lists(_articles, min_size=1, max_size=8)), min_size=1, max_size=6
    )
)
def test_digest_property(groups: list[tuple[str, list[Article]]]) -> None:
    digest_groups = [
        DigestGroup(title, tuple(DigestEntry(a, ("bbc",)) for a in articles))
        for title, articles in groups
    ]
    for message in digest_messages(digest_groups, "zh-Hant", TAIPEI, cap=5):
        check_message(message)
