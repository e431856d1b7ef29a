"""Builders shared by the alert, digest, job, run and terminal tests.

Articles are made with texts of random words (seeded), so two articles are near-duplicates
only when a test makes them so; post files are written in the corpus's Jekyll dialect.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database
from storage_builders import make_article

from bot.matching import parse_terms
from storage.articles import save_articles
from storage.chats import Chat, ensure_chat, update_chat
from storage.outbox import OutboxItem, get_item
from storage.subscriptions import mute, subscribe
from summariser.article import Article

# 08:00 in Taipei; the corpus period, so nothing depends on the day the tests run.
T0 = datetime(2025, 11, 20, 0, 0, tzinfo=UTC)


def words(seed: int, count: int = 60) -> str:
    """`count` made-up words (never a real one a test follows), the same for the same seed."""
    rng = random.Random(seed)
    return " ".join(
        "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(count)
    )


def news(
    title: str,
    *,
    seed: int,
    mentions: Iterable[str] = (),
    source: str = "wire",
    published: datetime = T0,
    lang: str = "en",
    text: str | None = None,
) -> Article:
    """An article whose text is random words (from `seed`) plus the words in `mentions`."""
    return make_article(
        title,
        text if text is not None else f"{' '.join(mentions)} {words(seed)}.",
        source=source,
        path=f"{published:%Y-%m-%d}-{source}-{seed}.html",
        url=f"https://{source}.example.com/{seed}",
        published=published,
        lang=lang,
        summary=(f"Summary sentence {seed}.",),
    )


def store(db: Database, *articles: Article, now: datetime) -> dict[str, int]:
    return dict(save_articles(db, articles, now=now))


def add_chat(
    db: Database,
    chat_id: int,
    *,
    now: datetime,
    language: str = "en",
    timezone: str = "UTC",
    digest_time: str = "08:00",
    **settings: object,
) -> Chat:
    ensure_chat(
        db, chat_id, type="private" if chat_id > 0 else "group", title=None,
        language=language, timezone=timezone, digest_time=digest_time, now=now,
    )  # fmt: skip
    return update_chat(db, chat_id, **settings)


def follow(db: Database, chat_id: int, text: str, *, instant: bool = True) -> None:
    terms, errors = parse_terms(text)
    assert not errors
    subscribe(db, chat_id, terms, instant=instant)


def mute_words(db: Database, chat_id: int, text: str) -> None:
    terms, errors = parse_terms(text)
    assert not errors
    mute(db, chat_id, terms)


def outbox_items(db: Database, kind: str | None = None) -> list[OutboxItem]:
    ids = [outbox_id for (outbox_id,) in db.execute("SELECT id FROM outbox ORDER BY id")]
    items = [get_item(db, outbox_id) for outbox_id in ids]
    return [item for item in items if item is not None and kind in (None, item.kind)]


def write_post(
    folder: Path,
    name: str,
    *,
    title: str,
    body: str,
    published: datetime,
    source: str = "harbour",
    link: str | None = None,
) -> Path:
    """A post file as the Jekyll mirror writes it (`YYYY-MM-DD-SOURCE-slug.html`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{published:%Y-%m-%d}-{source}-{name}.html"
    paragraphs = "".join(f"<p>{part}</p>" for part in body.split("\n\n"))
    path.write_text(
        "---\nlayout: post\n"
        f"title: {title}\n"
        f"date: {published.astimezone(UTC):%Y-%m-%d %H:%M:%S}.000000000 +00:00\n"
        f"link: {link or f'https://{source}.example.com/{name}'}\n"
        f"categories: {source}\n---\n"
        f"<div>{paragraphs}</div>\n",
        encoding="utf-8",
    )
    return path


def hours(count: float) -> timedelta:
    return timedelta(hours=count)
