"""Settings from the environment, a `.env` file and command-line overrides.

`load_settings()` is called by `main()`, never at import time, so importing newsgist never
reads a file or fails for want of a token. The bot token only ever lives in a `Secret`, and
`RedactTokenFilter` keeps it out of logs (httpx logs request URLs, which contain it).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from storage.chats import parse_clock, parse_timezone
from storage.db import DB_FILENAME, default_db_path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

TOKEN_HELP = (
    "No Telegram bot token was found.\n"
    "To get one: open Telegram, start a chat with @BotFather, send /newbot and answer its two "
    "questions (a display name and a username ending in 'bot'). It replies with a token such "
    "as 123456789:AAE... .\n"
    "Put it in a file named .env in this folder:\n"
    "    TELEGRAM_BOT_TOKEN=123456789:AAE...\n"
    "(or export TELEGRAM_BOT_TOKEN in your shell), then run the command again.\n"
    "To try newsgist without any token, run `newsgist chat`: it talks to a local fake Telegram "
    "in your terminal."
)

_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which one and how to fix it."""


@dataclass(frozen=True)
class Secret:
    """A string that never shows itself in repr, str, f-strings or tracebacks."""

    _value: str = field(repr=False)

    def get(self) -> str:
        """The real value, for the one place that needs it (the Telegram client)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Everything the command line, the ingest loop and the bot are configured with."""

    token: Secret | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    data_dir: Path = field(default_factory=lambda: default_db_path().parent)
    db_path: Path | None = None  # None: data_dir / "newsgist.db"
    sources: tuple[str, ...] = ()
    admins: frozenset[int] = frozenset()
    timezone: str = "UTC"
    poll_interval: int = 5  # minutes between two scans of the sources
    digest_time: str = "08:00"  # default for new chats, in their own time zone
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret | None = None
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "data_dir", Path(self.data_dir).expanduser())
        set_(self, "db_path", Path(self.db_path or self.data_dir / DB_FILENAME).expanduser())
        set_(self, "sources", tuple(self.sources))
        set_(self, "admins", frozenset(self.admins))
        set_(self, "log_level", str(self.log_level).upper())
        for name, parse in (("timezone", parse_timezone), ("digest_time", parse_clock)):
            try:
                set_(self, name, parse(getattr(self, name)))
            except ValueError as error:
                raise SettingsError(f"{_ENV_NAMES[name]}: {error}") from None
        _check(self)

    @property
    def webhook(self) -> bool:
        """Run with a webhook (True) or with long polling (False)."""
        return self.webhook_url is not None


def _check(settings: Settings) -> None:
    """Refuse values the bot could only fail on later, naming the variable to fix."""
    for name, value in (
        ("api_base_url", settings.api_base_url),
        ("webhook_url", settings.webhook_url),
    ):
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise SettingsError(f"{_ENV_NAMES[name]}: {value!r} is not an http(s) URL")
    if settings.poll_interval < 1:
        raise SettingsError(
            f"NEWSGIST_POLL_INTERVAL: {settings.poll_interval!r} must be at least 1 (minutes)"
        )
    if not 0 < settings.webhook_port < 65536:
        raise SettingsError(f"NEWSGIST_WEBHOOK_PORT: {settings.webhook_port!r} is not a port")
    if settings.log_level not in _LOG_LEVELS:
        raise SettingsError(
            f"NEWSGIST_LOG_LEVEL: {settings.log_level!r} is not one of {', '.join(_LOG_LEVELS)}"
        )
    if any(admin <= 0 for admin in settings.admins):
        raise SettingsError("NEWSGIST_ADMINS: Telegram user ids are positive numbers")
    secret = settings.webhook_secret
    if secret is not None and not _WEBHOOK_SECRET_SHAPE.fullmatch(secret.get()):
        raise SettingsError(
            "NEWSGIST_WEBHOOK_SECRET: use 1-256 characters A-Z, a-z, 0-9, '_' or '-' "
            "(Telegram's rule for secret_token)"
        )


def _token(raw: str) -> Secret:
    token = raw.strip().strip("'\"")
    if not _TOKEN_SHAPE.fullmatch(token):
        # Never echo the value: it may be a real token with a typo in it.
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters, "
            "digits, '-' or '_', as @BotFather gives it). Check for spaces or a missing part."
        )
    return Secret(token)


def _sources(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,\n]", raw) if part.strip())


def _admins(raw: str) -> frozenset[int]:
    admins = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if not part.isdigit():
            raise SettingsError(
                f"NEWSGIST_ADMINS: {part!r} is not a numeric Telegram user id "
                "(use the number, not the @username)"
            )
        admins.add(int(part))
    return frozenset(admins)


def _integer(name: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            return int(raw.strip())
        except ValueError:
            raise SettingsError(f"{name}: {raw!r} is not a whole number") from None

    return parse


# Settings field -> (environment variable, parser of its text).
_PARSERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "token": ("TELEGRAM_BOT_TOKEN", _token),
    "api_base_url": ("TELEGRAM_API_BASE_URL", str.strip),
    "data_dir": ("NEWSGIST_DATA_DIR", Path),
    "db_path": ("NEWSGIST_DB", Path),
    "sources": ("NEWSGIST_SOURCES", _sources),
    "admins": ("NEWSGIST_ADMINS", _admins),
    "timezone": ("NEWSGIST_TIMEZONE", str.strip),
    "poll_interval": ("NEWSGIST_POLL_INTERVAL", _integer("NEWSGIST_POLL_INTERVAL")),
    "digest_time": ("NEWSGIST_DIGEST_TIME", str.strip),
    "webhook_url": ("NEWSGIST_WEBHOOK_URL", str.strip),
    "webhook_listen": ("NEWSGIST_WEBHOOK_LISTEN", str.strip),
    "webhook_port": ("NEWSGIST_WEBHOOK_PORT", _integer("NEWSGIST_WEBHOOK_PORT")),
    "webhook_secret": ("NEWSGIST_WEBHOOK_SECRET", lambda raw: Secret(raw.strip())),
    "log_level": ("NEWSGIST_LOG_LEVEL", str.strip),
}
_ENV_NAMES = {name: env_name for name, (env_name, _) in _PARSERS.items()}
ENV_VARIABLES: tuple[str, ...] = tuple(_ENV_NAMES.values())


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    dotenv: Path | None = Path(".env"),
    overrides: Mapping[str, Any] | None = None,
    require_token: bool = True,
) -> Settings:
    """Settings from `.env`, then the environment, then `overrides` (each wins over the last).

    An empty variable counts as unset. `XDG_DATA_HOME` (for the default data folder) is
    read from the process environment, as every XDG program does.

    `overrides` are keyed by `Settings` field name (the command line's --db, --source ...);
    a string value is parsed like the environment variable, any other value is used as is,
    and None means "not given". Raises `SettingsError` with a fix-it message.
    """
    env = os.environ if env is None else env
    layers = [dotenv_values(dotenv) if dotenv is not None and dotenv.is_file() else {}, env]
    merged = {k: v for layer in layers for k, v in layer.items() if v and v.strip()}

    values: dict[str, Any] = {}
    for name, (env_name, parse) in _PARSERS.items():
        if env_name in merged:
            values[name] = parse(merged[env_name])
    for name, value in (overrides or {}).items():
        if name not in _PARSERS:
            raise SettingsError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = _PARSERS[name][1](value) if isinstance(value, str) else value
    if require_token and values.get("token") is None:
        raise SettingsError(TOKEN_HELP)
    return Settings(**values)


def redact(text: str, token: Secret | str | None) -> str:
    """`text` with the token replaced by ***.

    The part after the colon is the secret; scrubbing it alone too catches the token in
    any other spelling (a URL-quoted colon, a log line that split it).
    """
    value = token.get() if isinstance(token, Secret) else token
    if not value:
        return text
    for needle in (value, value.partition(":")[2]):
        if needle:
            text = text.replace(needle, "***")
    return text


class RedactTokenFilter(logging.Filter):
    """Scrub the bot token from every record passing a handler (message, args, traceback).

    Install it on handlers, not loggers: a logger's filters skip records that propagate up
    from child loggers such as "httpx", a handler's filters see them all.
    """

    def __init__(self, token: Secret | str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad %-args: still never let the token through
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self._token), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._token)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._token)
        return True


def install_redaction(
    token: Secret | str, handlers: Iterable[logging.Handler] | None = None
) -> RedactTokenFilter:
    """Add one `RedactTokenFilter` to `handlers` (default: the root logger's handlers).

    Call it after logging is configured; a handler added later needs `addFilter` itself.
    """
    redactor = RedactTokenFilter(token)
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.addFilter(redactor)
    return redactor
