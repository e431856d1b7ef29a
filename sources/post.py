"""The `Post` record: one article exactly as a source delivered it, before any cleaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Post:
    """A post as read from a Jekyll file or a feed entry.

    `body` is raw HTML or markdown (see `body_format`); cleaning happens in `summariser`.
    `published` is always timezone-aware (UTC when the post gave no zone).
    """

    source: str
    path: str
    title: str
    published: datetime
    body: str
    body_format: str = "html"  # "html" or "markdown"
    url: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    author: str | None = None


def is_web_url(text: str) -> bool:
    """Whether `text` may be a `Post.url`: http(s) with a host, and readable by `urlsplit`
    (the article id is made from it; `https://]]>/x` makes `urlsplit` raise)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
