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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial, reduce
from itertools import accumulate, islice
from operator import itemgetter, or_
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.callbacks import encode, moment_code, term_key
from bot.i18n import Markup, escape, t
from bot.matching import TermIndex
from bot.render import (
    LIMIT,
    DigestEntry,
    DigestGroup,
    ItemBody,
    article_item,
    digest_messages,
    item_body,
    item_from,
    item_source,
    plain,
    split_messages,
    utf16_len,
    with_also_from,
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

_COUNT = Markup("\x00")  # stands for a count in texts made before it is known (`_more`)
Item = tuple[str, int]  # rendered HTML and the room it takes: UTF-16 units and a separator
Button = dict[str, str]  # an inline keyboard button as Bot API JSON
Look = tuple[str, str, int]  # language, time zone, summary sentences


class Followed(Protocol):
    """What a digest needs of a subscription (a `storage.subscriptions.Subscription` is one)."""

    @property
    def term(self) -> str: ...  # folded

    @property
    def display(self) -> str: ...  # as the chat typed it


def _one(place: int) -> Callable[[Sequence], tuple]:
    """`itemgetter(place)`, but giving a tuple, as `itemgetter` of two or more places does."""
    return lambda items: (items[place],)


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
    """One subscription's stories in a chat's digest, as bits of their places in the
    language's newest-first order: the stories matching the most of the chat's terms first
    (`ranks`), each rank newest first. Only the stories shown are ever listed."""

    term: str  # folded
    title: str  # as the chat typed it
    size: int
    stories: int
    # The chat's stories matching exactly k of its terms, for k from the most down to one;
    # empty when none of the group's stories matches two of them.
    ranks: Sequence[int]

    def places(self, limit: int | None = None) -> list[int]:
        return _places(self.stories, self.ranks, limit)


# A `_Group` from its fields, as `_Group(...)` but without a Python call: a busy minute
# makes tens of thousands.
_group = partial(tuple.__new__, _Group)


def _places(stories: int, ranks: Sequence[int], limit: int | None) -> list[int]:
    """The places of a group's stories in the order it shows them (see `_Group`)."""
    if not ranks:
        return _bits(stories, limit)
    found: list[int] = []
    for rank in ranks:
        layer = stories & rank
        if layer:
            found += _bits(layer, None if limit is None else limit - len(found))
            if len(found) == limit:
                break
    return found


class _Digest(NamedTuple):
    """A chat's digest (see `DigestPool.digest`)."""

    messages: list[str]
    ids: tuple[str, ...]  # the articles shown
    buttons: list[list[Button]]  # rows of an inline keyboard, under the last message


class _Muting(NamedTuple):
    """What a set of mutes hides from a pool's chats (see `DigestPool._unmute`)."""

    hidden: int  # the stories with an article they match, as bits of their places
    unmuted: frozenset[str]  # ids of those stories' other articles
    kept: dict[str, int]  # term -> its stories less those muted


# The stories of a pool as a look shows them, by place: each rendered item and its room
# (None and 0 until a chat needs it).
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
        self._mutings: dict[tuple[datetime, str, tuple[str, ...]], _Muting] = {}
        self._looks: dict[Look, _Renderings] = {}
        self._headings: dict[str, Item] = {}  # a group's title -> its heading
        self._bodies: dict[tuple[str, int], ItemBody] = {}  # see `_body`
        self._sources: dict[tuple[str, str], str] = {}  # (article id, time zone) -> source line
        self._layers: dict[tuple[int, int], list[int]] = {}  # see `_shown`
        self._renderings: dict[tuple[str, tuple, int], _Renderings] = {}  # see `_look`
        self._headers: dict[tuple[str, int], Item] = {}  # (language, story count) -> header
        self._mores: dict[tuple[str, int, str], tuple[str, int, str]] = {}  # see `_more`
        self._more_texts: dict[tuple[str, str], tuple[str, str]] = {}  # see `_more_text`
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
        it and none of `mutes`, as bits of their places. Worked out once per term, and once
        per set of mutes for a term one of them hides an article of."""
        known = self._masks.get((since, language))
        if known is None:
            known = self._masks[since, language] = {}
            self._bits[since, language] = self._story_bits(since, language)
        try:
            found = list(map(known.__getitem__, terms))
        except KeyError:  # a term no chat needed yet
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
        muted: a story stays when another of its articles matches unmuted.

        Chats muting the same words share the work (`_Muting`): muted words are common ones.
        """
        key = (since, language, tuple(mutes))
        muting = self._mutings.get(key)
        if muting is None:
            muting = self._mutings[key] = self._muting(since, language, mutes)
        for n, term in enumerate(terms):
            if masks[n] & muting.hidden:
                kept = muting.kept.get(term)
                if kept is None:
                    # the untouched stories, and those of its unmuted articles among the rest
                    matched = self.index.ids_for(term) & muting.unmuted
                    bits = self._bits[since, language]
                    unmuted = reduce(or_, map(bits.__getitem__, matched), 0)
                    kept = masks[n] & ~muting.hidden | unmuted
                    muting.kept[term] = kept
                masks[n] = kept

    def _muting(self, since: datetime, language: str, mutes: Sequence[str]) -> _Muting:
        muted = set().union(*map(self.index.ids_for, mutes))
        hidden = reduce(or_, map(self._bits[since, language].__getitem__, muted), 0)
        stories = {self.articles[i].story_id for i in muted}
        others = {a.id for story in stories for a in self._members[story]} - muted
        return _Muting(hidden, frozenset(others), {})

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

    def digest(self, chat: Chat, groups: Sequence[_Group], since: datetime) -> _Digest:
        """A chat's digest of its `groups` (at most `TOTAL_CAP` of them), as
        `render.digest_messages` lays it out, with the ids of the articles shown and a
        "more" button for each capped group.

        Each story is rendered once per look (see `_look`), for every chat with that look;
        a chat's items are then looked up by place, a group's in one go (`itemgetter`), and
        split into messages by the room each takes (`_render_pooled`).
        """
        if len(groups) > TOTAL_CAP:
            groups = groups[:TOTAL_CAP]
        cap = _cap(groups)
        look = self._look(chat)
        texts_at, rooms_at = look
        language = chat.language
        ids_at = self.ids(language)
        texts: list[str] = [""]  # the header first, once the count is known
        rooms: list[int] = [0]
        ids: list[str] = []
        buttons: list[list[Button]] = []
        count = 0
        for term, title, size, stories, ranks in groups:
            count += size
            shown = self._shown(stories, ranks, cap)
            get = itemgetter(*shown) if len(shown) > 1 else _one(shown[0])
            block = get(rooms_at)
            if not all(block):  # a story this look has not rendered yet: room 0
                self._render(chat, look, shown)
                block = get(rooms_at)
            start = len(texts)
            texts += get(texts_at)
            rooms += block
            ids += get(ids_at)
            heading, room = self._headings.get(title) or self._heading(title)
            texts[start] = heading + texts[start]  # as `digest_messages` heads a group
            rooms[start] += room
            if size > cap:
                more, room, label = self._mores.get((language, size - cap, title)) or self._more(
                    language, size - cap, title
                )
                texts.append(more)
                rooms.append(room)
                data = self._more_data.get((term, since)) or self._data(term, since)
                buttons.append([{"text": label, "callback_data": data}])
        texts[0], rooms[0] = self._headers.get((language, count)) or self._header(language, count)
        return _Digest(_render_pooled(texts, rooms), tuple(ids), buttons)

    def _shown(self, stories: int, ranks: Sequence[int], cap: int) -> list[int]:
        """`_places(stories, ranks, cap)`, with the places of each layer (a rank's stories in
        the group) remembered: chats following the same topics have the same layers, and
        finding a bit's place is slow in Python. Not to be changed: the lists are shared."""
        known = self._layers
        if not ranks:
            found = known.get((stories, cap))
            if found is None:
                found = known[stories, cap] = _bits(stories, cap)
            return found
        shown: list[int] = []
        for rank in ranks:
            layer = stories & rank
            if layer:
                want = cap - len(shown)
                found = known.get((layer, want))
                if found is None:
                    found = known[layer, want] = _bits(layer, want)
                shown += found
                if len(shown) == cap:
                    break
        return shown

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
        and the label of the button that sends them.

        A busy minute has thousands of (title, count) pairs, and `t` costs more than the
        rest: the line and the label are made once per title with `_COUNT` for the count,
        which then goes in by `str.replace`. Not for a count of one (which may read
        differently) or a title holding `_COUNT`.
        """
        if left == 1 or _COUNT in title:
            text = t(language, "digest.more", count=left, term=title)
            label = more_label(language, title, left)
        else:
            line, button = self._more_texts.get((language, title)) or self._more_text(
                language, title
            )
            text = line.replace(_COUNT, str(left))
            label = plain(button.replace(_COUNT, str(left)))
        more = self._mores[language, left, title] = (text, _room(text), label)
        return more

    def _more_text(self, language: str, title: str) -> tuple[str, str]:
        """A "more" line and the text of its button (before `plain`), with `_COUNT`."""
        term = escape(title)
        found = self._more_texts[language, title] = (
            t(language, "digest.more", count=_COUNT, term=term),
            t(language, "digest.more_button", term=term, count=_COUNT),
        )
        return found

    def _data(self, term: str, since: datetime) -> str:
        """The data of the "more" button of `term`'s group in digests from `since`."""
        data = self._more_data[term, since] = more_data(
            term, since=since, until=self.until, offset=0
        )
        return data

    def _header(self, language: str, count: int) -> Item:
        """A digest's header, made once a pool."""
        text = t(language, "digest.header", count=count)
        found = self._headers[language, count] = (text, _room(text))
        return found

    def _render(self, chat: Chat, look: _Renderings, places: Sequence[int]) -> None:
        """Render the stories at `places` that `look` (as `chat` sees them) lacks, as
        `_item` would: only the source line depends on the look, and but for the other
        outlets it names, only on the time zone (`item_source`)."""
        texts_at, rooms_at = look
        entries = self.order(chat.language)[0]
        for place in places:
            if texts_at[place] is None:
                article = entries[place].article
                source = self._sources.get((article.id, chat.timezone))
                if source is None:
                    source = self._sources[article.id, chat.timezone] = item_source(
                        article, chat.zone
                    )
                meta = with_also_from(source, chat.language, entries[place].also_from)
                text = item_from(self._body(article, chat.summary_sentences), meta)
                texts_at[place], rooms_at[place] = text, _room(text)

    def _body(self, article: StoredArticle, sentences: int) -> ItemBody:
        """An item's title and summary, made once for all the looks showing `article`."""
        found = self._bodies.get((article.id, sentences))
        if found is None:
            found = self._bodies[article.id, sentences] = item_body(article, sentences=sentences)
        return found


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
    shared, ranks = _ranks(masks)
    left = -1  # the stories no earlier group took
    groups = []
    for (term, display), mask in zip(followed, masks, strict=True):
        fresh = mask & left
        if fresh:
            left ^= fresh
            found = (term, display, fresh.bit_count(), fresh, ranks if fresh & shared else ())
            groups.append(_group(found))
    return groups


def _ranks(masks: Sequence[int]) -> tuple[int, list[int]]:
    """The stories in two or more of `masks`, and those in exactly k of them, for k from
    the most any is in down to one."""
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
    shared = at_least[2] if len(at_least) > 2 else 0
    return shared, [at_least[k] & ~at_least[k + 1] for k in range(len(at_least) - 2, 0, -1)]


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


def _render_pooled(texts: list[str], rooms: list[int]) -> list[str]:
    """`split_messages(texts[1:], header=texts[0])` for items whose room is known (the
    header's too, first); an item too long to fit whole is left to `split_messages`, which
    shortens it.

    Each message takes as many items as fit: with the running total of the room they take,
    where each message ends is a binary search, not a walk over the items. The header is
    the first message's first item, so every message is one slice of the items.
    """
    head = rooms[0] - len(_SEPARATOR)  # the header's room; no separator before a message
    if head > LIMIT // 2 or max(islice(rooms, 1, None)) > LIMIT - head:
        return split_messages(texts[1:], header=texts[0])
    ends = list(accumulate(rooms, initial=0))
    room = LIMIT + len(_SEPARATOR)  # for a message's items and the separators before them
    if ends[-1] <= room:  # all in one message
        return [_SEPARATOR.join(texts)]
    messages: list[str] = []
    start = 0
    while start < len(texts):
        stop = bisect_right(ends, room + ends[start]) - 1  # never with no item: see above
        messages.append(_SEPARATOR.join(texts[start:stop]))
        start = stop
    return messages


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
    return _plan(db, now)[1]


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


def _plan(db: Database, now: datetime) -> tuple[list[Chat], list[Outgoing]]:
    """The chats due at `now` and their digests (the chats too are thousands of objects)."""
    with _collector_paused():
        due = chats_due_for_digest(db, now)
        return due, _plan_all(db, due, now) if due else []


def _plan_all(db: Database, due: Sequence[Chat], now: datetime) -> list[Outgoing]:
    followed = all_followed(db)
    mutes = all_mutes(db)
    first_window = now - FIRST_WINDOW  # one datetime for all, so the pool's keys hash it once
    pool = DigestPool.load(db, min(chat.last_digest_at or first_window for chat in due), now)
    days: dict[str, str] = {}  # time zone -> the local date at `now`: the slot's day
    messages: list[Outgoing] = []
    for chat in due:
        subscribed = followed.get(chat.chat_id)
        if not subscribed:
            continue
        since = chat.last_digest_at or first_window
        groups = _groups(pool, chat, subscribed, mutes.get(chat.chat_id, ()), since)
        if not groups:
            continue
        parts, ids, buttons = pool.digest(chat, groups, since)
        day = days.get(chat.timezone)
        if day is None:
            day = days[chat.timezone] = now.astimezone(chat.zone).date().isoformat()
        key = f"digest:{chat.chat_id}:{day}:{chat.digest_time}"
        last = len(parts) - 1
        keyboard = {"inline_keyboard": buttons} if buttons else None
        messages += [
            Outgoing(
                chat.chat_id,
                "digest",
                f"{key}:{part}",
                make_payload(text, reply_markup=keyboard if part == last else None),
                ids,
            )
            for part, text in enumerate(parts)
        ]
    return messages


def deliver_digests(db: Database, *, now: datetime) -> int:
    """Enqueue every due digest and mark those chats served, in one transaction.

    A chat with nothing new gets no message, but its window still closes at `now`.
    Returns how many outbox rows were added.
    """
    due, messages = _plan(db, now)
    with write_transaction(db):
        added = enqueue_many(db, messages, now=now)
        db.conn.executemany(
            "UPDATE chats SET last_digest_at = ? WHERE chat_id = ?",
            [(to_db_time(now), chat.chat_id) for chat in due],
        )
    return sum(row is not None for row in added)
