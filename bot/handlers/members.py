"""The bot's own membership: added to or removed from a group, blocked or unblocked by a
user, and a group upgraded to a supergroup."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.context import BotContext
from bot.i18n import t
from storage import chats

from .common import GROUP_TYPES, chat_of

_PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})
_GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})


async def my_chat_member(update: Update, context: BotContext) -> None:
    """Added to a chat (or unblocked): make it active; removed or blocked: inactive."""
    change = update.my_chat_member
    status = change.new_chat_member.status
    chat_id = change.chat.id
    if status in _GONE:
        chats.set_active(context.db, chat_id, False, reason=f"bot {status}")
        return
    if status not in _PRESENT:
        return
    before = chats.get_chat(context.db, chat_id)
    chat = await chat_of(update, context, reactivate=True)
    if change.chat.type in GROUP_TYPES and (before is None or not before.active):
        await context.bot.send_message(chat_id, t(chat.language, "group.welcome"))


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its settings and topics move to the new id."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    chats.migrate_chat(context.db, old, new)  # the second of the pair finds nothing to move
