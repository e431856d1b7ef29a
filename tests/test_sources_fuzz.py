"""Whatever bytes arrive, the post parser answers with a `Post` or a `PostError`, nothing else."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.exceptions import PostError
from sources.jekyll import _plain_yaml, parse_post
from sources.post import Post

POSTS = Path(__file__).parent / "fixtures" / "sources" / "posts"
VALID = [path.read_bytes() for path in sorted(POSTS.iterdir())]
PATHS = st.sampled_from(
    ["p.md", "_posts/2025-11-01-CNA-x.html", "site/2024-02-30-a.markdown", "x", "dir/y.html"]
)
FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes, path: str) -> Post | PostError:
    """Parse and check the promises a caller relies on; any other exception fails the test."""
    try:
        post = parse_post(data, path)
    except PostError as error:
        assert error.reason and error.path == path
        return error
    assert post.title.strip() and "\n" not in post.title
    assert post.body.strip()
    assert post.published.utcoffset() == timedelta(0)
    assert post.body_format in ("html", "markdown")
    assert post.source and post.path == path
    assert all(isinstance(tag, str) and tag for tag in post.tags)
    return post


@FAST
@given(st.binary(max_size=2000), PATHS)
def test_arbitrary_bytes(data: bytes, path: str) -> None:
    outcome(data, path)


@FAST
@given(st.binary(max_size=600), PATHS)
def test_arbitrary_bytes_after_a_front_matter_opening(data: bytes, path: str) -> None:
    outcome(b"---\n" + data, path)


DAY = timedelta(hours=23, minutes=59)
OFFSETS = st.builds(
    timezone, st.timedeltas(-DAY, DAY).map(lambda t: timedelta(minutes=t // timedelta(minutes=1)))
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.dates()
    | st.datetimes(timezones=st.none() | OFFSETS)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    ["title", "date", "tags", "categories", "category", "link", "from", "author"]
)


@FAST
@given(
    st.dictionaries(KEYS | st.text(max_size=10), VALUES, max_size=8),
    st.text(max_size=200),
    PATHS,
)
def test_arbitrary_front_matter(front: dict, body: str, path: str) -> None:
    dumped = yaml.dump(front, Dumper=yaml.CSafeDumper, allow_unicode=True)
    data = f"---\n{dumped}---\n{body}".encode("utf-8", "surrogatepass")
    result = outcome(data, path)
    title = front.get("title")
    if isinstance(title, str) and title.strip() and "\n" not in title and isinstance(result, Post):
        assert result.title == title.strip()


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "replace", "truncate"]),
        st.integers(0, 10**6),
        st.integers(1, 40),
        st.binary(min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=5,
)


@FAST
@given(st.sampled_from(VALID), MUTATIONS, PATHS)
def test_mutated_valid_posts(data: bytes, mutations: list, path: str) -> None:
    for kind, where, length, chunk in mutations:
        where %= len(data) + 1
        if kind == "delete":
            data = data[:where] + data[where + length :]
        elif kind == "insert":
            data = data[:where] + chunk + data[where:]
        elif kind == "replace":
            data = data[:where] + chunk + data[where + len(chunk) :]
        else:
            data = data[:where]
    outcome(data, path)


LINES = st.lists(
    st.sampled_from(
        [
            "title: 標題: 副題",
            'title: "半引號',
            "date: 2025-11-01 08:00 +0800",
            "date: 2025-13-40",
            "date: 9999-12-31 23:59:59 -23:59",
            "date: 0001-01-01 00:00:00 +23:59",
            "categories:",
            "  - (臺)中央社CNA",
            "tags: [a, b",
            "tags: [ x ]",
            "link: https://e.x/a b",
            "---",
            "...",
            "&anchor",
            "*alias",
            "? complex",
            "from: |-",
            "  https://e.x/",
            "%YAML 1.1",
            "<!--1668999843000-->",
            "[t](https://e.x)",
            "------",
            "\t",
            "",
        ]
    )
    | st.text(max_size=30),
    max_size=12,
)


@FAST
@given(LINES, LINES, PATHS)
def test_front_matter_like_lines(front: list[str], body: list[str], path: str) -> None:
    text = "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body)
    outcome(text.encode("utf-8", "surrogatepass"), path)


PLAIN_KEYS = st.sampled_from(["title", "date", "link", "categories", "yes", "null", "On", "k-1_x"])
PLAIN_VALUES = st.one_of(
    st.text(
        st.sampled_from(
            [*"ab 中文台:#-?'\"[]{}&*!|>%@`,.\t0123456789+TZ", "\u3000", "\u2028", "\x85", "\ufeff"]
        ),
        max_size=14,
    ),
    st.sampled_from(
        [
            "2025-11-01 13:06:02.000000000 +00:00",
            "2025-11-06 07:52:13 +08",
            "2025-1-5 8:00:00",
            "2025-11-01",
            "2025-13-45",
            "1.5",
            "0x1F",
            "12_000",
            "~",
            "true",
            "Yes",
            ".inf",
            "https://example.com/a:b?c=d#e",
        ]
    ),
)
PLAIN_LINES = st.tuples(PLAIN_KEYS, st.sampled_from([": ", ":", " : ", ":  "]), PLAIN_VALUES)


@FAST
@given(st.lists(PLAIN_LINES, max_size=6), st.sampled_from(["\n", "\n\n"]))
def test_front_matter_read_without_the_yaml_loader_is_what_yaml_reads(lines, joiner) -> None:
    # Plain `key: text` front matter skips PyYAML's loader (it costs a tenth of a
    # millisecond); whatever the shortcut accepts must mean exactly what YAML makes of it.
    front = joiner.join(f"{key}{colon}{value}" for key, colon, value in lines) + "\n"
    shortcut = _plain_yaml(front)
    if shortcut is not None:
        assert shortcut == (yaml.load(front, Loader=yaml.CSafeLoader) or {})


def test_mirror_front_matter_takes_the_shortcut() -> None:
    front = (
        "layout: post\ntitle: 東盟峰會登場　聚焦南海\n"
        "date: 2025-11-01 13:06:02.000000000 +08:00\nlink: https://example.com/a?b=1\n"
        "categories: cna\n"
    )
    assert _plain_yaml(front) == yaml.load(front, Loader=yaml.CSafeLoader)
    assert _plain_yaml('title: "quoted"\n') is None  # left to the loader
