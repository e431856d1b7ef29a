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
integer operations; a story is rendered once per look (language, time zone, summary length)
for every chat with that look, with its length, so splitting a digest into messages is a
sum and a binary search. `render.digest_messages` gives the same messages one chat at a
time; `build_digest` uses it, and a test holds the two to the same output.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache, reduce
from itertools import accumulate
from operator import or_
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

Item = tuple[str, int]  # rendered HTML and the room it takes: UTF-16 units and a separator
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

    def places(self, limit: int | None = None) -> Sequence[int]:
        if len(self.layers) == 1:  # the usual case: no story matches two of the chat's terms
            return _bit_places(self.layers[0], limit)
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
        self._ids: dict[str, list[str]] = {}
        self._bits: dict[tuple[datetime, str], dict[str, int]] = {}
        self._masks: dict[tuple[datetime, str], dict[str, int]] = {}  # term -> mask
        self._items: dict[Look, dict[int, Item]] = {}
        self._headings: dict[str, Item] = {}  # a group's title -> its heading
        self._texts: dict[tuple[str, str, int, str], Item] = {}

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

    def ids(self, language: str) -> list[str]:
        """The article shown for each place of `order(language)`, by id."""
        if language not in self._ids:
            self._ids[language] = [entry.article.id for entry in self.order(language)[0]]
        return self._ids[language]

    def masks(
        self, terms: Sequence[str], since: datetime, language: str, muted: set[str]
    ) -> list[int]:
        """For each of `terms`, the stories new since `since` with an article that matches
        it and is not muted, as bits of their places. Worked out once per term, and again
        for a chat only when one of its mutes hides an article the term matches."""
        known = self._masks.get((since, language))
        if known is None:
            known = self._masks[since, language] = {}
            self._bits[since, language] = self._story_bits(since, language)
        found = [
            known[term] if term in known else self._mask(known, term, since, language)
            for term in terms
        ]
        if muted:
            bits = self._bits[since, language]
            for n, term in enumerate(terms):
                matched = self.index.ids_for(term)
                if not matched.isdisjoint(muted):
                    found[n] = reduce(or_, map(bits.__getitem__, matched - muted), 0)
        return found

    def _mask(self, known: dict[str, int], term: str, since: datetime, language: str) -> int:
        """`term`'s stories for everyone, remembered in `known`."""
        bits = self._bits[since, language]
        mask = known[term] = reduce(or_, map(bits.__getitem__, self.index.ids_for(term)), 0)
        return mask

    def _story_bits(self, since: datetime, language: str) -> dict[str, int]:
        """Article id -> the bit of its story's place, or 0 for a story that was news
        before `since`."""
        places = self.order(language)[1]
        return {
            article.id: 1 << places[article.story_id]
            if self.story_start[article.story_id] >= since
            else 0
            for article in self.articles.values()
        }

    def blocks(
        self, chat: Chat, groups: Sequence[_Group], cap: int
    ) -> tuple[list[Item], tuple[str, ...]]:
        """A chat's digest as items (a group's heading on its first story, a "more" line
        after a capped group) and the ids of the articles shown. Each story is rendered once
        per look (language, time zone, summary length), for every chat with that look."""
        look = (chat.language, chat.timezone, chat.summary_sentences)
        rendered = self._items.setdefault(look, {})
        headings = self._headings
        items: list[Item] = []
        shown: list[int] = []
        for group in groups:
            places = group.places(cap)
            try:
                block = [rendered[place] for place in places]
            except KeyError:
                block = self._render(chat, rendered, places)
            heading = headings.get(group.title)
            if heading is None:  # as render.digest_messages heads a group
                text = f"🔹 <b>{escape(group.title)}</b>\n"
                heading = headings[group.title] = (text, utf16_len(text))
            block[0] = (heading[0] + block[0][0], heading[1] + block[0][1])
            if group.size > cap:
                block.append(self.text("digest.more", chat.language, group.size - cap, group.title))
            items += block
            shown += places
        ids = self.ids(chat.language)
        return items, tuple([ids[place] for place in shown])

    def text(self, key: str, language: str, count: int, term: str = "") -> Item:
        """A digest's header or "more" line (`term` is a group's title), made once a pool."""
        found = self._texts.get((key, language, count, term))
        if found is None:
            text = t(language, key, count=count, term=term)
            found = self._texts[key, language, count, term] = (text, _room(text))
        return found

    def _render(self, chat: Chat, rendered: dict[int, Item], places: Sequence[int]) -> list[Item]:
        entries = self.order(chat.language)[0]
        for place in places:
            if place not in rendered:
                entry = entries[place]
                text = article_item(
                    entry.article, chat.language, chat.zone, also_from=entry.also_from,
                    sentences=chat.summary_sentences,
                )  # fmt: skip
                rendered[place] = (text, _room(text))
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
    masks = pool.masks([s.term for s in subscriptions], since, chat.language, muted)
    # at_least[k]: the stories that match at least k of the chat's terms, for k up to the
    # most any story matches (two or three, not five: that bounds the work).
    at_least = [-1]
    for mask in masks:
        deeper = at_least[-1] & mask
        for k in range(len(at_least) - 1, 0, -1):
            at_least[k] |= at_least[k - 1] & mask
        if deeper:
            at_least.append(deeper)
    at_least.append(0)
    exactly = [at_least[k] & ~at_least[k + 1] for k in range(len(at_least) - 2, 0, -1)]
    placed = 0
    groups = []
    for subscription, mask in zip(subscriptions, masks, strict=True):
        fresh = mask & ~placed
        if not fresh:
            continue
        placed |= fresh
        if fresh & at_least[2]:  # some match more terms than others: those come first
            layers = tuple(layer for match in exactly if (layer := fresh & match))
        else:
            layers = (fresh,)
        groups.append(_Group(subscription.display, fresh.bit_count(), layers))
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


def _room(text: str) -> int:
    """What an item takes in a message: its UTF-16 length and the separator before it."""
    return utf16_len(text) + len(_SEPARATOR)


def _render_pooled(header: Item, items: Sequence[Item]) -> list[str]:
    """`split_messages(items, header=header)` for items whose lengths are known; an item
    too long to fit whole is left to `split_messages`, which shortens it.

    Each message takes as many items as fit: with the running total of the room they take,
    where each message ends is a binary search, not a walk over the items.
    """
    header_text, header_room = header
    head = header_room - len(_SEPARATOR)  # the header has no separator before it
    texts, rooms = zip(*items, strict=True)
    if head > LIMIT // 2 or max(rooms) > LIMIT - head:
        return split_messages(list(texts), header=header_text)
    ends = list(accumulate(rooms, initial=0))
    messages: list[str] = []
    start, used = 0, head  # a message after the first starts with an item, no separator
    while start < len(texts):
        stop = bisect_right(ends, LIMIT - used + ends[start]) - 1  # never with no item: room
        part = texts[start:stop]
        messages.append(_SEPARATOR.join((header_text, *part) if start == 0 else part))
        start, used = stop, -len(_SEPARATOR)
    return messages


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
    days: dict[str, str] = {}  # time zone -> the local date at `now`: the slot's day
    messages: list[Outgoing] = []
    for chat in due:
        groups = _groups(
            pool, chat, subscriptions.get(chat.chat_id, ()), mutes.get(chat.chat_id, ()),
            _since(chat, now),
        )[:TOTAL_CAP]  # fmt: skip
        if not groups:
            continue
        items, ids = pool.blocks(chat, groups, _cap(groups))
        header = pool.text("digest.header", chat.language, sum(group.size for group in groups))
        day = days.get(chat.timezone)
        if day is None:
            day = days[chat.timezone] = now.astimezone(chat.zone).date().isoformat()
        key = f"digest:{chat.chat_id}:{day}:{chat.digest_time}"
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
