"""RSS 2.0, Atom and jekyll-feed feeds from files and over HTTP (through httpx.MockTransport)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sources.exceptions import FetchError
from sources.feed import USER_AGENT, scan_feed

FEEDS = Path(__file__).parent / "fixtures" / "sources" / "feeds"
URL = "https://mirror.example.org/feed.xml"


def scan(location: str | Path, state: dict | None = None, **kwargs):
    kwargs.setdefault("client", None)
    kwargs.setdefault("name", None)
    return scan_feed(str(location), state or {}, default_source="fallback", **kwargs)


def test_rss_file() -> None:
    result = scan(FEEDS / "rss20.xml")
    first, second = result.posts
    assert first.source == "cna"  # from the feed title "中央社 CNA 即時新聞"
    assert first.title == "立法院三讀通過 再生能源條例修正案"
    assert first.url == "https://news.example.tw/news/202511030001"
    assert first.path == "cna-202511030001"
    assert first.published == datetime(2025, 11, 3, 3, 20, tzinfo=UTC)
    assert first.body.startswith(
        "<p>（中央社記者王小明台北3日電）"
    )  # content:encoded, not description
    assert first.body_format == "html"
    assert first.tags == ("政治", "能源")
    assert first.author == "記者王小明"
    assert second.body == "<p>台股今天收盤上漲120點，成交量新台幣3千億元。</p>"  # description
    assert second.author is None


def test_atom_file_with_missing_dates_and_a_given_name() -> None:
    posts = scan(FEEDS / "atom.xml", name="harbour").posts
    market, notice = posts
    assert {post.source for post in posts} == {"harbour"}
    assert market.published == datetime(2025, 11, 4, 12, 45, tzinfo=UTC)  # from <updated>
    assert market.body == "The market on Temple Street reopened with 120 stalls."
    assert market.tags == ("city",)
    assert notice.published == datetime(2025, 11, 4, 8, 0, tzinfo=UTC)  # the feed's own date
    assert scan(FEEDS / "atom.xml").posts[0].source == "harbour-daily"


def test_jekyll_feed() -> None:
    typhoon, ferry = scan(FEEDS / "jekyll-feed.xml").posts
    assert typhoon.title == "颱風「銀杏」逼近 天文台考慮發出三號風球 & 學校停課"
    assert typhoon.source == "mirror"
    assert typhoon.tags == ("rthk", "天氣")
    assert typhoon.published == datetime(2025, 11, 3, 1, 30, tzinfo=UTC)
    assert typhoon.body.startswith("<p>天文台表示")
    assert typhoon.url == "https://mirror.example.org/rthk/2025/11/03/typhoon.html"
    assert typhoon.author == "編輯部"
    assert ferry.path == "https://mirror.example.org/english/2025/11/02/ferry"


def test_seen_entries_are_skipped_until_updated(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    text = (FEEDS / "jekyll-feed.xml").read_text()
    feed.write_text(text)
    first = scan(feed)
    again = scan(feed, first.state)
    assert again.posts == [] and again.unchanged == 2
    assert scan(feed, first.state, full=True).posts != []

    feed.write_text(
        text.replace(
            "<updated>2025-11-02T18:05:00+00:00</updated>",
            "<updated>2025-11-02T20:00:00+00:00</updated>",
        ).replace("4% from 1 December", "5% from 1 December")
    )
    updated = scan(feed, again.state)
    assert [post.title for post in updated.posts] == ["Harbour ferry fares to rise in December"]
    assert "5%" in updated.posts[0].body


def test_partly_broken_feed_gives_what_parses(tmp_path: Path) -> None:
    text = (FEEDS / "rss20.xml").read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<title>台股")])  # the download stopped mid-feed
    posts = scan(cut).posts
    assert [post.title for post in posts] == ["立法院三讀通過 再生能源條例修正案"]


def test_entries_without_title_or_text_are_failures(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>T</title>'
        "<item><guid>a</guid><description>no title here</description></item>"
        "<item><guid>b</guid><title>Only a title</title></item>"
        "<item><guid>c</guid><title>Fine</title><description>text</description></item>"
        "</channel></rss>"
    )
    result = scan(feed)
    assert [post.path for post in result.posts] == ["c"]
    assert [(error.path, error.reason) for error in result.failures] == [
        ("a", "feed entry has no title"),
        ("b", "feed entry has no content or summary"),
    ]
    assert set(result.state["seen"]) == {"c"}  # failed entries are tried again


@pytest.mark.parametrize(
    "content",
    [b"<html><body><p>Not a feed</p></body></html>", b"\x89PNG\r\n\x1a\n\0\0", b""],
)
def test_not_a_feed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(content)
    with pytest.raises(FetchError, match="is not a readable feed"):
        scan(path)


def test_missing_or_oversized_feed_file(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot read feed file"):
        scan(tmp_path / "nothing.xml")
    with pytest.raises(FetchError, match="byte limit"):
        scan(FEEDS / "rss20.xml", max_bytes=100)


class FakeServer:
    """Serves the jekyll feed with an ETag, honouring conditional requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.body = (FEEDS / "jekyll-feed.xml").read_bytes()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        headers = {
            "ETag": '"v1"',
            "Last-Modified": "Mon, 03 Nov 2025 02:15:00 GMT",
            "Content-Type": "application/atom+xml; charset=utf-8",
        }
        return httpx.Response(200, content=self.body, headers=headers)


def test_conditional_get_over_http() -> None:
    server = FakeServer()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        first = scan(URL, client=client)
        assert len(first.posts) == 2
        assert first.state["etag"] == '"v1"'
        assert first.state["modified"] == "Mon, 03 Nov 2025 02:15:00 GMT"

        second = scan(URL, first.state, client=client)
    assert second.posts == [] and second.state == first.state
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 03 Nov 2025 02:15:00 GMT"
    assert sent["user-agent"] == USER_AGENT
    assert "if-none-match" not in server.requests[0].headers


def test_redirect_is_followed() -> None:
    server = FakeServer()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old.xml":
            return httpx.Response(301, headers={"Location": URL})
        return server(request)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        assert len(scan("https://mirror.example.org/old.xml", client=client).posts) == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda request: httpx.Response(500, text="oops"), "answered HTTP 500"),
        (lambda request: httpx.Response(404), "answered HTTP 404"),
        (lambda request: httpx.Response(200, content=b"<rss>" + b" " * 2000), "byte limit"),
        (
            lambda request: httpx.Response(200, headers={"Content-Length": "99999999"}),
            "byte limit",
        ),
        (lambda request: httpx.Response(200, text="<html><p>hello</p></html>"), "not a readable"),
    ],
)
def test_http_failures(answer, message: str) -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    with client, pytest.raises(FetchError, match=message):
        scan(URL, client=client, max_bytes=1000)


def test_connection_error_hides_credentials() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with client, pytest.raises(FetchError) as caught:
        scan("https://reader:hunter2@mirror.example.org/feed.xml", client=client)
    assert "hunter2" not in str(caught.value)
    assert "mirror.example.org/feed.xml" in str(caught.value)


def test_a_url_needs_a_client() -> None:
    with pytest.raises(ValueError, match="httpx.Client"):
        scan(URL)


def test_relative_links_resolve_against_the_final_url_without_credentials() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>A</title>'
        b'<id>urn:a</id><link href="/news/1"/><summary>s</summary></entry></feed>'
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(302, headers={"Location": "https://u:pw@h.example/new/feed"})
        return httpx.Response(200, content=body)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        (post,) = scan("https://u:pw@h.example/old", client=client).posts
    assert post.url == "https://h.example/news/1"
