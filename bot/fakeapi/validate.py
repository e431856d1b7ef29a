"""The checks Telegram makes on what a bot sends, with Telegram's own error wording.

Each function returns the accepted value or raises `ApiError` (400 Bad Request).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.fakeapi.exceptions import HtmlParseError, bad_request
from bot.fakeapi.html import FormattedText, parse_html, strip_formatted, utf16_len

MAX_TEXT_LENGTH = 4096  # UTF-16 code units of visible text
MAX_CALLBACK_DATA = 64  # bytes
MAX_BUTTONS = 100
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
MAX_NEXT_OFFSET = 64  # bytes
MAX_ALERT_TEXT = 200  # characters of answerCallbackQuery text
MAX_COMMANDS = 100

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "web_app",
    "login_url",
    "pay",
    "callback_game",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


def message_text(text: Any, parse_mode: Any, entities: Any = None) -> FormattedText:
    """Visible text and entities of a message text, refused like sendMessage refuses it.

    Markdown modes are not parsed: their text is counted as sent.
    """
    if not isinstance(text, str) or not text:
        raise bad_request("message text is empty")
    mode = parse_mode.lower() if isinstance(parse_mode, str) and parse_mode else None
    if mode == "html":
        try:
            formatted = parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in (None, "markdown", "markdownv2"):
        formatted = strip_formatted(text, tuple(entities or ()))
    else:
        raise bad_request("unsupported parse_mode")
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return formatted


def reply_markup(markup: Any) -> dict[str, Any] | None:
    """An inline keyboard (checked button by button) or another keyboard (taken as is)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not any(action in button for action in _BUTTON_ACTIONS):
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        check_url(button["url"])


def check_url(url: Any) -> None:
    """Buttons may open http(s) pages and tg:// links only."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts and (parts.scheme == "tg" or (parts.scheme in ("http", "https") and parts.hostname)):
        return
    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def inline_results(results: Any, next_offset: Any) -> list[dict[str, Any]]:
    """answerInlineQuery results: at most 50, ids of 1-64 bytes and unique, texts valid."""
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_RESULT_ID:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content") or {}
        if "message_text" in content:
            message_text(
                content["message_text"], content.get("parse_mode"), content.get("entities")
            )
        reply_markup(result.get("reply_markup"))
    if isinstance(next_offset, str) and len(next_offset.encode()) > MAX_NEXT_OFFSET:
        raise bad_request("NEXT_OFFSET_INVALID")
    return results


def bot_commands(commands: Any) -> list[dict[str, str]]:
    """setMyCommands: at most 100 commands of lowercase letters, digits and underscores."""
    if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """Where a command list is stored: (canonical scope JSON, language code or "")."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type")
    language = language_code or ""
    if language and not _LANGUAGE.fullmatch(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


def alert_text(text: Any) -> None:
    if isinstance(text, str) and len(text) > MAX_ALERT_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
