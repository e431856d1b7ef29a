"""Read an RSS or Atom feed (a URL or a local file) into `Post`s, new or updated entries only.

Fetching is ours, parsing is feedparser's: feedparser is only ever handed bytes, so it
never opens a URL or a file by itself, and the timeout, size limit and conditional
request headers are all under our control.
"""

from __future__ import annotations

import html
import io
import re
import time
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx

from sources.exceptions import FetchError, PostError
from sources.naming import source_slug
from sources.post import Post, is_web_url
from sources.result import ScanResult
from sources.spec import redact

MAX_FEED_BYTES = 10 * 1024 * 1024
FEED_TIMEOUT = 30.0
USER_AGENT = "newsgist/0.1 (news summary bot; feed reader)"
_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"
_TAG = re.compile(r"<[^<>]*>")  # not [^>]*: quadratic on a title of many '<' and no '>'


def scan_feed(
    location: str,
    state: dict[str, Any],
    *,
    client: httpx.Client | None,
    name: str | None,
    default_source: str,
    full: bool = False,
    timeout: float = FEED_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
) -> ScanResult:
    """Posts for entries not seen before (or whose `updated` changed); all of them if `full`.

    State: `{"etag", "modified", "seen": {entry id: updated}}`. A URL is fetched with a
    conditional GET; "304 Not Modified" gives an empty result and keeps the state.
    Source name: `name`, else the feed title ("中央社 CNA" -> "cna"), else `default_source`.
    """
    state = state if isinstance(state, dict) else {}
    if location.startswith(("http://", "https://")):
        if client is None:
            raise ValueError("fetching a feed URL needs an httpx.Client")
        fetched = _fetch(client, location, state, timeout, max_bytes)
        if fetched is None:
            return ScanResult(state=state)
        data, headers = fetched
    else:
        data, headers = _read_file(location, max_bytes), {}

    # bytes given as-is would be taken for a file name: feedparser only ever gets a stream
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as error:  # hostile bytes reach feedparser bugs (`&#x110000;`: ValueError)
        raise FetchError(f"{redact(location)} is not a readable feed: {error!r}") from None
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        problem = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise FetchError(f"{redact(location)} is not a readable feed: {problem}")

    source = name or source_slug(parsed.feed.get("title", "")) or default_source
    fallback_time = _utc(_own(parsed.feed, "updated_parsed")) or datetime.now(UTC)
    old_seen = state.get("seen") if isinstance(state.get("seen"), dict) else {}
    result = ScanResult()
    seen: dict[str, str] = {}
    for number, entry in enumerate(parsed.entries, start=1):
        key = entry.get("id") or entry.get("link") or entry.get("title") or f"entry {number}"
        version = _own(entry, "updated") or _own(entry, "published") or ""
        if not full and key in old_seen and old_seen[key] == version:
            seen[key] = version
            result.unchanged += 1
            continue
        try:
            result.posts.append(_entry_post(entry, key, source, fallback_time))
        except PostError as error:
            result.failures.append(error)
            continue
        seen[key] = version
    result.state = {"etag": headers.get("etag"), "modified": headers.get("last-modified")}
    result.state["seen"] = seen
    return result


def _fetch(
    client: httpx.Client, url: str, state: dict[str, Any], timeout: float, max_bytes: int
) -> tuple[bytes, dict[str, str]] | None:
    """Body and headers of the feed, or None when the server says it has not changed."""
    request_headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    if isinstance(state.get("etag"), str):
        request_headers["If-None-Match"] = state["etag"]
    if isinstance(state.get("modified"), str):
        request_headers["If-Modified-Since"] = state["modified"]
    shown = redact(url)
    try:
        with client.stream(
            "GET", url, headers=request_headers, timeout=timeout, follow_redirects=True
        ) as response:
            if response.status_code == 304:
                return None
            if not response.is_success:
                raise FetchError(f"{shown} answered HTTP {response.status_code}")
            if _declared_length(response.headers) > max_bytes:
                raise FetchError(f"{shown} is over the {max_bytes:,}-byte limit for a feed")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{shown} is over the {max_bytes:,}-byte limit for a feed")
                chunks.append(chunk)
            kept = ("content-type", "etag", "last-modified")
            headers = {key: response.headers[key] for key in kept if key in response.headers}
            # the base for relative links, after redirects, never with a password in it
            headers["content-location"] = str(response.url.copy_with(userinfo=b""))
            return b"".join(chunks), headers
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        reason = redact(str(error)) or type(error).__name__
        raise FetchError(f"cannot fetch {shown}: {reason}") from None


def _declared_length(headers: httpx.Headers) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError:
        return 0  # a broken header: the streaming count still enforces the limit


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise FetchError(f"cannot read feed file {path}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise FetchError(f"feed file {path} is over the {max_bytes:,}-byte limit")
    return data


def _entry_post(entry: Any, key: str, source: str, fallback_time: datetime) -> Post:
    title = _plain_title(entry)
    if not title:
        raise PostError(key, "feed entry has no title")
    body = _body(entry)
    if not body.strip():
        raise PostError(key, "feed entry has no content or summary")
    published = _utc(_own(entry, "published_parsed") or _own(entry, "updated_parsed"))
    tags: dict[str, None] = {}
    for tag in entry.get("tags") or []:
        term = (tag.get("term") or tag.get("label") or "").strip()
        if term and term.casefold() != source.casefold() and source_slug(term) != source:
            tags.setdefault(term)
    link = entry.get("link")
    return Post(
        source=source,
        path=key,
        title=title,
        published=published or fallback_time,
        body=body,
        body_format="html",
        url=link if isinstance(link, str) and is_web_url(link) else None,
        tags=tuple(tags),
        author=entry.get("author") or None,
    )


def _plain_title(entry: Any) -> str:
    """The title as text: feedparser leaves markup in `type="html"` titles."""
    title = entry.get("title") or ""
    if "html" in (entry.get("title_detail") or {}).get("type", ""):
        title = html.unescape(_TAG.sub("", title))
    return " ".join(title.split("\n")).strip()


def _body(entry: Any) -> str:
    """`content:encoded` / Atom `content` first (the whole article), else the summary."""
    contents = entry.get("content") or []
    for content in sorted(contents, key=lambda item: "html" not in item.get("type", "")):
        if (content.get("value") or "").strip():
            return content["value"]
    return entry.get("summary") or ""


def _own(item: Any, key: str) -> Any:
    """`item[key]` without feedparser's deprecated updated -> published stand-in."""
    return dict.get(item, key)


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's dates are UTC `struct_time`s."""
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
