"""Every handler of the bot, and `register`, which adds them to an Application.

Handlers are `async def verb(update, context)`; `COMMAND_HANDLERS` names each command's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext

from . import (
    admin,
    buttons,
    errors,
    guards,
    inline,
    links,
    lookup,
    members,
    settings,
    start_help,
    subscriptions,
)

Handler = Callable[[Update, BotContext], Awaitable[None]]

COMMAND_HANDLERS: dict[str, Handler] = {
    "start": start_help.start,
    "help": start_help.help_command,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "mute": subscriptions.mute,
    "unmute": subscriptions.unmute,
    "list": subscriptions.list_command,
    "settings": settings.settings,
    "search": lookup.search_command,
    "latest": lookup.latest,
    "article": lookup.article,
    "tags": lookup.tags,
    "language": settings.language,
    "stats": admin.stats,
}

# New messages in chats and channels; an edited command is not run again.
_NEW_POSTS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST


def register(application: Application) -> None:
    """Add every handler and the error handler to `application`."""
    application.add_handler(TypeHandler(Update, guards.throttle), group=-1)
    for name, callback in COMMAND_HANDLERS.items():
        application.add_handler(CommandHandler(name, callback, filters=_NEW_POSTS))
    application.add_handler(MessageHandler(filters.COMMAND & _NEW_POSTS, start_help.unknown))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, members.migrated))
    application.add_handler(MessageHandler(filters.TEXT & _NEW_POSTS, links.on_text))
    application.add_handler(CallbackQueryHandler(buttons.on_button))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_handler(
        ChatMemberHandler(members.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(errors.on_error)
