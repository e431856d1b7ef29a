"""The `Article` record: a cleaned, summarised, tagged post, ready to store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """What storage keeps and the bot shows.

    `text` is the article as a reader reads it, paragraphs separated by a blank line.
    `tags` are the source name, the post's own tags and keyword tags printed in the article.
    `keywords` are extracted; both are folded so one tag is one tag in either script.
    """

    id: str
    source: str
    path: str
    title: str
    published: datetime
    lang: str  # "zh-Hant", "zh-Hans", "en" or "other"
    text: str
    summary: tuple[str, ...]
    url: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    keywords: tuple[str, ...] = field(default_factory=tuple)
