"""Request parameters: one typed form whatever the encoding.

PTB posts form fields whose non-string values are JSON-encoded ("123", "true",
'{"inline_keyboard": ...}'); other clients post a JSON body. Telegram accepts both, so the
fake turns either into the same dict before any method sees it, and records that dict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.fakeapi.exceptions import bad_request

Params = dict[str, Any]

JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "button",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "menu_button",
        "reply_markup",
        "reply_parameters",
        "results",
        "scope",
    }
)
INT_FIELDS = frozenset(
    {
        "cache_time",
        "chat_id",
        "limit",
        "message_id",
        "message_thread_id",
        "offset",
        "reply_to_message_id",
        "timeout",
        "user_id",
    }
)
BOOL_FIELDS = frozenset(
    {
        "allow_sending_without_reply",
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "is_personal",
        "protect_content",
        "show_alert",
    }
)


def normalise(raw: Mapping[str, Any]) -> Params:
    """Decode JSON fields, integers and booleans; leave everything else as sent."""
    return {name: _convert(name, value) for name, value in raw.items()}


def _convert(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None
    if name in INT_FIELDS:
        if name == "chat_id" and value.startswith("@"):
            return value
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if name in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value
