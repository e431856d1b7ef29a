"""`newsgist run` (the bot on Telegram) and `newsgist chat` (the same bot in a terminal).

`add_commands(subparsers)` adds both to the `newsgist` command line. Everything can also be
set through the environment or `.env` (see `newsgist.settings`); options win over both.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

from telegram.error import InvalidToken

from newsgist.settings import Settings, SettingsError, install_redaction, load_settings

log = logging.getLogger(__name__)

# The updates the handlers use, asked for by name: Telegram otherwise remembers whatever
# list an earlier run (or another program with the token) asked for.
ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "inline_query", "my_chat_member"]
_QUIET_LOGGERS = ("httpx", "apscheduler")  # a line per request or job run, even at INFO


def configure_logging(settings: Settings, *, verbose: bool = False) -> None:
    """Log at the configured level, never showing the token, with the chatty libraries
    (a line per HTTP request or job run) held to warnings unless `verbose` (-v) asks to
    see them."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else max(level, logging.WARNING))
    if settings.token is not None:
        install_redaction(settings.token)


def run(settings: Settings, *, webhook: bool = False, verbose: bool = False) -> int:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook when asked for (or
    when NEWSGIST_WEBHOOK_URL is set). Updates that came while it was down are handled."""
    from bot.app import build_application
    from bot.jobs import source_specs
    from storage.db import open_db

    configure_logging(settings, verbose=verbose)
    if webhook and settings.webhook_url is None:
        raise SettingsError("--webhook needs NEWSGIST_WEBHOOK_URL (the public https address)")
    if len(source_specs(settings)) < len(settings.sources):
        raise SettingsError("NEWSGIST_SOURCES: fix or remove the sources named above")
    if not settings.sources:
        log.warning("no sources configured (NEWSGIST_SOURCES or --source): nothing to watch")
    db = open_db(settings.db_path)
    try:
        application = build_application(settings, db)
        log.info(
            "newsgist is starting: database %s, %d source(s), scanning every %d minute(s)",
            settings.db_path, len(settings.sources), settings.poll_interval,
        )  # fmt: skip
        if webhook or settings.webhook:
            secret = settings.webhook_secret.get() if settings.webhook_secret else None
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except InvalidToken:  # PTB's message quotes the token, and a traceback skips the redaction
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN: Telegram rejected the token (revoked, or mistyped); "
            "get the current one from @BotFather"
        ) from None
    finally:
        db.close()
    log.info("newsgist stopped")
    return 0


def chat(
    settings: Settings, *, db_path: Path | None = None, script: Path | None = None,
    language: str = "zh-TW",
) -> int:  # fmt: skip
    """`newsgist chat`: see `bot.terminal`."""
    from bot.terminal import chat as terminal_chat

    if script is None:
        return terminal_chat(settings, db_path=db_path, language_code=language)
    with script.open(encoding="utf-8") as lines:
        return terminal_chat(settings, db_path=db_path, script=lines, language_code=language)


def _settings(args: argparse.Namespace, *, require_token: bool) -> Settings:
    overrides = {
        "db_path": getattr(args, "db", None),
        "sources": tuple(args.source) or None,
        "poll_interval": getattr(args, "poll_interval", None),
        "admins": getattr(args, "admins", None),
        "timezone": getattr(args, "timezone", None),
    }
    return load_settings(overrides=overrides, require_token=require_token)


def _fail(error: SettingsError) -> int:
    print(f"newsgist: {error}", file=sys.stderr)
    return 2


def _run(args: argparse.Namespace) -> int:
    try:
        return run(_settings(args, require_token=True), webhook=args.webhook, verbose=args.verbose)
    except SettingsError as error:
        return _fail(error)


def _chat(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args, require_token=False)
    except SettingsError as error:
        return _fail(error)
    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    db_path = Path(args.db).expanduser() if args.db else None
    return chat(settings, db_path=db_path, script=args.script, language=args.language)


def _source_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", action="append", default=[], metavar="PATH_OR_URL",
        help="a folder of posts, a git repository or a feed (repeatable; NEWSGIST_SOURCES)",
    )  # fmt: skip


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `run` and `chat` to the `newsgist` command's subparsers."""
    run_parser = commands.add_parser("run", help="run the Telegram bot")
    _source_option(run_parser)
    run_parser.add_argument("--db", help="database file (NEWSGIST_DB)")
    run_parser.add_argument(
        "--poll-interval", type=int, metavar="MINUTES",
        help="minutes between two scans of the sources (NEWSGIST_POLL_INTERVAL, 5)",
    )  # fmt: skip
    run_parser.add_argument(
        "--admins", metavar="IDS", help="Telegram user ids allowed /stats (NEWSGIST_ADMINS)"
    )
    run_parser.add_argument(
        "--timezone", metavar="ZONE", help="default time zone for new chats (NEWSGIST_TIMEZONE)"
    )
    run_parser.add_argument(
        "--webhook", action="store_true",
        help="receive updates on a webhook (NEWSGIST_WEBHOOK_URL, _LISTEN, _PORT, _SECRET) "
        "instead of long polling",
    )  # fmt: skip
    run_parser.set_defaults(func=_run)

    chat_parser = commands.add_parser(
        "chat", help="talk to the bot in this terminal, no Telegram token needed"
    )
    _source_option(chat_parser)
    chat_parser.add_argument(
        "--db", help="database file to use (default: a fresh one; not one a running bot uses)"
    )
    chat_parser.add_argument(
        "--script", type=Path, metavar="FILE",
        help="read the lines to send from FILE and exit at its end (also when stdin is piped)",
    )  # fmt: skip
    chat_parser.add_argument(
        "--language", default="zh-TW", metavar="CODE",
        help="your Telegram language: zh-TW, zh-CN or en (default zh-TW)",
    )  # fmt: skip
    chat_parser.set_defaults(func=_chat)
