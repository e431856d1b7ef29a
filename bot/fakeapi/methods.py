"""Bot API methods: each takes the world and the request parameters, returns the result.

A method either returns the `result` of a successful answer or raises `ApiError`. getUpdates
is not here: it waits, so the server implements it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.fakeapi import validate
from bot.fakeapi.exceptions import ApiError, bad_request
from bot.fakeapi.params import Params
from bot.fakeapi.state import JSON, StoredMessage, World, member_json, now

Method = Callable[[World, Params], Any]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def get_me(world: World, p: Params) -> JSON:
    return {
        **world.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def accept(world: World, p: Params) -> bool:
    """close and logOut: nothing to do for a fake, but Telegram answers true."""
    return True


def set_webhook(world: World, p: Params) -> bool:
    url = p.get("url") or ""
    if url and urlsplit(url).scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    world.webhook_url = url
    if "allowed_updates" in p:
        world.updates.set_allowed(p["allowed_updates"])
    if p.get("drop_pending_updates"):
        world.updates.pending.clear()
    return True


def delete_webhook(world: World, p: Params) -> bool:
    world.webhook_url = ""
    if p.get("drop_pending_updates"):
        world.updates.pending.clear()
    return True


def get_webhook_info(world: World, p: Params) -> JSON:
    info: JSON = {
        "url": world.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }
    if world.updates.allowed is not None:
        info["allowed_updates"] = sorted(world.updates.allowed)
    return info


def set_my_commands(world: World, p: Params) -> bool:
    commands = validate.bot_commands(p.get("commands"))
    world.commands[validate.commands_key(p.get("scope"), p.get("language_code"))] = commands
    return True


def get_my_commands(world: World, p: Params) -> list[JSON]:
    return world.commands.get(validate.commands_key(p.get("scope"), p.get("language_code")), [])


def delete_my_commands(world: World, p: Params) -> bool:
    world.commands.pop(validate.commands_key(p.get("scope"), p.get("language_code")), None)
    return True


def send_message(world: World, p: Params) -> JSON:
    chat = world.writable_chat(p.get("chat_id"))
    formatted = validate.message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = validate.reply_markup(p.get("reply_markup"))
    reply_to = _reply_target(world, p)
    if world.flood is not None:
        retry_after = world.flood.admit(chat.id, group=not chat.is_private)
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
    message = StoredMessage(
        chat_id=chat.id,
        message_id=chat.take_message_id(),
        sender=world.bot,
        date=now(),
        text=formatted.text,
        entities=formatted.entities,
        source=p["text"],
        parse_mode=p.get("parse_mode"),
        reply_markup=markup,
        reply_to=reply_to,
    )
    chat.messages[message.message_id] = message
    world.sent.append(message)
    return world.message_json(message)


def _reply_target(world: World, p: Params) -> StoredMessage | None:
    """The message replied to; Telegram refuses a missing one unless told to go ahead."""
    reply = p.get("reply_parameters") or {}
    message_id = reply.get("message_id", p.get("reply_to_message_id"))
    if message_id is None:
        return None
    chat = world.chat(reply.get("chat_id", p.get("chat_id")))
    target = world.message(chat, message_id)
    go_ahead = reply.get("allow_sending_without_reply", p.get("allow_sending_without_reply"))
    if target is None and not go_ahead:
        raise bad_request("message to be replied not found")
    return target


def _own_message(world: World, p: Params) -> StoredMessage:
    """The bot message an edit names, or Telegram's refusal."""
    chat = world.writable_chat(p.get("chat_id"))
    message = world.message(chat, p.get("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def edit_message_text(world: World, p: Params) -> JSON | bool:
    """Without reply_markup the edit removes the keyboard, as on Telegram."""
    formatted = validate.message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = validate.reply_markup(p.get("reply_markup"))
    if "inline_message_id" in p:
        return True
    message = _own_message(world, p)
    before = (message.text, message.entities, message.reply_markup)
    if before == (formatted.text, formatted.entities, markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities, message.reply_markup = (
        formatted.text,
        formatted.entities,
        markup,
    )
    message.source, message.parse_mode = p["text"], p.get("parse_mode")
    message.edit_date = now()
    return world.message_json(message)


def edit_message_reply_markup(world: World, p: Params) -> JSON | bool:
    markup = validate.reply_markup(p.get("reply_markup"))
    if "inline_message_id" in p:
        return True
    message = _own_message(world, p)
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = markup
    message.edit_date = now()
    return world.message_json(message)


def delete_message(world: World, p: Params) -> bool:
    """Bots delete their own messages anywhere, others' only in private chats or as admin."""
    chat = world.writable_chat(p.get("chat_id"))
    message = world.message(chat, p.get("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    if not (message.from_bot or chat.is_private or chat.bot_status == "administrator"):
        raise bad_request("message can't be deleted")
    message.deleted = True
    return True


def answer_callback_query(world: World, p: Params) -> bool:
    validate.alert_text(p.get("text"))
    if p.get("url"):
        validate.check_url(p["url"])
    world.answer_query(p.get("callback_query_id"), "callback_query")
    return True


def answer_inline_query(world: World, p: Params) -> bool:
    validate.inline_results(p.get("results"), p.get("next_offset"))
    world.answer_query(p.get("inline_query_id"), "inline_query")
    return True


def send_chat_action(world: World, p: Params) -> bool:
    world.writable_chat(p.get("chat_id"))
    if p.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def get_chat(world: World, p: Params) -> JSON:
    return world.readable_chat(p.get("chat_id")).full_json()


def get_chat_member(world: World, p: Params) -> JSON:
    chat = world.readable_chat(p.get("chat_id"))
    user_id = p.get("user_id")
    if not isinstance(user_id, int):
        raise bad_request("user_id is empty")
    if user_id == world.bot.id:
        return member_json(world.bot, world.bot_member_status(chat))
    return member_json(world.user(user_id), chat.status_of(user_id))


def get_chat_administrators(world: World, p: Params) -> list[JSON]:
    chat = world.readable_chat(p.get("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    admins = [member_json(world.user(chat.creator), "creator")] if chat.creator else []
    admins += [
        member_json(world.user(uid), "administrator")
        for uid in sorted(chat.admins - {chat.creator})
    ]
    if chat.bot_status == "administrator":
        admins.append(member_json(world.bot, "administrator"))
    return admins


def leave_chat(world: World, p: Params) -> bool:
    chat = world.readable_chat(p.get("chat_id"))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    return True


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "logOut": accept,
    "close": accept,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "leaveChat": leave_chat,
}
