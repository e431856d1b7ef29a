"""/search (paged with buttons), /latest, /article, /tags and the buttons that open a story.

Any text is a valid query: storage.search treats FTS syntax as words, and queries and terms
are echoed back escaped.
"""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from bot import callbacks
from bot.context import BotContext, deps_of
from bot.i18n import t, usage_error
from bot.matching import MAX_TERM_LENGTH, clean_term
from bot.render import (
    article_detail,
    article_item,
    plain,
    search_results,
    split_messages,
    trending_tags,
)
from storage import articles
from storage.chats import Chat
from storage.search import SearchPage, search
from storage.trending import TrendingCache

from .common import argument, chat_of, notify, redraw, reply

PAGE_SIZE = 5
MAX_QUERY = 200
MAX_OFFSET = 9999  # callback data keeps offsets to four digits
LATEST_COUNT = 8
TRENDING_WINDOW = timedelta(hours=24)
TRENDING_COUNT = 30
TRENDING_CACHE = "lookup.trending"  # bot_data: the TrendingCache of the bot's connection
LONG_QUERIES = "lookup.queries"  # chat_data: query_ref -> query, for queries too long for a button
LONG_QUERIES_KEPT = 32
_ARTICLE_ID = re.compile(r"[0-9a-f]{16}")


def _story_buttons(ids: list[str]) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(str(n), callback_data=callbacks.encode("article", id=article_id))
        for n, article_id in enumerate(ids, 1)
    ]


def _page_data(context: BotContext, query: str, offset: int) -> str:
    """The button data of a result page; a long query is kept in chat_data and referred to."""
    if callbacks.fits("page", offset=offset, query=query):
        return callbacks.encode("page", offset=offset, query=query)
    ref = callbacks.query_ref(query)
    kept = context.chat_data.setdefault(LONG_QUERIES, {})
    kept.pop(ref, None)
    kept[ref] = query
    while len(kept) > LONG_QUERIES_KEPT:
        del kept[next(iter(kept))]
    return callbacks.encode("page_ref", offset=offset, ref=ref)


def _search_view(
    context: BotContext, chat: Chat, query: str, offset: int
) -> tuple[SearchPage, str, InlineKeyboardMarkup | None]:
    page = search(context.db, query, limit=PAGE_SIZE, offset=offset, now=context.clock.now())
    text = search_results(page, chat.language, chat.zone)
    rows = []
    if page.hits:
        rows.append(_story_buttons([hit.article.id for hit in page.hits]))
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(
                plain(t(chat.language, "button.previous")),
                callback_data=_page_data(context, query, max(offset - PAGE_SIZE, 0)),
            )
        )
    if page.has_more and offset + PAGE_SIZE <= MAX_OFFSET:
        paging.append(
            InlineKeyboardButton(
                plain(t(chat.language, "button.next")),
                callback_data=_page_data(context, query, offset + PAGE_SIZE),
            )
        )
    if paging:
        rows.append(paging)
    return page, text, InlineKeyboardMarkup(rows) if rows else None


async def search_command(update: Update, context: BotContext) -> None:
    """Search every stored story; results come a page at a time with ◀ ▶ buttons."""
    chat = await chat_of(update, context)
    query = clean_term(argument(update))
    if not query:
        await reply(update, usage_error(chat.language, "search"))
        return
    if len(query) > MAX_QUERY:
        await reply(update, t(chat.language, "error.too_long", max=MAX_QUERY))
        return
    _, text, keyboard = _search_view(context, chat, query, 0)
    await reply(update, text, keyboard=keyboard)


async def press_page(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """◀ or ▶ under search results: show that page in the same message."""
    query = fields.get("query") or context.chat_data.get(LONG_QUERIES, {}).get(fields.get("ref"))
    if not query:
        await notify(update, t(chat.language, "error.stale_button"))
        return
    page, text, keyboard = _search_view(context, chat, query, int(fields["offset"]))
    if not page.hits:
        await notify(update, t(chat.language, "error.stale_button"))
        return
    await update.callback_query.answer()
    await redraw(update, text, keyboard)


async def latest(update: Update, context: BotContext) -> None:
    """The newest stories, or the newest about a term: `/latest 台灣`."""
    chat = await chat_of(update, context)
    lang = chat.language
    term = clean_term(argument(update))
    if len(term) > MAX_TERM_LENGTH:
        await reply(update, t(lang, "error.too_long", max=MAX_TERM_LENGTH))
        return
    found = articles.latest_articles(context.db, term or None, limit=LATEST_COUNT)
    if not found:
        await reply(
            update,
            t(lang, "latest.nothing_term", term=term) if term else t(lang, "latest.nothing"),
        )
        return
    header = t(lang, "latest.header_term", term=term) if term else t(lang, "latest.header")
    items = [
        f"{n}. {article_item(a, lang, chat.zone, sentences=1)}" for n, a in enumerate(found, 1)
    ]
    items.append(f"<i>{t(lang, 'latest.more_hint')}</i>")
    keyboard = InlineKeyboardMarkup([_story_buttons([a.id for a in found])])
    await reply(update, split_messages(items, header=header), keyboard=keyboard)


async def _show_article(update: Update, context: BotContext, chat: Chat, article_id: str) -> None:
    article = articles.get_article(context.db, article_id)
    if article is None:
        await notify(update, t(chat.language, "article.not_found"))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    await reply(update, article_detail(article, chat.language, chat.zone))


async def article(update: Update, context: BotContext) -> None:
    """One story in full: summary, keywords, tags and link: `/article <id>`."""
    chat = await chat_of(update, context)
    article_id = argument(update).lower()
    if not _ARTICLE_ID.fullmatch(article_id):
        await reply(update, usage_error(chat.language, "article"))
        return
    await _show_article(update, context, chat, article_id)


async def press_article(
    update: Update, context: BotContext, chat: Chat, fields: dict[str, str]
) -> None:
    """A numbered story button under a list: send that story in full."""
    await _show_article(update, context, chat, fields["id"])


async def tags(update: Update, context: BotContext) -> None:
    """Today's trending tags, with how many stories carried each."""
    # Counting takes tens of milliseconds on a busy day: the counts are kept and brought up
    # to date with the articles that arrived or left the window (`storage.trending`).
    chat = await chat_of(update, context)
    await reply(update, trending_tags(todays_tags(context, TRENDING_COUNT), chat.language))


def todays_tags(context: BotContext, limit: int) -> list[tuple[str, int]]:
    """The `limit` tags of most stories in the last `TRENDING_WINDOW`, with their counts,
    from the one `TrendingCache` of the bot's connection (/tags and /subscribe share it)."""
    return trending_now(context.application, limit)


def trending_now(application: Application, limit: int = TRENDING_COUNT) -> list[tuple[str, int]]:
    """`todays_tags` for the application: the poll job calls it after each scan, so that an
    edited post's full recount is paid there, not by the next person asking for /tags."""
    deps = deps_of(application)
    cache = application.bot_data.get(TRENDING_CACHE)
    if cache is None or cache.db is not deps.db:  # tests may swap the database
        cache = application.bot_data[TRENDING_CACHE] = TrendingCache(deps.db)
    return cache.tags(deps.clock.now() - TRENDING_WINDOW, limit)
