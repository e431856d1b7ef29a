"""Every inline-button press: decode the data, check it, and hand it to its action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.callbacks import decode
from bot.context import BotContext
from bot.exceptions import StaleCallback
from bot.i18n import t
from storage.chats import Chat

from . import digest, lookup, settings, subscriptions
from .common import chat_of, notify

Press = Callable[[Update, BotContext, Chat, dict[str, str]], Awaitable[None]]

PRESSES: dict[str, Press] = {
    "subscribe": subscriptions.press_subscribe,
    "unsubscribe": subscriptions.press_unsubscribe,
    "unmute": subscriptions.press_unmute,
    "instant": subscriptions.press_instant,
    "page": lookup.press_page,
    "page_ref": lookup.press_page,
    "article": lookup.press_article,
    "settings": settings.press_settings,
    "digest_more": digest.press_more,
}


async def on_button(update: Update, context: BotContext) -> None:
    """Route a button press; expired or forged data gets a polite pop-up and changes nothing."""
    query = update.callback_query
    if query.message is None or update.effective_chat is None:
        await query.answer()  # a button on an inline-mode message: nothing of ours
        return
    chat = await chat_of(update, context)
    try:
        pressed = decode(query.data)
    except StaleCallback:
        await notify(update, t(chat.language, "error.stale_button"))
        return
    await PRESSES[pressed.action](update, context, chat, pressed.fields)
