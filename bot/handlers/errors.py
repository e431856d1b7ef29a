"""The one error handler: log what went wrong (token scrubbed) and tell the user to retry."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.context import BotContext
from bot.i18n import language_for, t
from bot.render import plain
from newsgist.settings import redact
from storage import chats

log = logging.getLogger(__name__)


def _language(update: Update, context: BotContext) -> str:
    chat = chats.get_chat(context.db, update.effective_chat.id) if update.effective_chat else None
    if chat is not None:
        return chat.language
    user = update.effective_user
    return language_for(user.language_code if user else None)


async def on_error(update: object, context: BotContext) -> None:
    """Log an unexpected error with the token redacted; answer "something went wrong"."""
    error = context.error
    trace = "".join(traceback.format_exception(error)) if error else "no exception"
    where = f"update {update.update_id}" if isinstance(update, Update) else "the bot"
    level = logging.WARNING if isinstance(error, NetworkError) else logging.ERROR
    log.log(level, "%s failed: %s", where, redact(trace, context.settings.token))
    if not isinstance(update, Update):
        return
    text = t(_language(update, context), "error.generic")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(text), show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as failed:
        log.warning(
            "could not tell %s about the error: %s",
            where,
            redact(str(failed), context.settings.token),
        )
