"""Reading single Jekyll posts in both front-matter dialects, and refusing bad ones clearly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sources.exceptions import PostError
from sources.jekyll import MAX_POST_BYTES, parse_date_text, parse_post, parse_post_file

POSTS = Path(__file__).parent / "fixtures" / "sources" / "posts"
CNA = POSTS / "2025-11-03-CNA-台北捷運環狀線北段通車.html"
RTHK = POSTS / "2025-11-03-RTHK-天文台發出強烈季候風信號.md"
SEED = POSTS / "2022-11-21-cop-climate-talks.md"
ENGLISH = POSTS / "2024-03-05-harbour-ferry-fares.markdown"
KYODO = POSTS / "2025-11-04-KYODO-东京股市-日经指数-收盘.html"


def post_bytes(front: str, body: str = "<p>本文。</p>\n") -> bytes:
    return f"---\n{front.strip()}\n---\n{body}".encode()


def test_corpus_dialect_post() -> None:
    post = parse_post_file(CNA)
    assert post.source == "cna"
    assert post.title == "台北捷運環狀線北段通車　沿線居民：通勤省20分鐘"
    assert post.published == datetime(2025, 11, 3, 9, 12, 45, 123456, tzinfo=UTC)
    assert post.url == "https://news.example.tw/news/ahel/202511030042.aspx"
    assert post.body.startswith('<div class="paragraph"><p>（中央社記者林小華')
    assert post.body_format == "html"
    assert post.path == str(CNA)
    assert post.tags == ()


def test_markdown_post_with_offset_is_converted_to_utc() -> None:
    post = parse_post_file(RTHK)
    assert post.source == "rthk"
    assert post.published == datetime(2025, 11, 3, 10, 40, 2, tzinfo=UTC)
    assert post.published.tzinfo is UTC
    assert post.body_format == "markdown"
    assert post.body.startswith("天文台在傍晚6時40分")
    assert post.title == "天文台發出強烈季候風信號｜市民注意保暖"


def test_seed_dialect_strips_marker_heading_and_rule() -> None:
    post = parse_post_file(SEED)
    assert post.source == "cna"
    assert post.title == "氣候峰會延長談判　各國爭「損失與損害」基金: 最後一夜"
    assert post.published == datetime(2022, 11, 20, 22, 15, 30, tzinfo=UTC)
    assert post.url == "https://news.example.tw/news/aopl/202211200099.aspx"
    assert post.author == "(臺)中央社CNA"
    assert post.body.startswith("<div><p>（中央社夏姆錫克")
    assert "<!--" not in post.body and "------" not in post.body and "](" not in post.body
    assert post.body_format == "html"  # a .md file holding HTML
    assert post.tags == ("氣候變遷", "COP27")  # the outlet, repeated as a tag, is not a tag


def test_seed_without_date_falls_back_to_epoch_marker() -> None:
    data = SEED.read_bytes().replace(b"date: 2022-11-20T22:15:30.000Z\n", b"")
    post = parse_post(data, "2022-11-21-cop-climate-talks.md")
    assert post.published == datetime(2022, 11, 20, 22, 15, 30, tzinfo=UTC)


def test_seed_without_from_takes_the_link_of_its_heading() -> None:
    data = SEED.read_bytes().replace(
        b"from: https://news.example.tw/news/aopl/202211200099.aspx\n", b""
    )
    post = parse_post(data, "seed.md")
    assert post.url == "https://news.example.tw/news/aopl/202211200099.aspx"
    assert post.body.startswith("<div><p>")


def test_without_date_or_marker_the_file_name_date_is_used() -> None:
    data = post_bytes("title: 標題\ncategories: cna")
    post = parse_post(data, "_posts/2025-11-07-CNA-title.html")
    assert post.published == datetime(2025, 11, 7, tzinfo=UTC)


def test_date_only_english_markdown_post(tmp_path: Path) -> None:
    site = tmp_path / "harbour" / "_posts"
    site.mkdir(parents=True)
    path = site / ENGLISH.name
    path.write_bytes(ENGLISH.read_bytes())
    post = parse_post_file(path)
    assert post.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert post.source == "harbour"  # no category, no SOURCE in the name: the site folder
    assert post.title == "Harbour ferry fares: operators ask for 4% rise"
    assert post.tags == ("transport", "Hong Kong")
    assert post.author == "City Desk"
    assert post.body_format == "markdown"
    assert post.url is None


def test_title_that_breaks_yaml_is_read_line_by_line() -> None:
    post = parse_post_file(KYODO)
    assert post.title == '东京股市: 日经指数收盘上涨 "创新高" | 半导体股领涨'
    assert post.published == datetime(2025, 11, 4, 6, 30, tzinfo=UTC)
    assert post.source == "kyodo"
    assert post.url == "https://news.example.jp/kyodo/2025/11/04/nikkei"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-01 05:34:03.000000000 +00:00", datetime(2025, 11, 1, 5, 34, 3, tzinfo=UTC)),
        ("2025-11-01 13:34:03.987654321 +08:00", datetime(2025, 11, 1, 5, 34, 3, 987654, UTC)),
        ("2022-11-21T03:04:03.000Z", datetime(2022, 11, 21, 3, 4, 3, tzinfo=UTC)),
        ("2025-11-01 13:34:03 +0800", datetime(2025, 11, 1, 5, 34, 3, tzinfo=UTC)),
        ("2025-11-01 13:34 +08:00", datetime(2025, 11, 1, 5, 34, tzinfo=UTC)),
        ("2025-10-31 21:34:03 -08:00", datetime(2025, 11, 1, 5, 34, 3, tzinfo=UTC)),
        ("2025-11-01 05:34:03", datetime(2025, 11, 1, 5, 34, 3, tzinfo=UTC)),
        ("2025-11-01T05:34:03.5+00:00", datetime(2025, 11, 1, 5, 34, 3, 500000, UTC)),
        ("2025-11-01", datetime(2025, 11, 1, tzinfo=UTC)),
    ],
)
def test_dates_in_front_matter(text: str, expected: datetime) -> None:
    assert parse_date_text(text) == expected
    for written in (text, f'"{text}"'):  # a YAML timestamp and a YAML string
        post = parse_post(post_bytes(f"title: t\ncategories: x\ndate: {written}"), "p.html")
        assert post.published == expected
        assert post.published.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2025-11-01 25:00", "yesterday", "2025-11-01 +99:00"]
)
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert parse_date_text(text) is None


def test_explicit_source_wins_over_categories() -> None:
    post = parse_post(post_bytes("title: t\ndate: 2025-11-01\ncategories: cna"), "x.html", "mine")
    assert post.source == "mine"


@pytest.mark.parametrize(
    ("front", "path", "expected"),
    [
        ("categories: [ (臺)中央社CNA, 政治 ]", "x.html", "cna"),
        ("categories: BBC News", "x.html", "bbc"),  # a string of categories splits on spaces
        ("category: DW", "x.html", "dw"),
        ("categories: 中央社", "x.html", "中央社"),
        ("categories: [ ＣＮＡ中央社 ]", "x.html", "cna"),  # full-width Latin letters
        ("layout: post", "_posts/2025-11-01-NYT-some-story.html", "nyt"),
        ("layout: post", "blog/_posts/2025-11-01-hello-world.md", "blog"),  # lower-case slug
        ("layout: post", "feeds/dw/2025-11-01-story.md", "dw"),
    ],
)
def test_source_name_rules(front: str, path: str, expected: str) -> None:
    post = parse_post(post_bytes(f"title: t\ndate: 2025-11-01\n{front}"), path)
    assert post.source == expected


def test_default_source_comes_before_the_folder() -> None:
    data = post_bytes("title: t\ndate: 2025-11-01")
    assert parse_post(data, "_posts/2025/x.md", default_source="site").source == "site"


def test_string_tags_split_and_outlet_dropped() -> None:
    data = post_bytes("title: t\ndate: 2025-11-01\ncategories: cna\ntags: 能源 CNA 立法院 能源")
    assert parse_post(data, "x.html").tags == ("能源", "立法院")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("title: 'It''s 50: the \"big\" day | live'", 'It\'s 50: the "big" day | live'),
        ("title: 習近平：不要站隊｜對華貿易", "習近平：不要站隊｜對華貿易"),
        ("title: |\n  兩行\n  標題", "兩行 標題"),
        ("title: 2025", "2025"),  # YAML reads a number; the title is what was written
        ("title: yes", "yes"),
        ("title: [快訊] 地震", "[快訊] 地震"),  # YAML fails (a list then text): line reader
        ('title: "unbalanced', '"unbalanced'),
    ],
)
def test_odd_titles(written: str, expected: str) -> None:
    post = parse_post(post_bytes(f"{written}\ndate: 2025-11-01\ncategories: x"), "p.html")
    assert post.title == expected


def test_markdown_file_with_html_body_is_html_and_html_file_is_html() -> None:
    front = "title: t\ndate: 2025-11-01\ncategories: x"
    assert parse_post(post_bytes(front, "<div>段落</div>"), "a.md").body_format == "html"
    assert parse_post(post_bytes(front, "第一段。\n\n第二段。"), "a.md").body_format == "markdown"
    assert parse_post(post_bytes(front, "第一段。"), "a.html").body_format == "html"


def test_crlf_bom_and_dot_dot_dot_close() -> None:
    data = "\ufeff---\r\ntitle: 標題\r\ndate: 2025-11-01\r\ncategories: x\r\n...\r\n正文。\r\n"
    post = parse_post(data.encode(), "p.md")
    assert (post.title, post.body) == ("標題", "正文。")


def test_deeply_nested_html_body_stays_raw() -> None:
    body = "<div>" * 100_000 + "深" + "</div>" * 100_000
    post = parse_post(post_bytes("title: t\ndate: 2025-11-01\ncategories: x", body), "p.html")
    assert post.body == body


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"<p>no front matter</p>", "no front matter"),
        (b"---\ntitle: t\ndate: 2025-11-01\n<p>body", "not closed"),
        (post_bytes("date: 2025-11-01\ncategories: x"), "no title"),
        (post_bytes("title: ''\ndate: 2025-11-01\ncategories: x"), "no title"),
        (post_bytes("headline: a: b\ndate: 2025-11-01"), "no title (YAML said: mapping values"),
        (post_bytes("title: t\ndate: 2025-11-01"), "cannot tell which source"),
        (post_bytes("- title\n- date"), "no title"),
        (post_bytes("title: t\ncategories: x"), "no date"),
        (post_bytes("title: t\ndate: next tuesday\ncategories: x"), "'next tuesday' is not a date"),
        (post_bytes("title: t\ndate: 2025-11-01\ncategories: x", "\n  \n"), "empty body"),
        ("---\ntitle: 標題\n---\n".encode("big5") + b"\xff\xfe", "not UTF-8 text"),
        ("---\ntitle: t\n---\nx".encode("utf-16"), "not UTF-8 text (it is UTF-16)"),
        (post_bytes("title: t\ndate: 2025-11-01", "\x00\x01\x02 PNG"), "binary file"),
    ],
)
def test_bad_posts_give_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PostError) as caught:
        parse_post(data, "bad.md")
    assert reason in caught.value.reason
    assert caught.value.path == "bad.md"


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2025-11-01-CNA-huge.html"
    path.write_bytes(post_bytes("title: t\ndate: 2025-11-01", "<p>" + "大" * MAX_POST_BYTES))
    with pytest.raises(PostError, match="byte limit"):
        parse_post_file(path)
    small = post_bytes("title: t\ndate: 2025-11-01", "<p>ok</p>")
    assert parse_post(small, "p.html", "x", max_bytes=len(small)).body == "<p>ok</p>"
    with pytest.raises(PostError, match="byte limit"):
        parse_post(small, "p.html", "x", max_bytes=len(small) - 1)


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(PostError, match="cannot read the file") as caught:
        parse_post_file(tmp_path / "missing.md", post_path="_posts/missing.md")
    assert caught.value.path == "_posts/missing.md"
    with pytest.raises(PostError, match="cannot read the file"):
        parse_post_file(tmp_path)
