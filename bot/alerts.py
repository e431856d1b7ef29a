"""Instant alerts: which new articles each chat hears about at once, written to the outbox.

New means a `seq` above the alert cursor: an edited article keeps its seq, so an edit never
alerts again. The cursor lives in `job_state` and moves in the same transaction that
enqueues the alerts, so a crash can neither lose an alert nor send one twice.

Only articles published in the last `MAX_AGE` alert: the first scan of a month of posts
must not wake everybody up. A story (near-duplicates, see storage.stories) alerts a chat
once, whichever outlet or script carries it next; more than `BURST` stories for one chat in
one cycle go out as one bundled message, not a flood, listing at most `BUNDLE_LIST` of them
(a source dumping thousands of items must not send dozens of messages). A single alert
carries a "More" button that opens the story's full summary (`/article`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.callbacks import encode
from bot.i18n import t
from bot.matching import TermIndex
from bot.render import alert_message, split_messages
from storage.chats import Chat, active_chats
from storage.db import to_db_time
from storage.outbox import Outgoing, enqueue_many, make_payload
from storage.records import ARTICLE_COLUMNS, StoredArticle, stored_article
from storage.stories import WINDOW
from storage.subscriptions import Subscription, all_mutes, all_subscriptions
from storage.transaction import write_transaction

MAX_AGE = timedelta(days=2)
BURST = 3
BUNDLE_LIST = 10  # stories a bundle lists; the others are counted, with a /search hint
REPEAT_WINDOW = WINDOW  # a story is not alerted again while it can still gain members
CURSOR = "alerts.cursor"


def read_cursor(db: Database) -> int:
    """The highest article seq already considered for alerts (0 before the first cycle)."""
    row = db.execute("SELECT value FROM job_state WHERE name = ?", [CURSOR]).fetchone()
    return int(row[0]) if row else 0


def _write_cursor(db: Database, seq: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO job_state (name, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        [CURSOR, str(seq), to_db_time(now)],
    )


def _new_articles(
    db: Database, after_seq: int, up_to_seq: int, now: datetime
) -> list[StoredArticle]:
    rows = db.query(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a "
        "WHERE a.seq > ? AND a.seq <= ? AND a.published >= ? ORDER BY a.seq",
        [after_seq, up_to_seq, to_db_time(now - MAX_AGE)],
    )
    return [stored_article(row) for row in rows]


def _alerted_stories(
    db: Database, story_ids: Iterable[str], since: datetime
) -> dict[int, set[str]]:
    """Chat -> those of `story_ids` an alert since `since` already carried."""
    stories = sorted(set(story_ids))
    if not stories:
        return {}
    marks = ", ".join("?" * len(stories))
    rows = db.execute(
        "SELECT DISTINCT o.chat_id, a.story_id FROM outbox o, json_each(o.article_ids) j "
        "JOIN articles a ON a.id = j.value "
        f"WHERE o.kind = 'alert' AND o.created_at >= ? AND a.story_id IN ({marks})",
        [to_db_time(since), *stories],
    )
    found: dict[int, set[str]] = {}
    for chat_id, story_id in rows:
        found.setdefault(chat_id, set()).add(story_id)
    return found


def _pick_per_story(
    matched: Mapping[str, list[str]],
    articles: Mapping[str, StoredArticle],
    language: str,
    skip_stories: set[str],
) -> list[tuple[StoredArticle, list[str]]]:
    """One article per story (in the chat's language when there is a choice), most
    relevant first: more matching terms, then newer."""
    best: dict[str, tuple[StoredArticle, list[str]]] = {}
    for article_id, terms in matched.items():
        article = articles[article_id]
        if article.story_id in skip_stories:
            continue
        held = best.get(article.story_id)
        if held is None:
            best[article.story_id] = (article, list(terms))
            continue
        terms = list(dict.fromkeys([*held[1], *terms]))
        keep_new = (article.lang == language) > (held[0].lang == language)
        best[article.story_id] = (article if keep_new else held[0], terms)
    return sorted(
        best.values(),
        key=lambda pick: (-len(pick[1]), -pick[0].published.timestamp(), pick[0].id),
    )


def _messages_for(
    chat: Chat, picks: Sequence[tuple[StoredArticle, list[str]]], shown: Mapping[str, str]
) -> list[Outgoing]:
    """Single alerts, or one bundle when the chat would get more than `BURST` at once."""
    zone, lang, sentences = chat.zone, chat.language, chat.summary_sentences

    def outgoing(
        key: str, texts: list[str], ids: tuple[str, ...], keyboard: dict | None = None
    ) -> list[Outgoing]:
        """The parts of one alert; the keyboard goes under the last."""
        last = len(texts) - 1
        return [
            Outgoing(
                chat.chat_id,
                "alert",
                key if part == 0 else f"{key}:{part}",
                make_payload(text, reply_markup=keyboard if part == last else None),
                ids,
            )
            for part, text in enumerate(texts)
        ]

    if len(picks) > BURST:
        ids = tuple(article.id for article, _ in picks)
        terms = dict.fromkeys(shown[term] for _, matched in picks for term in matched)
        digest = hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:16]
        listed = [article for article, _ in picks[:BUNDLE_LIST]]
        texts = alert_message(listed, lang, zone, terms=list(terms), sentences=sentences)
        if len(picks) > BUNDLE_LIST:
            rest = len(picks) - BUNDLE_LIST
            texts = split_messages([*texts, t(lang, "digest.more", count=rest, term=[*terms][0])])
        return outgoing(f"alert:{chat.chat_id}:bundle:{digest}", texts, ids)
    messages = []
    for article, matched in picks:
        texts = alert_message(
            [article], lang, zone, terms=[shown[term] for term in matched], sentences=sentences
        )
        more = {"text": t(lang, "button.more"), "callback_data": encode("article", id=article.id)}
        keyboard = {"inline_keyboard": [[more]]}
        messages += outgoing(f"alert:{chat.chat_id}:{article.id}", texts, (article.id,), keyboard)
    return messages


def plan_alerts(db: Database, *, after_seq: int, now: datetime) -> tuple[list[Outgoing], int]:
    """The alerts owed for articles with a seq above `after_seq`, and the new cursor.

    Chats get alerts when they are active, not paused, have instant alerts on, and follow
    the term with instant alerts; mutes win over subscriptions.
    """
    up_to = db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
    articles = _new_articles(db, after_seq, up_to, now) if up_to > after_seq else []
    if not articles:
        return [], max(up_to, after_seq)
    chats = {chat.chat_id: chat for chat in active_chats(db) if chat.instant and not chat.paused}
    mutes = all_mutes(db)
    index = TermIndex(articles)
    by_id = {article.id: article for article in articles}
    matched: dict[int, tuple[dict[str, list[str]], dict[str, str]]] = {}
    for chat_id, subscriptions in all_subscriptions(db).items():
        followed: list[Subscription] = [s for s in subscriptions if s.instant]
        if chat_id not in chats or not followed:
            continue
        found = index.matches_for([s.term for s in followed], mutes.get(chat_id, ()))
        if found:
            matched[chat_id] = (found, {s.term: s.display for s in followed})
    stories = {by_id[i].story_id for found, _ in matched.values() for i in found}
    alerted = _alerted_stories(db, stories, now - REPEAT_WINDOW)
    messages: list[Outgoing] = []
    for chat_id, (found, shown) in matched.items():
        chat = chats[chat_id]
        picks = _pick_per_story(found, by_id, chat.language, alerted.get(chat_id, set()))
        if picks:
            messages += _messages_for(chat, picks, shown)
    return messages, up_to


def deliver_alerts(db: Database, *, now: datetime) -> int:
    """Plan the alerts for articles new since the cursor, enqueue them and advance the
    cursor, all in one transaction; returns how many outbox rows were added."""
    with write_transaction(db):
        messages, cursor = plan_alerts(db, after_seq=read_cursor(db), now=now)
        added = enqueue_many(db, messages, now=now)
        _write_cursor(db, cursor, now)
    return sum(row is not None for row in added)
