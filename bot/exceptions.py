"""The errors the bot package raises; handlers turn them into a localised reply."""

from __future__ import annotations


class BotError(Exception):
    """Base of every error raised by the bot package."""


class TermError(BotError, ValueError):
    """A subscription or mute term cannot be used.

    `reason` is an i18n key (for example "term.too_long") so the handler can answer in the
    chat's language; `term` is what the user typed.
    """

    def __init__(self, term: str, reason: str) -> None:
        super().__init__(f"{term!r}: {reason}")
        self.term = term
        self.reason = reason


class StaleCallback(BotError):
    """Button data that no button of this bot version carries (expired, or forged)."""

    def __init__(self, data: str | None) -> None:
        super().__init__(f"unknown callback data {data!r}")
        self.data = data
