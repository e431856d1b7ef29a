"""What the fake Telegram remembers: users, chats, messages, pending updates, recorded calls.

Plain dataclasses that render themselves as Bot API JSON. Every rule about who may write
where lives here too, so the methods and the update injectors agree on it.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi.exceptions import ApiError, bad_request, forbidden
from bot.fakeapi.flood import FloodControl

JSON = dict[str, Any]

# Telegram's default for allowed_updates: everything but these three.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def now() -> int:
    """Unix time as Telegram stamps messages."""
    return int(time.time())


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


def member_json(user: User, status: str) -> JSON:
    """A ChatMember object with every field PTB requires for `status`."""
    data: JSON = {"status": status, "user": user.to_json()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(can_be_edited=False, is_anonymous=False)
        data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        data["until_date"] = 0
    return data


def chat_type_for(chat_id: int) -> str:
    """Telegram's id ranges: users positive, supergroups and channels -100…, groups negative."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


@dataclass
class StoredMessage:
    """A message in a chat, as it stands now (edits and deletions update it in place).

    `text` is what the user sees; `source` is the text as the bot sent it (HTML included).
    """

    chat_id: int
    message_id: int
    sender: User
    date: int
    text: str
    entities: tuple[JSON, ...] = ()
    source: str = ""
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    bot_status: str = "member"  # member | administrator | left | kicked
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    creator: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def take_message_id(self) -> int:
        """Message ids count up per chat, shared by the bot's and the users' messages."""
        return next(self._message_ids)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.username:
            data["username"] = self.username
        if self.first_name:
            data["first_name"] = self.first_name
        return data

    def full_json(self) -> JSON:
        """ChatFullInfo, as getChat answers."""
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **self.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    def access_error(self) -> ApiError | None:
        """Why the bot may not act in this chat at all, if it may not."""
        if self.migrated_to is not None:
            return bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated_to},
            )
        if self.is_private:
            if self.deactivated:
                return forbidden("user is deactivated")
            if self.blocked:
                return forbidden("bot was blocked by the user")
            return None
        if self.bot_status == "kicked":
            return forbidden(f"bot was kicked from the {self.type} chat")
        if self.bot_status == "left":
            return forbidden(f"bot is not a member of the {self.type} chat")
        return None

    def status_of(self, user_id: int) -> str:
        if user_id == self.creator:
            return "creator"
        if user_id in self.admins:
            return "administrator"
        return "member" if user_id in self.members or self.id == user_id else "left"


@dataclass
class UpdateQueue:
    """Updates not yet confirmed by a getUpdates offset, and the allowed_updates in force."""

    pending: list[JSON] = field(default_factory=list)
    allowed: frozenset[str] | None = None  # None: Telegram's default set
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def push(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": next(self._ids), kind: payload}
        self.pending.append(update)
        return update

    def confirm(self, offset: int) -> None:
        """Forget confirmed updates: ids below `offset`, or all but the last -offset."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def set_allowed(self, kinds: list[str]) -> None:
        self.allowed = frozenset(kinds) if kinds else None

    def is_allowed(self, update: JSON) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self.allowed

    def take(self, limit: int) -> list[JSON]:
        """Up to `limit` deliverable updates; updates of types not allowed are dropped."""
        self.pending = [u for u in self.pending if self.is_allowed(u)]
        return self.pending[:limit]


@dataclass
class World:
    """Everything the server knows; methods and injectors both act on it."""

    bot: User
    flood: FloodControl | None
    privacy_mode: bool = True
    chats: dict[int, Chat] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    sent: list[StoredMessage] = field(default_factory=list)
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    webhook_url: str = ""
    open_queries: dict[str, str] = field(default_factory=dict)  # unanswered id -> kind
    _query_ids: itertools.count = field(default_factory=lambda: itertools.count(4_000_000_001))

    def take_query_id(self, kind: str) -> str:
        """A new callback or inline query id, open until the bot answers it."""
        query_id = str(next(self._query_ids))
        self.open_queries[query_id] = kind
        return query_id

    def answer_query(self, query_id: Any, kind: str) -> None:
        """Close an open query; Telegram refuses unknown and already answered ones."""
        if self.open_queries.get(query_id) != kind:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        del self.open_queries[query_id]

    def chat(self, chat_id: int | str | None) -> Chat:
        """The chat by id or @username, as far as the bot may know it."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            found = [c for c in self.chats.values() if f"@{c.username}" == chat_id]
            if found:
                return found[0]
        elif chat_id in self.chats:
            return self.chats[chat_id]
        raise bad_request("chat not found")

    def writable_chat(self, chat_id: int | str | None) -> Chat:
        """The chat, or the error Telegram gives when the bot may not post there."""
        chat = self.chat(chat_id)
        error = chat.access_error()
        if error:
            raise error
        return chat

    def readable_chat(self, chat_id: int | str | None) -> Chat:
        """Like `writable_chat`, but a user who blocked the bot can still be looked up."""
        chat = self.chat(chat_id)
        error = chat.access_error()
        if error and not chat.is_private:
            raise error
        return chat

    def user(self, user_id: int) -> User:
        if user_id == self.bot.id:
            return self.bot
        if user_id not in self.users:
            self.users[user_id] = User(user_id, f"User {user_id}")
        return self.users[user_id]

    def message(self, chat: Chat, message_id: int | None) -> StoredMessage | None:
        message = chat.messages.get(message_id) if message_id is not None else None
        return None if message is None or message.deleted else message

    def message_json(self, message: StoredMessage, *, with_reply: bool = True) -> JSON:
        data: JSON = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chats[message.chat_id].to_json(),
            "from": message.sender.to_json(),
            "text": message.text,
        }
        if message.entities:
            data["entities"] = list(message.entities)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to is not None:
            data["reply_to_message"] = self.message_json(message.reply_to, with_reply=False)
        return data

    def bot_member_status(self, chat: Chat) -> str:
        """The bot's own ChatMember status; a user who blocked the bot shows it as kicked."""
        if chat.is_private:
            return "kicked" if chat.blocked else "member"
        return chat.bot_status


@dataclass(frozen=True)
class Call:
    """One request the bot made, as answered: what tests assert on."""

    index: int  # position in the call log
    method: str  # canonical Bot API name, e.g. "sendMessage"
    params: dict[str, Any]  # decoded: ints, booleans and JSON fields (reply_markup) parsed
    at: float  # Unix time of the answer
    status: int  # HTTP status answered
    response: JSON  # the JSON body answered

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def error(self) -> str | None:
        """Telegram's description of the failure, e.g. "Forbidden: bot was blocked by the user"."""
        return self.response.get("description")

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")
