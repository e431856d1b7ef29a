"""Builders for the storage tests and timings: Articles made by hand or from the corpus.

`rough_corpus_articles` turns the shared corpus into Articles without the summariser: the
title and the body's visible text, enough for search and near-duplicate tests and timings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import yaml

from summariser.article import Article
from summariser.fold import to_simplified
from summariser.ids import article_id

# After the corpus period (1-20 November 2025): "now" for saving and ranking corpus articles.
CORPUS_NOW = datetime(2025, 11, 21, tzinfo=UTC)


def make_article(
    title: str,
    text: str,
    *,
    source: str = "test",
    path: str | None = None,
    url: str | None = None,
    published: datetime = datetime(2025, 11, 10, 8, 0, tzinfo=UTC),
    lang: str = "zh-Hans",
    summary: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
) -> Article:
    """An Article with an id made the way the summariser makes it."""
    path = path or f"{title}.html"
    return Article(
        id=article_id(url, source, path),
        source=source,
        path=path,
        title=title,
        published=published,
        lang=lang,
        text=text,
        summary=summary,
        url=url,
        tags=tags,
        keywords=keywords,
    )


def _split_post(raw: str) -> tuple[dict, str]:
    _, header, body = raw.split("---\n", 2)
    return yaml.load(header, Loader=yaml.CSafeLoader), body


def _visible_text(body: str, is_html: bool) -> str:
    if not is_html or not body.strip():
        return body.strip()
    root = lxml.html.fromstring(body)
    return "\n\n".join(" ".join(p.split()) for p in root.itertext() if p.strip())


def rough_corpus_articles(folder: Path, outlets: tuple[str, ...] = ()) -> list[Article]:
    """The corpus posts (of `outlets`, e.g. "DW", or all) as Articles; the body is its
    visible text, boilerplate and all."""
    articles = []
    for post in sorted(folder.iterdir()):
        if outlets and not any(f"-{outlet}-" in post.name for outlet in outlets):
            continue
        meta, body = _split_post(post.read_text(encoding="utf-8"))
        source = str(meta["categories"]).lower()
        title = str(meta["title"])
        text = _visible_text(body, post.suffix == ".html")
        traditional = to_simplified(title + text[:200]) != title + text[:200]
        articles.append(
            Article(
                id=article_id(meta.get("link"), source, post.name),
                source=source,
                path=post.name,
                title=title,
                published=meta["date"].astimezone(UTC),
                lang="zh-Hant" if traditional else "zh-Hans",
                text=text,
                summary=(),
                url=meta.get("link"),
                tags=(source,),
            )
        )
    return articles
