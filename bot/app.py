"""The one factory that builds the bot: `build_application(settings, db)`.

Dependencies (database, settings, clock, HTTP client) go into `application.bot_data` as one
`bot.context.Deps`; handlers read them through `BotContext`. Messages default to HTML with
link previews off.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlite_utils import Database
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock, SystemClock
from bot.context import BotContext, Deps, deps_of, install_deps
from bot.handlers import register
from bot.handlers.common import MENU_LANGUAGES, bot_commands
from bot.handlers.guards import Guards
from newsgist.settings import Settings
from sources.linkfetch import fetch_page

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def file_base_url(api_base_url: str) -> str:
    """Telegram's file URL beside its API URL ("https://host/bot" -> "https://host/file/bot")."""
    return api_base_url.removesuffix("/bot") + "/file/bot"


async def set_menus(application: Application) -> None:
    """Register the command menu: English by default and for "en", Simplified for "zh".

    Telegram scopes menus by two-letter language code only, so one "zh" menu serves both
    scripts; a Traditional-Chinese private chat gets its own menu on first contact and on
    /language (see `bot.handlers.common.set_chat_menu`).
    """
    for code, lang in MENU_LANGUAGES.items():
        try:
            await application.bot.set_my_commands(bot_commands(lang), language_code=code or None)
        except TelegramError as error:
            log.warning("could not set the %s command menu: %s", code or "default", error)


async def _close_own_client(application: Application) -> None:
    await deps_of(application).http.aclose()


def build_application(
    settings: Settings,
    db: Database,
    *,
    clock: Clock | None = None,
    http_client: httpx.AsyncClient | None = None,
    install_jobs: bool = True,
) -> Application:
    """The bot, every handler registered; `install_jobs` also schedules `bot.jobs`.

    An `http_client` given is the caller's to close; without one the bot opens its own
    (for pasted links) and closes it on shutdown.
    """
    if settings.token is None:
        raise ValueError("build_application needs settings with a bot token")
    clock = clock or SystemClock()
    builder = (
        ApplicationBuilder()
        .token(settings.token.get())
        .base_url(settings.api_base_url)
        .base_file_url(file_base_url(settings.api_base_url))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .context_types(ContextTypes(context=BotContext))
        .post_init(set_menus)
    )
    if http_client is None:
        http_client = httpx.AsyncClient(timeout=HTTP_TIMEOUT)
        builder = builder.post_shutdown(_close_own_client)
    application = builder.build()
    install_deps(
        application,
        Deps(
            db=db,
            settings=settings,
            clock=clock,
            http=http_client,
            fetch_link=fetch_page,
            guards=Guards.for_clock(clock),
        ),
    )
    register(application)
    if install_jobs:
        from bot.jobs import install_jobs as schedule  # sources, sender: only when asked

        schedule(application)
    return application


@asynccontextmanager
async def polling(application: Application, *, timeout: int = 1) -> AsyncIterator[Application]:
    """The bot initialised, its menus set, started and long-polling, as `run_polling` has it,
    and stopped on the way out: for `newsgist chat`, the tests and the benchmarks, which
    need the event loop themselves while the bot runs."""
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=timeout)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
