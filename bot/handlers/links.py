"""Plain messages: a typed setting, a pasted link (summed up on the spot), or a hint.

A link to a stored article is answered from the database. Any other page is fetched with
`sources.linkfetch` (which refuses private addresses), cleaned and summarised by the real
pipeline in a worker thread, and shown, never stored. The fetch runs as its own task, so
a slow site never holds up other users' updates.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from bs4 import UnicodeDammit
from telegram import Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType

from bot.context import BotContext
from bot.i18n import t
from bot.render import LIMIT, article_detail, utf16_len
from sources.jekyll import parse_date_text
from sources.linkfetch import MAX_BYTES, FetchedPage, LinkFetchError
from sources.post import Post
from storage.articles import find_by_url
from storage.chats import Chat
from summariser.article import Article
from summariser.exceptions import SummariserError
from summariser.pipeline import SummaryOptions, build_article

from .common import chat_of, reply
from .settings import take_typed

log = logging.getLogger(__name__)

_TITLE_PATHS = (
    "//meta[@property='og:title']/@content",
    "//meta[@name='twitter:title']/@content",
    "//title/text()",
    "//h1//text()",
)
_TIME_PATHS = (
    "//meta[@property='article:published_time']/@content",
    "//time/@datetime",
)


def first_link(message: Message) -> str | None:
    """The first http(s) link of a message, typed or behind linked text."""
    for entity in message.entities or ():
        if entity.type == MessageEntity.URL:
            url = message.parse_entity(entity)
        elif entity.type == MessageEntity.TEXT_LINK:
            url = entity.url or ""
        else:
            continue
        if urlsplit(url).scheme.lower() in ("http", "https"):
            return url
    return None


def _first(root: lxml.html.HtmlElement, paths: tuple[str, ...]) -> str | None:
    for path in paths:
        for value in root.xpath(path):
            text = " ".join(str(value).split())
            if text:
                return text
    return None


def page_article(page: FetchedPage, now: datetime, sentences: int) -> Article:
    """Clean and summarise a fetched page as an unstored Article.

    Raises `SummariserError` (EmptyArticleError) when no article text is found.
    """
    known = [page.charset] if page.charset else []
    markup = UnicodeDammit(page.body, known_definite_encodings=known, is_html=True).unicode_markup
    root = lxml.html.document_fromstring(markup or "<html></html>")
    host = urlsplit(page.url).hostname or "web"
    title = _first(root, _TITLE_PATHS) or host
    for heading in root.xpath("//h1"):  # the headline is not article text
        if " ".join(heading.text_content().split()) == title:
            heading.drop_tree()
    post = Post(
        source=host,
        path=page.url,
        title=title,
        published=parse_date_text(_first(root, _TIME_PATHS) or "") or now,
        body=lxml.html.tostring(root, encoding="unicode"),
        body_format="html",
        url=page.url,
    )
    return build_article(post, SummaryOptions(max_sentences=sentences))


async def summarise_link(update: Update, context: BotContext, chat: Chat, url: str) -> None:
    """Fetch, summarise and show one page that is not in the database."""
    lang = chat.language
    await context.bot.send_chat_action(chat.chat_id, ChatAction.TYPING)
    try:
        page = await context.deps.fetch_link(url, context.http)
    except LinkFetchError as error:
        log.info("link not summarised: %s", error)
        limit = f"{MAX_BYTES // 1_000_000} MB"
        await reply(update, t(lang, error.reason, limit=limit))
        return
    stored = find_by_url(context.db, page.url)
    if stored is not None:
        await reply(update, article_detail(stored, lang, chat.zone))
        return
    try:
        article = await asyncio.to_thread(
            page_article, page, context.clock.now(), chat.summary_sentences
        )
    except SummariserError as error:
        log.info("no article at %s: %s", page.url, error)
        await reply(update, t(lang, "link.failed"))
        return
    note = t(lang, "link.unstored_note")
    detail = article_detail(article, lang, chat.zone, limit=LIMIT - utf16_len(note) - 2)
    await reply(update, f"{detail}\n\n{note}")


async def on_text(update: Update, context: BotContext) -> None:
    """A message that is not a command: a typed setting, a link to sum up, or a hint."""
    chat = await chat_of(update, context)
    if await take_typed(update, context, chat):
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return  # group chatter is not for us
    url = first_link(update.effective_message)
    if url is None:
        await reply(update, t(chat.language, "text.hint"))
        return
    stored = find_by_url(context.db, url)
    if stored is not None:
        await reply(update, article_detail(stored, chat.language, chat.zone))
        return
    context.application.create_task(summarise_link(update, context, chat, url), update=update)
