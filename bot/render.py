"""Messages in Telegram HTML: articles, alerts, digests, lists and search results.

Every text from outside (titles, summaries, terms, URLs) is escaped here, and only tags
Telegram supports are written. Telegram refuses a message longer than 4096 characters
(counted in UTF-16 units after the markup is parsed); we count the raw HTML instead, which
is never shorter, and split long messages between items, never inside one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.i18n import LANGUAGE_NAMES, Markup, escape, join_words, t, term_list
from bot.script import all_for_reader, for_reader
from storage.chats import Chat
from storage.search import SearchPage
from storage.subscriptions import Mute, Subscription
from summariser.article import Article

LIMIT = 4096
ELLIPSIS = "…"
_SEPARATOR = "\n\n"
_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z0-9-]+)[^>]*>")
_NO_CUT_BEFORE = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _text_cut(run: str, room: int) -> str:
    """The longest start of plain `run` within `room` UTF-16 units, ending at a clean spot.

    Never splits an emoji sequence or a letter from its accent, and prefers a word boundary
    when one is near.
    """
    end, used = 0, 0
    for char in run:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            break
        end += 1
    while 0 < end < len(run) and (
        run[end] in _NO_CUT_BEFORE or run[end - 1] == "\u200d" or unicodedata.combining(run[end])
    ):
        end -= 1
    space = run.rfind(" ", 0, end)
    if end < len(run) and space > 0 and end - space < 30:
        end = space
    return run[:end].rstrip()


def shorten(html_text: str, limit: int) -> str:
    """Cut HTML to at most `limit` UTF-16 units, adding "…" and closing the open tags.

    Cuts only in plain text: never inside a tag, an entity (&amp;) or a surrogate pair.
    """
    if utf16_len(html_text) <= limit:
        return html_text
    out: list[str] = []
    open_tags: list[str] = []
    used = 0

    def closing(tags: list[str]) -> int:
        return sum(len(name) + 3 for name in tags)

    for token in _TOKEN.findall(html_text):
        cost = utf16_len(token)
        tag = _TAG.fullmatch(token)
        if tag and tag.group(1):  # an end tag: its room was kept all along
            if open_tags:
                open_tags.pop()
            out.append(token)
            used += cost
            continue
        if tag:
            name = tag.group(2).lower()
            if used + cost + 1 + closing([*open_tags, name]) > limit:
                break
            open_tags.append(name)
        else:
            room = limit - used - 1 - closing(open_tags)
            if cost > room:
                if not token.startswith("&"):
                    out.append(_text_cut(token, room))
                break
        out.append(token)
        used += cost
    tail = ELLIPSIS + "".join(f"</{name}>" for name in reversed(open_tags))
    return "".join(out).rstrip() + tail if utf16_len(tail) <= limit else ""


def split_messages(
    items: Sequence[str], *, header: str = "", limit: int = LIMIT, separator: str = _SEPARATOR
) -> list[str]:
    """Join items into as few messages as fit in `limit`, breaking only between items.

    `header` opens the first message. An item too long for a message of its own is
    shortened (see `shorten`). No items: no messages.
    """
    messages: list[str] = []
    current = shorten(header, limit // 2) if header else ""
    has_items = False
    for item in items:
        if has_items or current:
            joined = current + separator + item
            if utf16_len(joined) <= limit:
                current, has_items = joined, True
                continue
        if has_items:
            messages.append(current)
            current = ""
        prefix = current + separator if current else ""
        current, has_items = prefix + shorten(item, limit - utf16_len(prefix)), True
    if has_items:
        messages.append(current)
    return messages


def _link(url: str | None, text: Markup) -> Markup:
    """`text` linked to `url`, or plain when there is no http(s) URL to link to."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return text
    return Markup(f'<a href="{escape(url)}">{text}</a>')


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _summary(article: Article, sentences: int | None) -> Markup:
    """Summary sentences as one paragraph (Chinese sentences need no space between them)."""
    chosen = article.summary if sentences is None else article.summary[:sentences]
    glue = "" if article.lang.startswith("zh") else " "
    return escape(glue.join(_one_line(sentence) for sentence in chosen))


def _title(article: Article) -> Markup:
    return Markup(f"<b>{_link(article.url, escape(_one_line(article.title)))}</b>")


def _meta(article: Article, tz: tzinfo, time_format: str) -> str:
    """Source and publication time in the reader's time zone."""
    return f"{escape(article.source)} · {article.published.astimezone(tz).strftime(time_format)}"


def article_item(
    article: Article,
    lang: str,
    tz: tzinfo,
    *,
    with_summary: bool = True,
    also_from: Sequence[str] = (),
    sentences: int | None = None,
) -> str:
    """A story in a list: linked title, source and local time, then the summary.

    The summary comes last so that shortening an over-long item cuts the summary first.
    `also_from` names the other sources that carried the same story.
    """
    body = item_body(article, with_summary=with_summary, sentences=sentences)
    return item_from(body, item_meta(article, lang, tz, also_from))


class ItemBody(NamedTuple):
    """The parts of an item (see `article_item`) that do not depend on the reader's
    language or time zone, so a digest renders them once for all its readers."""

    title: str
    summary: str | None  # None: no summary line


def item_body(
    article: Article, *, with_summary: bool = True, sentences: int | None = None
) -> ItemBody:
    summary = _summary(article, sentences) if with_summary and article.summary else None
    return ItemBody(_title(article), summary)


def item_meta(article: Article, lang: str, tz: tzinfo, also_from: Sequence[str] = ()) -> str:
    """An item's source line: the source, the local time and the other sources."""
    return with_also_from(item_source(article, tz), lang, also_from)


def item_source(article: Article, tz: tzinfo) -> str:
    """The start of an item's source line, the same in every language."""
    return _meta(article, tz, "%m-%d %H:%M")


def with_also_from(source: str, lang: str, also_from: Sequence[str]) -> str:
    """An item's source line from its start (`item_source`)."""
    if also_from:
        return f"{source} · {t(lang, 'item.also_from', sources=join_words(lang, also_from))}"
    return source


def item_from(body: ItemBody, meta: str) -> str:
    """`article_item` from its parts."""
    lines = [body.title, f"<i>{meta}</i>"]
    if body.summary is not None:
        lines.append(body.summary)
    return "\n".join(lines)


def article_detail(article: Article, lang: str, tz: tzinfo, *, limit: int = LIMIT) -> str:
    """The /article reply: full summary, keywords, tags and the link; summary cut to fit."""
    head = f"{_title(article)}\n<i>{_meta(article, tz, '%Y-%m-%d %H:%M')}</i>\n"
    tail_lines = [""]
    if article.keywords:
        keywords = join_words(lang, all_for_reader(article.keywords, lang))
        tail_lines.append(t(lang, "item.keywords", words=keywords))
    if article.tags:
        tail_lines.append(
            t(lang, "item.tags", words=join_words(lang, all_for_reader(article.tags, lang)))
        )
    if article.url:
        tail_lines.append(_link(article.url, t(lang, "item.read")))
    tail = "\n".join(tail_lines)
    summary = f"<blockquote>{_summary(article, None)}</blockquote>" if article.summary else ""
    room = limit - utf16_len(head) - utf16_len(tail)
    if room >= 100:
        return head + shorten(summary, room) + tail
    return shorten(head + summary + tail, limit)


def alert_message(
    articles: Sequence[Article],
    lang: str,
    tz: tzinfo,
    *,
    terms: Sequence[str] = (),
    sentences: int | None = None,
) -> list[str]:
    """An alert for one new story (with its summary) or a bundle of several (one line each).

    `terms` are the display forms of the subscriptions the stories matched.
    """
    if not articles:
        return []
    count = len(articles)
    if count == 1:
        header = t(lang, "alert.one", terms=term_list(lang, terms)) if terms else ""
        items = [article_item(articles[0], lang, tz, sentences=sentences)]
    else:
        key, values = (
            ("alert.many", {"terms": term_list(lang, terms)}) if terms else ("alert.new", {})
        )
        header = t(lang, key, count=count, **values)
        items = [article_item(a, lang, tz, sentences=1) for a in articles]
    return split_messages(items, header=header)


@dataclass(frozen=True)
class DigestEntry:
    """A story in a digest, with the other sources that carried it (near-duplicates)."""

    article: Article
    also_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestGroup:
    """The stories of one subscription; `title` is the term as the user typed it."""

    title: str
    entries: tuple[DigestEntry, ...]


def digest_messages(
    groups: Sequence[DigestGroup],
    lang: str,
    tz: tzinfo,
    *,
    cap: int,
    sentences: int | None = None,
) -> list[str]:
    """The daily digest: a header, then each subscription's stories (at most `cap` each).

    A group's heading travels with its first story so it never ends a message alone.
    """
    count = len({entry.article.id for group in groups for entry in group.entries})
    items: list[str] = []
    for group in groups:
        shown = group.entries[:cap]
        for index, entry in enumerate(shown):
            item = article_item(
                entry.article, lang, tz, also_from=entry.also_from, sentences=sentences
            )
            items.append(f"🔹 <b>{escape(group.title)}</b>\n{item}" if index == 0 else item)
        if len(group.entries) > len(shown):
            rest = len(group.entries) - len(shown)
            items.append(t(lang, "digest.more", count=rest, term=group.title))
    return split_messages(items, header=t(lang, "digest.header", count=count))


def subscriptions_list(
    subscriptions: Sequence[Subscription], mutes: Sequence[Mute], lang: str
) -> list[str]:
    """The /list reply: followed topics (🔕 when digest-only) and muted words."""
    if not subscriptions and not mutes:
        return [t(lang, "list.empty")]
    lines: list[str] = []
    if subscriptions:
        lines.append(t(lang, "list.subscriptions", count=len(subscriptions)))
        lines += [f"• {escape(s.display)}{'' if s.instant else ' 🔕'}" for s in subscriptions]
        if not all(s.instant for s in subscriptions):
            lines.append(f"<i>{t(lang, 'list.digest_only')}</i>")
    else:
        lines.append(t(lang, "list.empty"))
    if mutes:
        lines.append("\n" + t(lang, "list.mutes", count=len(mutes)))
        lines += [f"• {escape(m.display)}" for m in mutes]
    return split_messages(lines, separator="\n")


def search_results(page: SearchPage, lang: str, tz: tzinfo, *, limit: int = LIMIT) -> str:
    """One page of results as one message (so "next page" can edit it in place).

    Each hit shows the passage where the words were found rather than the summary.
    """
    if not page.hits:
        return t(lang, "search.nothing", query=page.query)
    header = t(lang, "search.header", query=page.query, count=page.total)
    pages = -(-page.total // page.limit)
    if pages > 1:
        header += " · " + t(lang, "search.page", page=page.offset // page.limit + 1, pages=pages)
    items = [
        article_item(hit.article, lang, tz, with_summary=False) + f"\n{escape(hit.snippet)}"
        for hit in page.hits
    ]
    share = (limit - utf16_len(header)) // len(items) - utf16_len(_SEPARATOR)
    return _SEPARATOR.join([header, *(shorten(item, share) for item in items)])


def trending_tags(tags: Sequence[tuple[str, int]], lang: str) -> str:
    """The /tags reply: tags with how many stories carried them, as many as fit one message."""
    if not tags:
        return t(lang, "tags.nothing")
    lines = [
        f"{rank}. <b>{escape(for_reader(tag, lang))}</b> · {count}"
        for rank, (tag, count) in enumerate(tags, 1)
    ]
    return split_messages(lines, header=t(lang, "tags.header"), separator="\n")[0]


def settings_text(chat: Chat) -> str:
    """The /settings screen for a chat, in its language."""
    lang = chat.language
    return t(
        lang,
        "settings.screen",
        time=chat.digest_time,
        timezone=chat.timezone,
        language=LANGUAGE_NAMES[lang],
        sentences=t(lang, "settings.sentences", count=chat.summary_sentences),
        instant=t(lang, "settings.on" if chat.instant else "settings.off"),
        status=t(lang, "settings.paused" if chat.paused else "settings.active"),
    )


def plain(text: str, limit: int = 200) -> str:
    """HTML text as plain text, for places without markup (button answers, result titles)."""
    flat = html.unescape(_TAG.sub("", text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
