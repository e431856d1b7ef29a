"""/stats for the bot's admins (named in the settings); to anyone else it does not exist.

The counts are read straight from the tables: they are the bot's own bookkeeping, shown to
its operators, and no other code needs them.
"""

from __future__ import annotations

from datetime import tzinfo

from telegram import Update

from bot.context import BotContext
from bot.i18n import t
from newsgist.settings import redact
from sources.spec import redact as redact_userinfo
from storage import outbox, sources
from storage.articles import count_articles
from storage.chats import Chat

from .common import chat_of, clip, private_only, reply


def _scalar(context: BotContext, sql: str) -> int:
    return context.db.execute(sql).fetchone()[0]


def _source_lines(context: BotContext, lang: str, zone: tzinfo) -> list[str]:
    lines = [t(lang, "stats.sources")]
    known = sources.list_sources(context.db)
    if not known:
        return [*lines, t(lang, "stats.no_sources")]
    for source in known:
        when = (
            f"{source.last_scan_at.astimezone(zone):%m-%d %H:%M}"
            if source.last_scan_at
            else t(lang, "stats.never")
        )
        if source.last_error:
            error = clip(redact_userinfo(source.last_error), 120)
            lines.append(t(lang, "stats.source_error", name=source.name, when=when, error=error))
        else:
            lines.append(t(lang, "stats.source_ok", name=source.name, when=when, new=source.new))
    return lines


def stats_text(context: BotContext, chat: Chat) -> str:
    lang = chat.language
    now = context.clock.now()
    lines = [
        t(lang, "stats.header"),
        t(
            lang,
            "stats.chats",
            users=_scalar(context, "SELECT count(*) FROM chats WHERE type = 'private'"),
            groups=_scalar(context, "SELECT count(*) FROM chats WHERE type != 'private'"),
            active=_scalar(context, "SELECT count(*) FROM chats WHERE active = 1"),
        ),
        t(
            lang,
            "stats.subscriptions",
            subscriptions=_scalar(context, "SELECT count(*) FROM subscriptions"),
            terms=_scalar(context, "SELECT count(DISTINCT term) FROM subscriptions"),
            mutes=_scalar(context, "SELECT count(*) FROM mutes"),
        ),
        t(
            lang,
            "stats.articles",
            articles=count_articles(context.db),
            failures=sources.count_failures(context.db),
        ),
        t(
            lang,
            "stats.outbox",
            today=outbox.sent_today(context.db, now, chat.zone),
            pending=outbox.pending_count(context.db),
            failed=outbox.failed_count(context.db),
        ),
        "",
        *_source_lines(context, lang, chat.zone),
    ]
    return redact("\n".join(lines), context.settings.token)


async def stats(update: Update, context: BotContext) -> None:
    """Users, subscriptions, articles, sources and deliveries, for the bot's admins only."""
    chat = await chat_of(update, context)
    user = update.effective_user
    if user is None or user.id not in context.settings.admins:
        await reply(update, t(chat.language, "error.unknown_command"))
        return
    if await private_only(update, chat):
        await reply(update, stats_text(context, chat))
