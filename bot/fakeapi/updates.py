"""Updates as Telegram would produce them when users act: the payloads tests inject.

Each function changes the world the way the user's action would (a new chat, a blocked bot,
a migrated group) and queues the update. Misuse by a test (a button that does not exist, a
chat that was never seen) raises ValueError: a real client could not do it.
"""

from __future__ import annotations

import re

from bot.fakeapi.html import utf16_len
from bot.fakeapi.state import JSON, Chat, StoredMessage, User, World, chat_type_for, member_json
from bot.fakeapi.state import now as unix_now

SERVICE_USER_ID = 777000  # Telegram's own account, the sender of service messages
BOT_STATUSES = frozenset({"member", "administrator", "left", "kicked"})

_COMMAND = re.compile(r"(?<!\S)/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?")
_URL = re.compile(r"https?://\S+")


def detected_entities(text: str) -> tuple[JSON, ...]:
    """bot_command and url entities, as Telegram marks them in messages users send."""
    found = [("bot_command", m) for m in _COMMAND.finditer(text)]
    found += [("url", m) for m in _URL.finditer(text)]
    entities = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, m in found
    ]
    return tuple(sorted(entities, key=lambda e: e["offset"]))


def ensure_chat(
    world: World,
    chat_id: int,
    *,
    chat_type: str | None = None,
    title: str | None = None,
    user: User | None = None,
) -> Chat:
    """The chat, created on first sight like Telegram introduces it to a bot."""
    chat = world.chats.get(chat_id)
    if chat is None:
        kind = chat_type or chat_type_for(chat_id)
        chat = Chat(chat_id, kind)
        if kind == "private":
            chat.first_name = user.first_name if user else f"User {chat_id}"
            chat.username = user.username if user else None
        else:
            chat.title = title or f"Group {chat_id}"
        world.chats[chat_id] = chat
    elif chat.migrated_to is not None:
        raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
    return chat


def sender(
    world: World,
    user_id: int,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> User:
    """The user, with whatever a test said about them remembered for later updates."""
    user = world.user(user_id)
    if first_name:
        user.first_name = first_name
    if username:
        user.username = username
    if language_code:
        user.language_code = language_code
    return user


def default_user_id(chat_id: int, user_id: int | None) -> int:
    """Who acts when a test does not say: in a private chat, its user."""
    if user_id is not None:
        return user_id
    if chat_id > 0:
        return chat_id
    raise ValueError("user_id is required for a message in a group")


def message(
    world: World,
    chat: Chat,
    user: User,
    text: str,
    *,
    reply_to: int | None = None,
) -> JSON | None:
    """A user's text message; None when Telegram would not show it to the bot.

    A user who blocked the bot has to restart it to write: Telegram then sends the
    my_chat_member update (kicked -> member) before the message.
    """
    if not chat.is_private and chat.bot_status in ("left", "kicked"):
        return None
    if chat.is_private and chat.blocked:
        my_chat_member(world, chat, "member", user)
    target = world.message(chat, reply_to) if reply_to is not None else None
    if reply_to is not None and target is None:
        raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
    chat.members.add(user.id)
    stored = StoredMessage(
        chat_id=chat.id,
        message_id=chat.take_message_id(),
        sender=user,
        date=unix_now(),
        text=text,
        entities=detected_entities(text),
        source=text,
        reply_to=target,
    )
    chat.messages[stored.message_id] = stored
    if not chat.is_private and world.privacy_mode and not _seen_in_privacy_mode(world, stored):
        return None
    return world.updates.push("message", world.message_json(stored))


def _seen_in_privacy_mode(world: World, stored: StoredMessage) -> bool:
    """A bot in privacy mode sees commands for it, replies to it and mentions of it."""
    if stored.reply_to is not None and stored.reply_to.from_bot:
        return True
    mention = f"@{world.bot.username}".lower()
    if mention in stored.text.lower():
        return True
    command = stored.text.split(maxsplit=1)[0] if stored.text.startswith("/") else ""
    _, _, addressee = command.partition("@")
    return bool(command) and addressee.lower() in ("", mention[1:])


def callback_query(world: World, chat_id: int, message_id: int, data: str, user: User) -> JSON:
    """A press on an inline button of a bot message; the button must exist."""
    chat = world.chats.get(chat_id)
    pressed = world.message(chat, message_id) if chat else None
    if pressed is None:
        raise ValueError(f"no message {message_id} in chat {chat_id}")
    if data not in (button.get("callback_data") for button in pressed.buttons()):
        raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
    payload = {
        "id": world.take_query_id("callback_query"),
        "from": user.to_json(),
        "message": world.message_json(pressed),
        "chat_instance": str(chat_id),
        "data": data,
    }
    return world.updates.push("callback_query", payload)


def inline_query(world: World, user: User, query: str, offset: str, chat_type: str | None) -> JSON:
    payload: JSON = {
        "id": world.take_query_id("inline_query"),
        "from": user.to_json(),
        "query": query,
        "offset": offset,
    }
    if chat_type:
        payload["chat_type"] = chat_type
    return world.updates.push("inline_query", payload)


def my_chat_member(world: World, chat: Chat, status: str, by: User) -> JSON:
    """The bot's own membership changed; in a private chat "kicked" means blocked."""
    if status not in BOT_STATUSES:
        raise ValueError(f"status must be one of {sorted(BOT_STATUSES)}")
    if chat.is_private and status not in ("member", "kicked"):
        raise ValueError("in a private chat the bot can only be member or kicked (blocked)")
    old = world.bot_member_status(chat)
    if chat.is_private:
        chat.blocked = status == "kicked"
    else:
        chat.bot_status = status
        chat.members.add(by.id)
    payload = {
        "chat": chat.to_json(),
        "from": by.to_json(),
        "date": unix_now(),
        "old_chat_member": member_json(world.bot, old),
        "new_chat_member": member_json(world.bot, status),
    }
    return world.updates.push("my_chat_member", payload)


def migration(world: World, old_chat_id: int, new_chat_id: int) -> list[JSON]:
    """A group upgraded to a supergroup: the two service messages Telegram sends."""
    old = world.chats.get(old_chat_id)
    if old is None or old.type != "group" or old.migrated_to is not None:
        raise ValueError(f"chat {old_chat_id} is not a known, unmigrated basic group")
    new = Chat(
        new_chat_id,
        "supergroup",
        title=old.title,
        bot_status=old.bot_status,
        creator=old.creator,
        admins=set(old.admins),
        members=set(old.members),
    )
    world.chats[new_chat_id] = new
    old.migrated_to = new_chat_id
    service = sender(world, SERVICE_USER_ID, first_name="Telegram").to_json()
    return [
        world.updates.push(
            "message",
            {
                "message_id": chat.take_message_id(),
                "date": unix_now(),
                "chat": chat.to_json(),
                "from": service,
                key: other,
            },
        )
        for chat, key, other in (
            (old, "migrate_to_chat_id", new_chat_id),
            (new, "migrate_from_chat_id", old_chat_id),
        )
    ]
