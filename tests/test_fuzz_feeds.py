"""Fuzz the two parsers that read what strangers write: feeds and post files.

Inputs are real documents (the shared corpus when present, our own fixtures always, and
feeds built from both) damaged the ways files and servers damage them: flipped bytes, cut
ends, control characters, broken markup, huge attributes, other encodings, lying charset
headers. Whatever arrives, `scan_feed` answers with posts and per-entry `PostError`s, or one
`FetchError`; `parse_post` with a `Post` or a `PostError`; every error has a reason, and
every post keeps the promises the summariser relies on. `build_article` then takes any post
that parsed without an unexpected exception.

`FUZZ_EXAMPLES=20000 pytest tests/test_fuzz_feeds.py --hypothesis-show-statistics` runs the
long version.
"""

from __future__ import annotations

import functools
import html
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sources.exceptions import FetchError, PostError
from sources.feed import scan_feed
from sources.jekyll import parse_post
from sources.post import Post
from summariser.exceptions import SummariserError
from summariser.pipeline import build_article

R = TypeVar("R")
FIXTURES = Path(__file__).parent / "fixtures"
CORPUS_POSTS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "posts"
SEED_POST = CORPUS_POSTS.parent / "seed-post.md"
CORPUS_SAMPLE = 80  # posts, spread over every outlet
URL = "https://feeds.example.org/news.xml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXAMPLES or 500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEEDS = settings(FUZZ, max_examples=EXAMPLES or 300)  # a damaged feed: ~30 ms
SLOW = settings(FUZZ, max_examples=EXAMPLES // 10 or 150)  # the summariser: ~20 ms a post


def _corpus_files() -> list[Path]:
    if not CORPUS_POSTS.is_dir():
        return []
    everything = sorted(CORPUS_POSTS.iterdir())
    sample = everything[:: max(1, len(everything) // CORPUS_SAMPLE)][:CORPUS_SAMPLE]
    return sample + ([SEED_POST] if SEED_POST.is_file() else [])


@functools.cache
def post_seeds() -> tuple[tuple[str, bytes], ...]:
    """(file name, bytes) of real posts: own fixtures always, the corpus when present."""
    files = [*sorted((FIXTURES / "sources" / "posts").iterdir())]
    files += sorted((FIXTURES / "bot" / "posts").iterdir())
    return tuple((path.name, path.read_bytes()) for path in files + _corpus_files())


def _rss(posts: list[Post], *, escaped: bool) -> str:
    """RSS 2.0 with the article in content:encoded, as CDATA or as escaped HTML."""
    items = []
    for number, post in enumerate(posts):
        body = html.escape(post.body) if escaped else f"<![CDATA[{post.body}]]>"
        items.append(
            f"<item><title>{html.escape(post.title)}</title><link>{html.escape(post.url or '')}"
            f"</link><guid>{number}-{html.escape(post.path)}</guid>"
            f"<pubDate>{post.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
            + "".join(f"<category>{html.escape(tag)}</category>" for tag in post.tags)
            + f"<content:encoded>{body}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Mirror {posts[0].source}</title>{''.join(items)}</channel></rss>"
    )


def _atom(posts: list[Post]) -> str:
    entries = "".join(
        f'<entry><title type="html">{html.escape(post.title)}</title>'
        f'<id>urn:post:{number}</id><link href="{html.escape(post.url or "")}"/>'
        f"<updated>{post.published.isoformat()}</updated>"
        f'<content type="html">{html.escape(post.body)}</content></entry>'
        for number, post in enumerate(posts)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Mirror</title><updated>2025-11-20T00:00:00Z</updated>{entries}</feed>"
    )


@functools.cache
def feed_seeds() -> tuple[bytes, ...]:
    """Our fixture feeds, and feeds in three shapes made of the seed posts, a few per feed."""
    feeds = [path.read_bytes() for path in sorted((FIXTURES / "sources" / "feeds").iterdir())]
    posts = []
    for name, data in post_seeds():
        try:
            posts.append(parse_post(data, name))
        except PostError:
            continue
    for start in range(0, len(posts), 4):
        group = posts[start : start + 4]
        feeds += [
            _rss(group, escaped=False).encode(),
            _rss(group, escaped=True).encode(),
            _atom(group).encode(),
        ]
    return tuple(feeds)


# -- damage -------------------------------------------------------------------------------

CONTROL = [bytes([code]) for code in [*range(0, 32), 127]] + [
    "\u200b".encode(), "\ufeff".encode(), "\u202e".encode(), "\u2028".encode(), b"\xc0\x80",
]  # fmt: skip
BREAKERS = [
    b"<", b">", b"&", b"]]>", b"<![CDATA[", b"&#0;", b"&#x110000;", b"&bogus;", b"</item>",
    b"<item>", b"</entry>", b"<title>", b"</channel></rss>", b"<?xml version='1.0'?>",
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"---\n", b"\n---\n",
    b"title: x: y\n", b"date: 2025-99-99\n", b"<p", b"<script>", b"<!--", b"\r",
]  # fmt: skip
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "gb18030", "big5", "shift_jis", "cp1252", "latin-1"]


KINDS = ("flip", "cut", "control", "breaker", "delete", "repeat", "huge", "encode")
MILD = ("breaker", "repeat", "huge")  # the text stays UTF-8 without NULs, often


@st.composite
def damaged(draw: st.DrawFn, data: bytes, kinds: tuple[str, ...] = KINDS, rounds: int = 4) -> bytes:
    """`data` after one to `rounds` kinds of damage, at drawn places."""
    for _ in range(draw(st.integers(1, rounds))):
        kind = draw(st.sampled_from(kinds))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "control":
            data = data[:at] + draw(st.sampled_from(CONTROL)) + data[at:]
        elif kind == "breaker":
            data = data[:at] + draw(st.sampled_from(BREAKERS)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)) :]
        elif kind == "repeat":
            data = data[:at] + data[at : at + draw(st.integers(1, 300))] * draw(
                st.integers(2, 50)
            ) + data[at:]  # fmt: skip
        elif kind == "huge":
            tag = data.find(b"<", at)
            at = at if tag < 0 else tag + 1
            filler = draw(st.sampled_from([b"x", "長".encode(), b"&amp;", b" "]))
            size = draw(st.sampled_from([1_000, 50_000, 300_000]))
            data = data[:at] + b'p a="' + filler * (size // len(filler)) + b'"' + data[at:]
        elif kind == "encode":
            codec = draw(st.sampled_from(ENCODINGS))
            data = data.decode("utf-8", "replace").encode(codec, "replace")
    return data


# -- the promises -------------------------------------------------------------------------


def check_post(post: Post, path: str | None = None) -> None:
    """What every `Post` promises, wherever it came from."""
    assert post.title.strip() and "\n" not in post.title
    assert post.body.strip()
    assert post.published.utcoffset() == timedelta(0)
    assert post.body_format in ("html", "markdown")
    assert post.source
    assert path is None or post.path == path
    if post.url is not None:  # the article id is made from it
        assert urlsplit(post.url).scheme in ("http", "https") and urlsplit(post.url).hostname
    assert all(isinstance(tag, str) and tag for tag in post.tags)


def scan_bytes(data: bytes, content_type: str | None = "application/rss+xml") -> list[Post] | None:
    """Serve `data` as the feed over a mock transport; the posts `scan_feed` returned, or
    None when it refused the whole feed."""
    headers = {"content-type": content_type} if content_type else {}
    answer = httpx.Response(200, content=data, headers=headers)
    client = httpx.Client(transport=httpx.MockTransport(lambda _: answer))
    try:
        result = scan_feed(URL, {}, client=client, name=None, default_source="fuzz")
    except FetchError as error:
        assert str(error).strip()
        return None
    finally:
        client.close()
    for failure in result.failures:
        assert isinstance(failure, PostError) and failure.reason.strip()
    for post in result.posts:
        check_post(post)
    assert {post.path for post in result.posts} <= set(result.state["seen"])  # not read again
    return result.posts


def parse(data: bytes, path: str) -> Post | None:
    try:
        post = parse_post(data, path)
    except PostError as error:
        assert error.reason.strip() and error.path == path
        return None
    check_post(post, path)
    return post


def count(outcome: R, what: str) -> R:
    """Note the outcome for `--hypothesis-show-statistics`; returns it."""
    event(f"{what} refused" if outcome is None else f"{what} read")
    return outcome


CONTENT_TYPES = st.sampled_from(
    [
        "application/rss+xml",
        "application/atom+xml; charset=utf-8",
        "text/xml; charset=big5",
        "text/html; charset=shift_jis",
        "application/xml; charset=utf-16",
        "text/plain; charset=bogus-charset",
        "application/json",
        None,
    ]
)


@FEEDS
@given(st.data(), CONTENT_TYPES)
def test_damaged_feeds_give_posts_or_reasons(data: st.DataObject, content_type) -> None:
    feed = data.draw(st.sampled_from(feed_seeds()))
    count(scan_bytes(data.draw(damaged(feed)), content_type), "feed")


@FUZZ
@given(st.binary(max_size=3000), CONTENT_TYPES)
def test_arbitrary_bytes_as_a_feed(data: bytes, content_type) -> None:
    count(scan_bytes(data, content_type), "feed")


@FUZZ
@given(st.data())
def test_damaged_posts_give_a_post_or_a_reason(data: st.DataObject) -> None:
    name, post = data.draw(st.sampled_from(post_seeds()))
    count(parse(data.draw(damaged(post)), f"mirror/_posts/{name}"), "post")


@SLOW
@given(st.data())
def test_whatever_parses_can_be_summarised(data: st.DataObject) -> None:
    """A post the parser let through reaches the summariser, which may refuse it only with
    a `SummariserError` (the ingest records any other exception as an internal error)."""
    name, raw = data.draw(st.sampled_from(post_seeds()))
    post = count(parse(data.draw(damaged(raw, MILD, rounds=2)), f"mirror/_posts/{name}"), "post")
    if post is None:
        return
    try:
        article = build_article(post)
    except SummariserError:
        event("summariser refused (SummariserError)")
        return
    event("summarised")
    assert article.title == post.title and article.text.strip()


def test_the_seeds_are_readable_before_damage() -> None:
    """Undamaged, every seed parses: the fuzzing starts from real, working documents."""
    assert all(parse(data, f"mirror/_posts/{name}") is not None for name, data in post_seeds())
    assert all(scan_bytes(feed) for feed in feed_seeds())


def test_feeds_do_not_expand_entities_or_read_files(tmp_path: Path) -> None:
    """No external entity is fetched, no entity bomb goes off."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    laughs = "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    )  # fmt: skip
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{laughs}'
        f'<!ENTITY leak SYSTEM "file://{secret}">]><rss version="2.0"><channel><title>t</title>'
        "<item><guid>1</guid><title>A &l9; &leak;</title><description>Body &leak; &l9;"
        "</description></item></channel></rss>"
    ).encode()
    [post] = scan_bytes(feed)
    assert "TOP-SECRET" not in post.title + post.body
    assert len(post.title) + len(post.body) < 200


# -- what the fuzzing found, pinned --------------------------------------------------------


def test_an_out_of_range_character_reference_is_a_fetch_error() -> None:
    """feedparser raised ValueError from chr() on `&#x110000;`; the poll job died with it."""
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>&#x110000;t</title><item>'
        b"<guid>1</guid><title>A</title><description>B</description></item></channel></rss>"
    )
    assert scan_bytes(feed) is None


def test_long_runs_of_blanks_or_brackets_parse_in_linear_time() -> None:
    """A quadratic regular expression took minutes on a 600 KB post and a 1.6 MB feed."""
    blanks = " " * 300_000
    post = (
        f"---\ntitle: Pier{blanks}reopens\ndate: 2025-11-20 08:00 +00:00\n"
        f"link: https://harbour.example.com/pier{blanks}x\ncategories: harbour\n---\n<p>Text.</p>"
    ).encode()
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
        f'<id>1</id><title type="html">{"&lt;" * 200_000}</title><content>Body.</content>'
        "<updated>2025-11-20T08:00:00Z</updated></entry></feed>"
    ).encode()
    started = time.monotonic()
    parsed = parse(post, "harbour/_posts/2025-11-20-pier.html")
    [entry] = scan_bytes(feed) or [None]
    assert time.monotonic() - started < 5  # was minutes
    assert parsed is not None and parsed.title == f"Pier{blanks}reopens"
    assert entry is not None and entry.title.startswith("<<<")


def test_a_link_urllib_cannot_split_is_dropped_not_fatal() -> None:
    """`https://]]>/x` passed the link check, then made the article id raise ValueError."""
    post = parse(
        b"---\ntitle: Pier\ndate: 2025-11-20 08:00 +00:00\nlink: https://]]>//harbour.example/\n"
        b"categories: harbour\n---\n<p>The old pier reopens after two years of repairs.</p>",
        "harbour/_posts/2025-11-20-pier.html",
    )
    assert post is not None and post.url is None
    assert build_article(post).url is None
