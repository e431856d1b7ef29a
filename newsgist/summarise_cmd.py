"""`newsgist summarise`: posts in, summaries out, as text for people or JSON lines for programs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from sources.exceptions import SourceError
from sources.jekyll import parse_post_file
from summariser.article import Article
from summariser.exceptions import SummariserError
from summariser.pipeline import SummaryOptions, build_article

JSON_FIELDS = (
    "path",
    "id",
    "title",
    "url",
    "source",
    "published",
    "lang",
    "tags",
    "keywords",
    "text",
    "summary",
)


def article_json(article: Article) -> dict:
    """The public `--json` record; its keys and their order are a stable contract."""
    return {
        "path": article.path,
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published.isoformat(),
        "lang": article.lang,
        "tags": list(article.tags),
        "keywords": list(article.keywords),
        "text": article.text,
        "summary": list(article.summary),
    }


def article_human(article: Article) -> str:
    lines = [
        article.title,
        f"{article.source} · {article.published:%Y-%m-%d %H:%M} UTC · {article.lang}",
    ]
    if article.url:
        lines.append(article.url)
    lines += [f"  • {sentence}" for sentence in article.summary]
    if article.keywords:
        lines.append("keywords: " + ", ".join(article.keywords))
    return "\n".join(lines)


def summarise_paths(
    paths: Iterable[Path], out: TextIO, *, as_json: bool, options: SummaryOptions
) -> tuple[int, int]:
    """Print one record per post; return (ok, failed). A bad post never stops the run."""
    ok = failed = 0
    for path in paths:
        try:
            article = build_article(parse_post_file(path), options)
        except (SourceError, SummariserError, OSError) as exc:
            failed += 1
            reason = getattr(exc, "reason", None) or str(exc)
            if as_json:
                out.write(json.dumps({"path": str(path), "error": reason}, ensure_ascii=False))
            else:
                out.write(f"{path}: cannot summarise: {reason}\n")
            out.write("\n")
            continue
        ok += 1
        if as_json:
            out.write(json.dumps(article_json(article), ensure_ascii=False) + "\n")
        else:
            out.write(article_human(article) + "\n\n")
    return ok, failed
