"""Errors of the fake Bot API server.

`ApiError` never reaches a caller of `FakeTelegram`: the server turns it into the JSON error
body Telegram would send. `HtmlParseError` is raised by `parse_html` so that code outside the
server (the terminal front end) can reuse the parser.
"""

from __future__ import annotations

from typing import Any


class FakeApiError(Exception):
    """Base class of every error raised by `bot.fakeapi`."""


class HtmlParseError(FakeApiError, ValueError):
    """Text sent with parse_mode HTML that Telegram would refuse to parse."""


class ApiError(FakeApiError):
    """A Bot API method failed; carries the HTTP status and the body Telegram would answer."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON object Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 error, worded like Telegram's ("Bad Request: ...")."""
    return ApiError(400, f"Bad Request: {reason}", parameters)


def forbidden(reason: str) -> ApiError:
    """A 403 error, worded like Telegram's ("Forbidden: ...")."""
    return ApiError(403, f"Forbidden: {reason}")
