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
sum and a binary search. Time zones that agree on every article's UTC offset (Taipei, Hong
Kong) share a look. `render.digest_messages` gives the same messages one chat at a time;
`build_digest` uses it, and a test holds the two to the same output.

A group capped for room gets a "more" button under the digest's last message. Its data
names the digest's window and the topic (`more_data`); pressed, `more_stories` works the
group out again from the database and sends what the digest did not show
(`bot.handlers.digest`), so the button needs nothing kept in memory and outlives restarts.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import reduce
from itertools import accumulate
from operator import or_
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.callbacks import encode, moment_code, term_key
from bot.i18n import escape, t
from bot.matching import TermIndex
from bot.render import (
    LIMIT,
    DigestEntry,
    DigestGroup,
    article_item,
    digest_messages,
    plain,
    split_messages,
    utf16_len,
)
from storage.chats import Chat, chats_due_for_digest
from storage.db import from_db_time, to_db_time
from storage.outbox import Outgoing, enqueue_many, make_payload
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from storage.subscriptions import all_followed, all_mutes
from storage.transaction import write_transaction

FIRST_WINDOW = timedelta(hours=24)
MAX_AGE = timedelta(days=2)
GROUP_CAP = 10  # stories shown per subscription; the rest are counted, with a search hint
# and a button that sends them (`more_stories`)
TOTAL_CAP = 30  # stories shown per digest, about
MORE_PAGE = 10  # stories a "more" button under a digest sends at a press
MAX_MORE_OFFSET = 9999  # button data keeps a "more" button's offset to four digits
_SEPARATOR = "\n\n"  # between items, as render.split_messages joins them
_PARAMETERS = 500  # story ids per query, under SQLite's limit on parameters

Item = tuple[str, int]  # rendered HTML and the room it takes: UTF-16 units and a separator
Button = dict[str, str]  # an inline keyboard button as Bot API JSON
Look = tuple[str, str, int]  # language, time zone, summary sentences


class Followed(Protocol):
    """What a digest needs of a subscription (a `storage.subscriptions.Subscription` is one)."""

    @property
    def term(self) -> str: ...  # folded

    @property
    def display(self) -> str: ...  # as the chat typed it


def _bits(mask: int, limit: int | None = None) -> list[int]:
    """The places of the set bits of `mask`, lowest first (at most `limit` of them)."""
    places = []
    while mask:
        low = mask & -mask
        places.append(low.bit_length() - 1)
        if len(places) == limit:
            break
        mask ^= low
    return places


class _Group(NamedTuple):
    """One subscription's stories in a chat's digest, as places in the language's newest-
    first order, in `layers`: the stories matching the most of the chat's terms first, each
    layer newest first. Only the stories shown are ever listed."""

    term: str  # folded
    title: str  # as the chat typed it
    size: int
    layers: tuple[int, ...]

    def places(self, limit: int | None = None) -> list[int]:
        if len(self.layers) == 1:  # no story matches two of the chat's terms
            return _bits(self.layers[0], limit)
        found: list[int] = []
        for layer in self.layers:
            found += _bits(layer, None if limit is None else limit - len(found))
            if len(found) == limit:
                break
        return found


class _Layout(NamedTuple):
    """A chat's digest before it is split into messages (see `DigestPool.layout`)."""

    texts: list[str]
    rooms: list[int]
    ids: tuple[str, ...]
    buttons: list[list[Button]]  # rows of an inline keyboard


# The stories of a pool as a look shows them, by place: each rendered item (None until a
# chat needs it) and its room.
_Renderings = tuple[list[str | None], list[int]]


class DigestPool:
    """The articles first seen in [since, until), with everything digests share worked out once.

    `story_start` holds when each story's first member (in the pool or not) was seen, so a
    story that was already news before a chat's window is left out of its digest.
    """

    def __init__(
        self,
        articles: Iterable[StoredArticle],
        story_start: dict[str, datetime],
        until: datetime,
    ) -> None:
        self.articles = {article.id: article for article in articles}
        self.until = until
        self.story_start = story_start
        self.index = TermIndex(self.articles.values())
        self._members: dict[str, list[StoredArticle]] = {}
        for article in sorted(self.articles.values(), key=lambda a: (a.published, a.id)):
            self._members.setdefault(article.story_id, []).append(article)
        self._orders: dict[str, tuple[list[DigestEntry], dict[str, int]]] = {}
        self._ids: dict[str, list[str]] = {}
        self._bits: dict[tuple[datetime, str], dict[str, int]] = {}
        self._masks: dict[tuple[datetime, str], dict[str, int]] = {}  # term -> mask
        self._looks: dict[Look, _Renderings] = {}
        self._headings: dict[str, Item] = {}  # a group's title -> its heading
        self._renderings: dict[tuple[str, tuple, int], _Renderings] = {}  # see `_look`
        self._texts: dict[tuple[str, str, int], Item] = {}  # digest headers
        self._mores: dict[tuple[str, int, str], tuple[str, int, str]] = {}  # see `_more`
        self._more_data: dict[tuple[str, datetime], str] = {}  # (term, since) -> button data

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
        return cls(articles, story_start, until)

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
        self, terms: Sequence[str], since: datetime, language: str, mutes: Sequence[str]
    ) -> list[int]:
        """For each of `terms`, the stories new since `since` with an article that matches
        it and none of `mutes`, as bits of their places. Worked out once per term, and again
        for a chat only when one of its mutes hides an article the term matches."""
        known = self._masks.get((since, language))
        if known is None:
            known = self._masks[since, language] = {}
            self._bits[since, language] = self._story_bits(since, language)
        found = [known.get(term) for term in terms]
        if None in found:
            found = [
                known[term] if term in known else self._mask(known, term, since, language)
                for term in terms
            ]
        if mutes:
            self._unmute(found, terms, since, language, mutes)
        return found

    def _unmute(
        self,
        masks: list[int],
        terms: Sequence[str],
        since: datetime,
        language: str,
        mutes: Sequence[str],
    ) -> None:
        """Take out of `masks` (of `terms`) the stories whose only matching articles are
        muted: a story stays when another of its articles matches unmuted."""
        ids_for = self.index.ids_for
        muted = set().union(*map(ids_for, mutes))
        hidden = reduce(or_, map(self._bits[since, language].__getitem__, muted), 0)
        entries = self.order(language)[0]
        for n, term in enumerate(terms):
            touched = masks[n] & hidden
            if touched:
                matched = ids_for(term)
                for place in _bits(touched):
                    members = self._members[entries[place].article.story_id]
                    if not any(a.id in matched and a.id not in muted for a in members):
                        masks[n] &= ~(1 << place)

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

    def layout(self, chat: Chat, groups: Sequence[_Group], cap: int, since: datetime) -> _Layout:
        """A chat's digest as items (a group's heading on its first story, a "more" line
        after a capped group) with the room each takes, the ids of the articles shown, and
        a "more" button for each capped group.

        Each story is rendered once per look (see `_look`), for every chat with that look;
        a chat's items are then mostly looked up by place.
        """
        look = self._look(chat)
        texts_at, rooms_at = look
        texts: list[str] = []
        rooms: list[int] = []
        places: list[int] = []
        buttons: list[list[Button]] = []
        for group in groups:
            shown = group.places(cap)
            block = [texts_at[place] for place in shown]
            if None in block:
                self._render(chat, look, shown)
                block = [texts_at[place] for place in shown]
            start = len(rooms)
            rooms += map(rooms_at.__getitem__, shown)
            heading, room = self._headings.get(group.title) or self._heading(group.title)
            block[0] = heading + block[0]
            rooms[start] += room
            if group.size > cap:
                more, room, label = self._mores.get(
                    (chat.language, group.size - cap, group.title)
                ) or self._more(chat.language, group.size - cap, group.title)
                block.append(more)
                rooms.append(room)
                data = self._more_data.get((group.term, since)) or self._data(group.term, since)
                buttons.append([{"text": label, "callback_data": data}])
            texts += block
            places += shown
        ids = self.ids(chat.language)
        return _Layout(texts, rooms, tuple(map(ids.__getitem__, places)), buttons)

    def _look(self, chat: Chat) -> _Renderings:
        """The stories as `chat` sees them (see `_Renderings`)."""
        look = (chat.language, chat.timezone, chat.summary_sentences)
        found = self._looks.get(look)
        if found is None:
            shared = (chat.language, self._clock(chat.zone), chat.summary_sentences)
            found = self._renderings.get(shared)
            if found is None:
                stories = len(self._members)
                found = self._renderings[shared] = ([None] * stories, [0] * stories)
            self._looks[look] = found
        return found

    def _clock(self, zone: ZoneInfo) -> tuple[timedelta | None, ...]:
        """All a time zone changes in a story as shown: its UTC offset at each article's
        publication. Zones that agree on all of them (Taipei, Hong Kong) show every story
        alike, so their chats share the renderings."""
        articles = self.articles.values()
        return tuple(article.published.astimezone(zone).utcoffset() for article in articles)

    def _heading(self, title: str) -> Item:
        """A group's heading, as `render.digest_messages` heads a group, and its length
        (it goes on the group's first story, made for each chat: kept for all, those copies
        would take tens of megabytes, and filling memory costs more than making them)."""
        heading = f"🔹 <b>{escape(title)}</b>\n"
        found = self._headings[title] = (heading, utf16_len(heading))
        return found

    def _more(self, language: str, left: int, title: str) -> tuple[str, int, str]:
        """The line after a group that had `left` stories more than room, with its room,
        and the label of the button that sends them."""
        text = t(language, "digest.more", count=left, term=title)
        more = self._mores[language, left, title] = (
            text,
            _room(text),
            more_label(language, title, left),
        )
        return more

    def _data(self, term: str, since: datetime) -> str:
        """The data of the "more" button of `term`'s group in digests from `since`."""
        data = self._more_data[term, since] = more_data(
            term, since=since, until=self.until, offset=0
        )
        return data

    def header(self, language: str, count: int) -> Item:
        """A digest's header, made once a pool."""
        found = self._texts.get((language, count))
        if found is None:
            text = t(language, "digest.header", count=count)
            found = self._texts[language, count] = (text, _room(text))
        return found

    def _render(self, chat: Chat, look: _Renderings, places: Sequence[int]) -> None:
        """Render the stories at `places` that `look` (as `chat` sees them) lacks."""
        texts_at, rooms_at = look
        entries = self.order(chat.language)[0]
        for place in places:
            if texts_at[place] is None:
                text = _item(entries[place], chat)
                texts_at[place], rooms_at[place] = text, _room(text)


def _item(entry: DigestEntry, chat: Chat) -> str:
    """A story as a digest item for `chat`, naming the other outlets that carried it."""
    return article_item(
        entry.article, chat.language, chat.zone, also_from=entry.also_from,
        sentences=chat.summary_sentences,
    )  # fmt: skip


def more_data(term: str, *, since: datetime, until: datetime, offset: int) -> str:
    """The data of a button sending the stories the digest made at `until` (for the window
    from `since`) left out under subscription `term`, from the `offset`th on."""
    return encode(
        "digest_more", since=moment_code(since), until=moment_code(until), key=term_key(term),
        offset=offset,
    )  # fmt: skip


def more_label(language: str, title: str, left: int) -> str:
    """The text of such a button: the topic as the chat typed it and how many stories."""
    return plain(t(language, "digest.more_button", term=title, count=left))


def _groups(
    pool: DigestPool,
    chat: Chat,
    followed: Sequence[tuple[str, str]],
    mutes: Sequence[str],
    since: datetime,
) -> list[_Group]:
    """Stories per subscription (`followed`: (term, display) pairs), each under the first
    of the chat's terms it matches, ordered by how many of its terms they match, then newest
    first."""
    masks = pool.masks([term for term, _ in followed], since, chat.language, mutes)
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
    for (term, display), mask in zip(followed, masks, strict=True):
        fresh = mask & ~placed
        if not fresh:
            continue
        placed |= fresh
        if fresh & at_least[2]:  # some match more terms than others: those come first
            layers = tuple(layer for match in exactly if (layer := fresh & match))
        else:
            layers = (fresh,)
        groups.append(_Group(term, display, fresh.bit_count(), layers))
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


def _render_pooled(header: Item, texts: Sequence[str], rooms: Sequence[int]) -> list[str]:
    """`split_messages(texts, header=header)` for items whose room is known; an item too
    long to fit whole is left to `split_messages`, which shortens it.

    Each message takes as many items as fit: with the running total of the room they take,
    where each message ends is a binary search, not a walk over the items.
    """
    header_text, header_room = header
    head = header_room - len(_SEPARATOR)  # the header has no separator before it
    if head > LIMIT // 2 or max(rooms) > LIMIT - head:
        return split_messages(texts, header=header_text)
    ends = list(accumulate(rooms, initial=0))
    if ends[-1] <= LIMIT - head:  # all in one message
        return [_SEPARATOR.join((header_text, *texts))]
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
    mutes: Sequence[str],
    *,
    since: datetime,
    until: datetime,
) -> list[str] | None:
    """One chat's digest of the articles first seen in [since, until), as messages of at
    most 4096 characters split between stories; None when there is nothing new."""
    pool, groups = _chat_groups(db, chat, subscriptions, mutes, since, until)
    return _render_one(pool, chat, groups) if groups else None


def _chat_groups(
    db: Database,
    chat: Chat,
    subscriptions: Sequence[Followed],
    mutes: Sequence[str],
    since: datetime,
    until: datetime,
) -> tuple[DigestPool, list[_Group]]:
    """One chat's digest groups, from a pool of just [since, until)."""
    pool = DigestPool.load(db, since, until)
    followed = [(s.term, s.display) for s in subscriptions]
    return pool, _groups(pool, chat, followed, mutes, since)


class MoreStories(NamedTuple):
    """Stories a digest left out under one topic, as messages (see `more_stories`)."""

    messages: list[str]
    sent: int  # stories in the messages
    left: int  # stories left out still after them


def more_stories(
    db: Database,
    chat: Chat,
    subscriptions: Sequence[Followed],
    mutes: Sequence[str],
    *,
    term: str,
    since: datetime,
    until: datetime,
    shown: Collection[str],
    offset: int,
) -> MoreStories | None:
    """The stories under subscription `term` in the chat's digest of [since, until) that
    it did not show (`shown`: article ids), from the `offset`th on: at most `MORE_PAGE`, as
    the digest renders its items, under a heading. None when there are none.

    Worked out again from the database as the digest was, so it needs nothing remembered
    of it but its window; the chat's current subscriptions, mutes and settings apply.
    """
    pool, groups = _chat_groups(db, chat, subscriptions, mutes, since, until)
    group = next((g for g in groups if g.term == term), None)
    if group is None:
        return None
    entries = pool.order(chat.language)[0]
    seen = {pool.articles[i].story_id for i in shown if i in pool.articles}
    rest = [entries[p] for p in group.places() if entries[p].article.story_id not in seen]
    page = rest[offset : offset + MORE_PAGE]
    if not page:
        return None
    items = [_item(entry, chat) for entry in page]
    header = t(chat.language, "digest.more_header", term=group.title, count=len(page))
    left = len(rest) - offset - len(page)
    return MoreStories(split_messages(items, header=header), len(page), left)


def plan_digests(db: Database, now: datetime) -> list[Outgoing]:
    """Every digest due at `now`, as outbox messages (chats with nothing new get none)."""
    return _plan(db, chats_due_for_digest(db, now), now)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: a busy minute builds a few hundred thousand objects
    that all live on (messages, rendered stories), and the collector would walk the whole
    heap again and again for nothing, costing a third of the time. Nothing here makes
    cycles; collection resumes right after.

    What was made meanwhile then joins the oldest generation at once (`gc.freeze` then
    `gc.unfreeze`): resuming would otherwise start with a young collection walking the
    hundred thousand messages and keyboards just made, a tenth of a second for nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _plan(db: Database, due: Sequence[Chat], now: datetime) -> list[Outgoing]:
    if not due:
        return []
    with _collector_paused():
        return _plan_all(db, due, now)


def _plan_all(db: Database, due: Sequence[Chat], now: datetime) -> list[Outgoing]:
    followed = all_followed(db)
    mutes = all_mutes(db)
    pool = DigestPool.load(db, min(_since(chat, now) for chat in due), now)
    days: dict[str, str] = {}  # time zone -> the local date at `now`: the slot's day
    messages: list[Outgoing] = []
    for chat in due:
        since = _since(chat, now)
        groups = _groups(
            pool, chat, followed.get(chat.chat_id, ()), mutes.get(chat.chat_id, ()), since
        )[:TOTAL_CAP]
        if not groups:
            continue
        layout = pool.layout(chat, groups, _cap(groups), since)
        header = pool.header(chat.language, sum(group.size for group in groups))
        day = days.get(chat.timezone)
        if day is None:
            day = days[chat.timezone] = now.astimezone(chat.zone).date().isoformat()
        key = f"digest:{chat.chat_id}:{day}:{chat.digest_time}"
        parts = _render_pooled(header, layout.texts, layout.rooms)
        last = len(parts) - 1
        keyboard = {"inline_keyboard": layout.buttons} if layout.buttons else None
        messages += [
            Outgoing(
                chat.chat_id,
                "digest",
                f"{key}:{part}",
                make_payload(text, reply_markup=keyboard if part == last else None),
                layout.ids,
            )
            for part, text in enumerate(parts)
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
