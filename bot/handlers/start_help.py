"""/start (with its `sub_<tag>` deep link), /help and the answer to unknown commands."""

from __future__ import annotations

import base64
import binascii

from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.i18n import help_text, t
from storage import subscriptions

from .common import argument, chat_of, reply
from .subscriptions import add_terms

DEEP_LINK = "sub_"
DEEP_LINK_B64 = "sub_b64_"


def deep_link_term(payload: str) -> str | None:
    """The term of a `/start` payload: `sub_<tag>` or `sub_b64_<base64url of UTF-8>`.

    None when the payload is not a subscription link or does not decode.
    """
    if payload.startswith(DEEP_LINK_B64):
        encoded = payload[len(DEEP_LINK_B64) :]
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            term = base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        return term or None
    if payload.startswith(DEEP_LINK) and len(payload) > len(DEEP_LINK):
        return payload[len(DEEP_LINK) :]
    return None


async def start(update: Update, context: BotContext) -> None:
    """Welcome (back), reactivate the chat, and follow the deep link's topic if there is one."""
    known_before = subscriptions.list_subscriptions(context.db, update.effective_chat.id)
    chat = await chat_of(update, context, reactivate=True)
    payload = argument(update)
    term = deep_link_term(payload) if payload else None
    if term is not None:
        await add_terms(update, context, chat, term, mute=False)
        return
    key = "start.welcome_back" if known_before else "start.welcome"
    await reply(update, t(chat.language, key))


async def help_command(update: Update, context: BotContext) -> None:
    """Every command and how to use it; admins also see theirs."""
    chat = await chat_of(update, context)
    user = update.effective_user
    admin = user is not None and user.id in context.settings.admins
    await reply(update, help_text(chat.language, admin=admin))


def _addressed_to_us(update: Update, bot_username: str) -> bool:
    """In groups a bare /command may be for another bot; answer only /command@us there."""
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0] if message else ""
    _, at, target = word.partition("@")
    if at:
        return target.lower() == bot_username.lower()
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def unknown(update: Update, context: BotContext) -> None:
    """A command this bot does not have: point to /help (in groups only if meant for us)."""
    if not _addressed_to_us(update, context.bot.username):
        return
    chat = await chat_of(update, context)
    await reply(update, t(chat.language, "error.unknown_command"))
