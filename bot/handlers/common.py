"""What most handlers do first: find the chat (creating it on first contact), read the
command's argument, check group permissions, and answer in HTML.

Message texts are HTML (the Application's `Defaults` set parse mode and switch link
previews off), built only from escaped values, and split below 4096 characters.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.i18n import language_for, menu, t
from bot.matching import clean_term
from bot.render import LIMIT, plain, shorten
from storage import chats
from storage.chats import Chat

log = logging.getLogger(__name__)

GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})

# The default command menu is English; Telegram scopes menus by two-letter language code
# only, so "zh" gets one script: Simplified, as `language_for("zh")` also answers.
# Traditional-Chinese private chats get their own menu (`set_chat_menu`).
MENU_LANGUAGES = {"": "en", "en": "en", "zh": "zh-Hans"}


def bot_commands(lang: str) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menu(lang)]


async def set_chat_menu(context: BotContext, chat_id: int, lang: str) -> None:
    """Give one private chat the command menu in its own language (best effort)."""
    try:
        await context.bot.set_my_commands(bot_commands(lang), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.warning("could not set the command menu of chat %s: %s", chat_id, error)


async def chat_of(update: Update, context: BotContext, *, reactivate: bool = False) -> Chat:
    """The chat this update came from, created on first contact in the sender's language.

    `reactivate` (a /start, the bot added back) makes an inactive chat active again.
    """
    tg_chat = update.effective_chat
    assert tg_chat is not None
    db = context.db
    title = None if tg_chat.type == ChatType.PRIVATE else tg_chat.title
    known = chats.get_chat(db, tg_chat.id)
    if (
        known is not None
        and (known.type, known.title) == (tg_chat.type, title)
        and (known.active or not reactivate)
    ):
        return known
    user = update.effective_user
    lang = language_for(user.language_code if user else None)
    chat = chats.ensure_chat(
        db,
        tg_chat.id,
        type=tg_chat.type,
        title=title,
        language=lang,
        timezone=context.settings.timezone,
        digest_time=context.settings.digest_time,
        now=context.clock.now(),
        reactivate=reactivate,
    )
    if known is None and tg_chat.type == ChatType.PRIVATE and lang == "zh-Hant":
        await set_chat_menu(context, tg_chat.id, lang)  # the "zh" menu is Simplified
    return chat


def argument(update: Update) -> str:
    """The text after the command word ("/subscribe@bot  a, b" -> "a, b"), as typed."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 and parts[0].startswith("/") else ""


def clip(text: str, limit: int = 40) -> str:
    """A user's input made fit for echoing back: no control or direction marks, short."""
    text = clean_term(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def reply(
    update: Update,
    texts: str | list[str],
    *,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer in the chat of `update`, one message per text (each cut to Telegram's limit),
    with the keyboard under the last one.
    """
    message = update.effective_message
    assert message is not None
    parts = [texts] if isinstance(texts, str) else texts
    for index, text in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_text(shorten(text, LIMIT), reply_markup=keyboard if last else None)


async def notify(update: Update, text: str) -> None:
    """A short answer: a pop-up for a button press, a message otherwise."""
    if update.callback_query is not None:
        await update.callback_query.answer(plain(text), show_alert=len(plain(text)) > 60)
    else:
        await reply(update, text)


async def redraw(
    update: Update, text: str | None = None, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the message whose button was pressed: its text and keyboard, or (no `text`)
    only its keyboard. An edit that changes nothing (a double press) is not an error.
    """
    query = update.callback_query
    assert query is not None
    try:
        if text is None:
            await query.edit_message_reply_markup(keyboard)
        else:
            await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def may_change(update: Update, context: BotContext, chat: Chat) -> bool:
    """May the sender change this chat's topics and settings? If not, say so politely.

    Private chats and channels (only admins post there): yes. Groups: admins only,
    including an admin posting anonymously as the group.
    """
    tg_chat = update.effective_chat
    assert tg_chat is not None
    if tg_chat.type not in GROUP_TYPES:
        return True
    sender_chat = update.message.sender_chat if update.message else None
    if sender_chat is not None and sender_chat.id == tg_chat.id:
        return True
    user = update.effective_user
    if user is not None and await context.deps.guards.admins.is_admin(
        context.bot, tg_chat.id, user.id
    ):
        return True
    await notify(update, t(chat.language, "error.group_admin_only"))
    return False


async def private_only(update: Update, chat: Chat) -> bool:
    """True in a private chat; elsewhere says the command works only there."""
    tg_chat = update.effective_chat
    if tg_chat is not None and tg_chat.type == ChatType.PRIVATE:
        return True
    await reply(update, t(chat.language, "error.private_only"))
    return False
