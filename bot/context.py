"""What every handler and job needs, handed in through `application.bot_data`, never globals.

`build_application` puts one `Deps` into `bot_data` and makes `BotContext` the context
type, so a handler reads `context.db`, `context.settings`, `context.clock` and
`context.http` with their real types. Jobs get the same context (`context.deps`).
Tests swap a piece with `install_deps(app, replace(deps_of(app), ...))`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from sqlite_utils import Database
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from newsgist.settings import Settings
from sources.linkfetch import FetchedPage

if TYPE_CHECKING:
    from bot.handlers.guards import Guards

DEPS_KEY = "newsgist.deps"

FetchLink = Callable[[str, httpx.AsyncClient], Awaitable[FetchedPage]]


@dataclass(frozen=True)
class Deps:
    """The bot's services; the mutable caches inside are per process and safe to lose."""

    db: Database
    settings: Settings
    clock: Clock
    http: httpx.AsyncClient
    fetch_link: FetchLink  # sources.linkfetch.fetch_page with its safe defaults
    guards: Guards  # group-admin cache and per-user command limit


def install_deps(application: Application, deps: Deps) -> None:
    application.bot_data[DEPS_KEY] = deps


def deps_of(application: Application) -> Deps:
    """The `Deps` of an application built by `build_application`."""
    return application.bot_data[DEPS_KEY]


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """`CallbackContext` with typed access to the bot's services."""

    @property
    def deps(self) -> Deps:
        return self.bot_data[DEPS_KEY]

    @property
    def db(self) -> Database:
        return self.deps.db

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def clock(self) -> Clock:
        return self.deps.clock

    @property
    def http(self) -> httpx.AsyncClient:
        return self.deps.http
