"""Daily digests: each chat's news since its last digest, at its own local time.

A chat is due once its local digest time has come and no digest was made since (see
`storage.chats.Chat.digest_due`), so a digest missed while the bot was down goes out when it
returns. Its window runs from the last digest (or `FIRST_WINDOW` back) to now, by when
articles were first seen: an article a mirror imports late still makes the next digest, and
an edited one never comes twice. Stories already known before the window, or published more
than `MAX_AGE` ago, are not news and stay out.

Thousands of chats are due at the same minute (everyone's 08:00), so `plan_digests` builds
one `DigestPool` for all of them. The articles are loaded and indexed once and each distinct
term is matched once. Stories are numbered newest first (per language, as the representative
shown depends on it), so a term's stories are a bit mask and a chat's grouping is a few
integer operations; a group's rendered block is made once per look (language, time zone,
summary length) and shared by every chat showing the same stories under the same term.
`render.digest_messages` gives the same messages one chat at a time; `build_digest` uses it,
and a test holds the two to the same output.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple, Protocol

from sqlite_utils import Database

from bot.i18n import escape, t
from bot.matching import TermIndex
from bot.render import (
    LIMIT,
    DigestEntry,
    DigestGroup,
    article_item,
    digest_messages,
    split_messages,
    utf16_len,
)
from storage.chats import Chat, chats_due_for_digest
from storage.db import from_db_time, to_db_time
from storage.outbox import Outgoing, enqueue_many, make_payload
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from storage.subscriptions import all_mutes
from storage.transaction import write_transaction

FIRST_WINDOW = timedelta(hours=24)
MAX_AGE = timedelta(days=2)
GROUP_CAP = 10  # stories shown per subscription; the rest are counted, with a search hint
TOTAL_CAP = 30  # stories shown per digest, about
_SEPARATOR = "\n\n"  # between items, as render.split_messages joins them
_PARAMETERS = 500  # story ids per query, under SQLite's limit on parameters

Item = tuple[str, int]  # rendered HTML and its length in UTF-16 units
Look = tuple[str, str, int]  # language, time zone, summary sentences


class Followed(Protocol):
    """What a digest needs of a subscription (a `storage.subscriptions.Subscription` is one)."""

    @property
    def term(self) -> str: ...  # folded

    @property
    def display(self) -> str: ...  # as the chat typed it


class _Term(NamedTuple):
    term: str
    display: str


def _followed(db: Database) -> dict[int, list[_Term]]:
    """Every chat's terms in `all_subscriptions` order, without building whole
    `Subscription`s: ten thousand chats' worth is read at every busy digest minute."""
    found: dict[int, list[_Term]] = {}
    rows = db.execute(
        "SELECT chat_id, term, display FROM subscriptions ORDER BY chat_id, created_at, term"
    )
    for chat_id, term, display in rows:
        found.setdefault(chat_id, []).append(_Term(term, display))
    return found


@lru_cache(maxsize=65536)
def _bit_places(mask: int, limit: int | None) -> tuple[int, ...]:
    """`_bits`, remembered: the same masks come up for chat after chat."""
    return tuple(_bits(mask, limit))


def _bits(mask: int, limit: int | None = None) -> list[int]:
    """The places of the set bits of `mask`, lowest first (at most `limit` of them)."""
    places = []
    while mask and (limit is None or len(places) < limit):
        low = mask & -mask
        places.append(low.bit_length() - 1)
        mask ^= low
    return places


class _Group(NamedTuple):
    """One subscription's stories in a chat's digest, as places in the language's newest-
    first order, in `layers`: the stories matching the most of the chat's terms first, each
    layer newest first. Only the stories shown are ever listed."""

    title: str
    size: int
    layers: tuple[int, ...]

    def places(self, limit: int | None = None) -> list[int]:
        found: list[int] = []
        for layer in self.layers:
            if limit is not None and len(found) >= limit:
                break
            found += _bit_places(layer, None if limit is None else limit - len(found))
        return found


class DigestPool:
    """The articles first seen in [since, until), with everything digests share worked out once.

    `story_start` holds when each story's first member (in the pool or not) was seen, so a
    story that was already news before a chat's window is left out of its digest.
    """

    def __init__(self, articles: Iterable[StoredArticle], story_start: dict[str, datetime]):
        self.articles = {article.id: article for article in articles}
        self.story_start = story_start
        self.index = TermIndex(self.articles.values())
        self._members: dict[str, list[StoredArticle]] = {}
        for article in sorted(self.articles.values(), key=lambda a: (a.published, a.id)):
            self._members.setdefault(article.story_id, []).append(article)
        self._orders: dict[str, tuple[list[DigestEntry], dict[str, int]]] = {}
        self._masks: dict[tuple[str, datetime, str], int] = {}
        self._items: dict[Look, dict[int, Item]] = {}

    @classmethod
    def load(cls, db: Database, since: datetime, until: datetime) -> DigestPool:
        rows = db.query(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a "
            "WHERE a.first_seen >= ? AND a.first_seen < ? AND a.published >= ?",
            [to_db_time(since), to_db_time(until), to_db_time(until - MAX_AGE)],
        )
        articles = [stored_article(row) for row in rows]
        stories = sorted({article.story_id for article in articles})
        story_start: dict[str, datetime] = {}
        for start in range(0, len(stories), _PARAMETERS):
            chunk = stories[start : start + _PARAMETERS]
            rows = db.execute(
                "SELECT story_id, min(first_seen) FROM articles "
                f"WHERE story_id IN ({', '.join('?' * len(chunk))}) GROUP BY story_id",
                chunk,
            )
            story_start.update((story_id, from_db_time(seen)) for story_id, seen in rows)
        return cls(articles, story_start)

    def _entry(self, story_id: str, language: str) -> DigestEntry:
        """The story as shown in `language`: its earliest article in that language (else its
        earliest), naming the other outlets that carried it."""
        members = self._members[story_id]
        shown = next((a for a in members if a.lang == language), members[0])
        also = tuple(dict.fromkeys(a.source for a in members if a.source != shown.source))
        return DigestEntry(shown, also)

    def order(self, language: str) -> tuple[list[DigestEntry], dict[str, int]]:
        """The stories as shown in `language`, newest first, and each story's place there."""
        if language not in self._orders:
            entries = [self._entry(story_id, language) for story_id in self._members]
            entries.sort(key=lambda e: (-e.article.published.timestamp(), e.article.id))
            places = {entry.article.story_id: n for n, entry in enumerate(entries)}
            self._orders[language] = (entries, places)
        return self._orders[language]

    def mask(self, term: str, since: datetime, language: str, muted: set[str]) -> int:
        """The stories new since `since` with an article that matches `term` and is not
        muted, as bits of their places. Worked out once per term for chats without mutes."""
        key = (term, since, language)
        if muted or key not in self._masks:
            places = self.order(language)[1]
            stories = {self.articles[i].story_id for i in self.index.ids_for(term) - muted}
            mask = sum(1 << places[s] for s in stories if self.story_start[s] >= since)
            if muted:
                return mask
            self._masks[key] = mask
        return self._masks[key]

    def items(self, chat: Chat, places: Iterable[int]) -> list[Item]:
        """The stories at `places` rendered for the chat's look (language, time zone,
        summary length); each is rendered once per look."""
        look = (chat.language, chat.timezone, chat.summary_sentences)
        rendered = self._items.setdefault(look, {})
        missing = [place for place in places if place not in rendered]
        if missing:
            entries = self.order(chat.language)[0]
            for place in missing:
                entry = entries[place]
                text = article_item(
                    entry.article, chat.language, chat.zone, also_from=entry.also_from,
                    sentences=chat.summary_sentences,
                )  # fmt: skip
                rendered[place] = (text, utf16_len(text))
        return [rendered[place] for place in places]


def _groups(
    pool: DigestPool,
    chat: Chat,
    subscriptions: Sequence[Followed],
    mutes: Iterable[str],
    since: datetime,
) -> list[_Group]:
    """Stories per subscription, each under the first of the chat's terms it matches,
    ordered by how many of its terms they match, then newest first."""
    muted = set().union(*(pool.index.ids_for(term) for term in mutes)) if mutes else set()
    masks = [pool.mask(s.term, since, chat.language, muted) for s in subscriptions]
    at_least = [-1]  # at_least[k]: the stories that match at least k of the chat's terms
    for mask in masks:
        at_least.append(0)
        for k in range(len(at_least) - 1, 0, -1):
            at_least[k] |= at_least[k - 1] & mask
    at_least.append(0)
    placed = 0
    groups = []
    for subscription, mask in zip(subscriptions, masks, strict=True):
        fresh = mask & ~placed
        if not fresh:
            continue
        placed |= fresh
        layers = (fresh & at_least[k] & ~at_least[k + 1] for k in range(len(masks), 0, -1))
        groups.append(_Group(subscription.display, fresh.bit_count(), tuple(filter(None, layers))))
    return groups


def _cap(groups: Sequence[_Group]) -> int:
    """Stories per group, so that a digest shows about `TOTAL_CAP` in all."""
    return max(1, min(GROUP_CAP, TOTAL_CAP // len(groups)))


def _render_one(pool: DigestPool, chat: Chat, groups: Sequence[_Group]) -> list[str]:
    """The digest as `render.digest_messages` lays it out, for one chat."""
    entries = pool.order(chat.language)[0]
    groups = groups[:TOTAL_CAP]
    digest_groups = [
        DigestGroup(group.title, tuple(entries[place] for place in group.places()))
        for group in groups
    ]
    return digest_messages(
        digest_groups, chat.language, chat.zone, cap=_cap(groups),
        sentences=chat.summary_sentences,
    )  # fmt: skip


def _render_pooled(header: str, items: Sequence[Item]) -> list[str]:
    """`split_messages(items, header=header)` for items whose lengths are known; an item
    too long to fit whole is left to `split_messages`, which shortens it."""
    head = utf16_len(header)
    room = LIMIT - head - len(_SEPARATOR)
    if head > LIMIT // 2 or any(length > room for _, length in items):
        return split_messages([text for text, _ in items], header=header)
    messages: list[str] = []
    current, used = [header], head
    for text, length in items:
        if used + len(_SEPARATOR) + length > LIMIT:  # never with the header alone: room
            messages.append(_SEPARATOR.join(current))
            current, used = [], -len(_SEPARATOR)
        current.append(text)
        used += len(_SEPARATOR) + length
    messages.append(_SEPARATOR.join(current))
    return messages


@lru_cache(maxsize=1024)
def _header(language: str, count: int) -> str:
    return t(language, "digest.header", count=count)


@lru_cache(maxsize=4096)
def _heading(title: str) -> Item:
    """A group's heading, as `render.digest_messages` puts it before its first story."""
    heading = f"🔹 <b>{escape(title)}</b>\n"
    return heading, utf16_len(heading)


@lru_cache(maxsize=4096)
def _more(language: str, count: int, title: str) -> Item:
    more = t(language, "digest.more", count=count, term=title)
    return more, utf16_len(more)


def _since(chat: Chat, until: datetime) -> datetime:
    return chat.last_digest_at or until - FIRST_WINDOW


def build_digest(
    db: Database,
    chat: Chat,
    subscriptions: Sequence[Followed],
    mutes: Iterable[str],
    *,
    since: datetime,
    until: datetime,
) -> list[str] | None:
    """One chat's digest of the articles first seen in [since, until), as messages of at
    most 4096 characters split between stories; None when there is nothing new."""
    pool = DigestPool.load(db, since, until)
    groups = _groups(pool, chat, subscriptions, mutes, since)
    return _render_one(pool, chat, groups) if groups else None


def plan_digests(db: Database, now: datetime) -> list[Outgoing]:
    """Every digest due at `now`, as outbox messages (chats with nothing new get none)."""
    return _plan(db, chats_due_for_digest(db, now), now)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: a busy minute builds a few hundred thousand objects
    that all live on (messages, rendered stories), and the collector would walk the whole
    heap again and again for nothing, costing a third of the time. Nothing here makes
    cycles; collection resumes right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(db: Database, due: Sequence[Chat], now: datetime) -> list[Outgoing]:
    if not due:
        return []
    with _collector_paused():
        return _plan_all(db, due, now)


def _plan_all(db: Database, due: Sequence[Chat], now: datetime) -> list[Outgoing]:
    subscriptions = _followed(db)
    mutes = all_mutes(db)
    pool = DigestPool.load(db, min(_since(chat, now) for chat in due), now)
    messages: list[Outgoing] = []
    for chat in due:
        groups = _groups(
            pool, chat, subscriptions.get(chat.chat_id, ()), mutes.get(chat.chat_id, ()),
            _since(chat, now),
        )[:TOTAL_CAP]  # fmt: skip
        if not groups:
            continue
        cap = _cap(groups)
        items: list[Item] = []
        shown: list[int] = []
        for group in groups:
            places = group.places(cap)
            shown += places
            block = pool.items(chat, places)
            heading, length = _heading(group.title)
            block[0] = (heading + block[0][0], length + block[0][1])
            if group.size > cap:
                block.append(_more(chat.language, group.size - cap, group.title))
            items += block
        entries = pool.order(chat.language)[0]
        ids = tuple(entries[place].article.id for place in shown)
        header = _header(chat.language, sum(group.size for group in groups))
        local_date = now.astimezone(chat.zone).date().isoformat()  # the slot's day
        key = f"digest:{chat.chat_id}:{local_date}:{chat.digest_time}"
        messages += [
            Outgoing(chat.chat_id, "digest", f"{key}:{part}", make_payload(text), ids)
            for part, text in enumerate(_render_pooled(header, items))
        ]
    return messages


def deliver_digests(db: Database, *, now: datetime) -> int:
    """Enqueue every due digest and mark those chats served, in one transaction.

    A chat with nothing new gets no message, but its window still closes at `now`.
    Returns how many outbox rows were added.
    """
    due = chats_due_for_digest(db, now)
    messages = _plan(db, due, now)
    with write_transaction(db):
        added = enqueue_many(db, messages, now=now)
        db.conn.executemany(
            "UPDATE chats SET last_digest_at = ? WHERE chat_id = ?",
            [(to_db_time(now), chat.chat_id) for chat in due],
        )
    return sum(row is not None for row in added)
