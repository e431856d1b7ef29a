"""`StoredArticle`: an `Article` as the database gives it back, with what storage added."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from storage.db import from_db_time
from summariser.article import Article


@dataclass(frozen=True, kw_only=True)
class StoredArticle(Article):
    """An `Article` plus its story (near-duplicate group) and when storage saw it."""

    story_id: str
    first_seen: datetime
    updated_at: datetime


# Every query that builds StoredArticles selects these, with the articles table as `a`.
ARTICLE_COLUMNS = ", ".join(f"a.{field.name}" for field in fields(StoredArticle))


def stored_article(row: Mapping) -> StoredArticle:
    return StoredArticle(
        id=row["id"],
        source=row["source"],
        path=row["path"],
        url=row["url"],
        title=row["title"],
        published=from_db_time(row["published"]),
        lang=row["lang"],
        text=row["text"],
        summary=tuple(json.loads(row["summary"])),
        tags=tuple(json.loads(row["tags"])),
        keywords=tuple(json.loads(row["keywords"])),
        story_id=row["story_id"],
        first_seen=from_db_time(row["first_seen"]),
        updated_at=from_db_time(row["updated_at"]),
    )
