"""Inline mode: "@bot query" in any chat lists matching stories to share, page by page."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.context import BotContext
from bot.i18n import language_for
from bot.matching import clean_term
from bot.render import article_item
from storage import articles, chats
from storage.records import StoredArticle
from storage.search import search

PAGE_SIZE = 20  # Telegram takes at most 50 results per answer
MAX_QUERY = 200
MAX_OFFSET = 1000
CACHE_SECONDS = 30


def _offset(text: str) -> int:
    """The offset Telegram echoes back from our `next_offset`; anything else is 0."""
    return int(text) if text.isdigit() and int(text) <= MAX_OFFSET else 0


def _short(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _result(article: StoredArticle, lang: str, zone: tzinfo) -> InlineQueryResultArticle:
    description = _short(article.summary[0], 120) if article.summary else article.source
    return InlineQueryResultArticle(
        id=article.id,  # 16 hex digits, well inside Telegram's 64 bytes
        title=_short(article.title, 100),
        description=description,
        url=article.url,
        input_message_content=InputTextMessageContent(article_item(article, lang, zone)),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """Answer "@bot words" with matching stories (the newest ones for an empty query)."""
    inline = update.inline_query
    user = inline.from_user
    chat = chats.get_chat(context.db, user.id)
    lang = chat.language if chat else language_for(user.language_code)
    zone = chat.zone if chat else ZoneInfo(context.settings.timezone)
    query = clean_term(inline.query)[:MAX_QUERY]
    offset = _offset(inline.offset)
    if query:
        page = search(context.db, query, limit=PAGE_SIZE, offset=offset, now=context.clock.now())
        found = [hit.article for hit in page.hits]
        more = page.has_more and offset + PAGE_SIZE <= MAX_OFFSET
    else:
        found = articles.latest_articles(context.db, None, limit=PAGE_SIZE) if offset == 0 else []
        more = False
    await inline.answer(
        [_result(article, lang, zone) for article in found],
        # None, not "": PTB would send an empty string as "[]", a bogus offset
        next_offset=str(offset + PAGE_SIZE) if more else None,
        cache_time=CACHE_SECONDS,
        is_personal=True,
    )
