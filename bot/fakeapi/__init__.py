"""A fake Telegram Bot API server for tests and for `newsgist chat`.

Runs the real python-telegram-bot `Application` against a local HTTP server that behaves
like Telegram where bot bugs hide: HTML parsing, length limits, button data, flood control,
blocked users, migrated groups, long polling offsets. See `FakeTelegram`.
"""

from bot.fakeapi.exceptions import ApiError, FakeApiError, HtmlParseError
from bot.fakeapi.flood import FloodLimits
from bot.fakeapi.html import FormattedText, parse_html, utf16_len
from bot.fakeapi.server import FakeTelegram
from bot.fakeapi.state import Call, Chat, StoredMessage, User

__all__ = [
    "ApiError",
    "Call",
    "Chat",
    "FakeApiError",
    "FakeTelegram",
    "FloodLimits",
    "FormattedText",
    "HtmlParseError",
    "StoredMessage",
    "User",
    "parse_html",
    "utf16_len",
]
