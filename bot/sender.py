"""Deliver the outbox: claim due messages, send them, and record what Telegram answered.

A message is marked sent only after Telegram returned it, so a crash or a flood wait never
loses one. Chats are served concurrently, each chat's messages one after another (its order
is kept); the `RateLimiter` paces every send. Telegram's answers mean:

- 429 RetryAfter: wait as told (that chat only, unless it is a global flood), send again;
  not a failure.
- timeouts, network errors, 5xx: a few quick tries with growing pauses, then the message
  waits in the outbox for a later cycle, each time a little longer.
- 403 Forbidden (blocked, deactivated, kicked) and 400 "chat not found" (or no right to
  post): the chat is marked inactive; its messages stay pending and go out when it comes
  back (/start, or the bot being added back).
- 400 with migrate_to_chat_id: the group became a supergroup; the chat, its subscriptions
  and its messages move to the new id, and the message is sent there.
- any other 400: the message can never be sent as it is; it is marked failed, with the
  reason, and logged. It is never retried.

The outbox is the only source of retries: give this module a `Bot` without PTB's own retries
(no `AIORateLimiter`).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.ratelimit import RateLimiter
from storage import chats, outbox
from storage.db import utc_now
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)

Now = Callable[[], datetime]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before a message waits for a later cycle (seconds throughout)."""

    quick_tries: int = 3  # sends per claim when the network or Telegram's servers fail
    quick_pause: float = 0.5  # before the second try; doubled before each next one
    park_pause: float = 30.0  # until the next cycle after the first claim; doubled per claim
    park_max: float = 3600.0
    flood_waits: int = 5  # 429s for one message in one claim before it waits for a cycle
    flood_wait_max: float = 60.0  # a longer retry_after parks the message instead of waiting
    window: int = 100  # messages claimed but not finished, at most
    per_chat: int = 5  # of one chat's messages per claim: a long queue must not fill the window

    def park_delay(self, attempts: int) -> timedelta:
        """Pause before the next cycle for a message claimed `attempts` times."""
        return timedelta(seconds=min(self.park_max, self.park_pause * 2 ** max(attempts - 1, 0)))


@dataclass
class DrainReport:
    """What one drain did; `parked` messages wait in the outbox for a later cycle."""

    claimed: int = 0
    sent: int = 0
    parked: int = 0
    failed: int = 0
    flood_waits: int = 0  # 429 answers received
    deactivated: list[int] = field(default_factory=list)
    migrated: dict[int, int] = field(default_factory=dict)


def retry_seconds(error: RetryAfter) -> float:
    """`retry_after` in seconds, whether PTB gives an int or (PTB_TIMEDELTA) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def send_arguments(payload: dict[str, Any]) -> dict[str, Any]:
    """`Bot.send_message` keyword arguments for an outbox payload."""
    arguments: dict[str, Any] = {
        "text": payload["text"],
        "parse_mode": payload.get("parse_mode", "HTML"),
        "link_preview_options": LinkPreviewOptions(
            is_disabled=bool(payload.get("disable_web_page_preview", True))
        ),
    }
    if payload.get("reply_markup"):
        arguments["reply_markup"] = InlineKeyboardMarkup.de_json(payload["reply_markup"], None)
    return arguments


# 400 answers that are about the chat, not the message: the bot cannot write there for now.
_CHAT_UNREACHABLE = (
    "chat not found",
    "peer_id_invalid",
    "not enough rights to send",
    "have no rights to send",
    "chat_write_forbidden",
)


def _chat_unreachable(error: BadRequest) -> bool:
    description = error.message.lower()
    return any(reason in description for reason in _CHAT_UNREACHABLE)


class _Drain:
    """One drain: the claimed messages, the workers sending them, and the report."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        limiter: RateLimiter,
        now: Now,
        policy: RetryPolicy,
        stop: asyncio.Event | None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.limiter = limiter
        self.now = now
        self.policy = policy
        self.stop = stop or asyncio.Event()
        self.report = DrainReport()
        self.unfinished: set[int] = set()  # claimed ids with no outcome written yet

    def _describe(self, error: BaseException) -> str:
        """The error as text, without the token (network errors may quote the URL)."""
        text = str(error) or type(error).__name__
        return text.replace(self.bot.token, "<token>")

    def _finish(self, item: OutboxItem) -> None:
        self.unfinished.discard(item.id)

    async def run(self, max_items: int | None) -> DrainReport:
        workers: set[asyncio.Task[None]] = set()
        try:
            while True:
                room = self.policy.window - len(self.unfinished)
                if max_items is not None:
                    room = min(room, max_items - self.report.claimed)
                # Claim in handfuls, not per finished message: a claim costs milliseconds.
                refill = not workers or room >= max(1, self.policy.window // 4)
                if room > 0 and refill and not self.stop.is_set():
                    workers |= {
                        asyncio.create_task(self._chat(items)) for items in self._claim(room)
                    }
                if not workers:
                    return self.report
                done, workers = await asyncio.wait(workers, return_when=asyncio.FIRST_COMPLETED)
                for worker in done:
                    worker.result()  # a bug in a worker ends the drain, loudly
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            # Cancelled or failed half-way: what was not tried goes back, nothing stays stuck.
            outbox.release(self.db, self.unfinished)

    def _claim(self, limit: int) -> Iterable[list[OutboxItem]]:
        """Claim up to `limit` messages, grouped by chat in outbox order."""
        items = outbox.claim(self.db, now=self.now(), limit=limit, per_chat=self.policy.per_chat)
        self.report.claimed += len(items)
        self.unfinished.update(item.id for item in items)
        by_chat: dict[int, list[OutboxItem]] = {}
        for item in items:
            by_chat.setdefault(item.chat_id, []).append(item)
        return by_chat.values()

    async def _chat(self, items: list[OutboxItem]) -> None:
        """Send one chat's messages in order; stop at the first that cannot go now."""
        chat_id = items[0].chat_id
        for item in items:
            if self.stop.is_set():
                break
            chat_id, go_on = await self._deliver(item, chat_id)
            if not go_on:
                break
        released = [item for item in items if item.id in self.unfinished]
        outbox.release(self.db, (item.id for item in released))
        for item in released:
            self._finish(item)

    async def _deliver(self, item: OutboxItem, chat_id: int) -> tuple[int, bool]:
        """Send one message until Telegram settles it; returns the chat id (it may have
        migrated) and whether the chat's next messages may follow.
        """
        arguments = send_arguments(item.payload)
        quick_tries = floods = 0
        migrated = False
        while True:
            await self.limiter.acquire(chat_id)
            try:
                message = await self.bot.send_message(chat_id=chat_id, **arguments)
            except RetryAfter as error:
                floods += 1
                seconds = retry_seconds(error)
                self.report.flood_waits += 1
                everyone = self.limiter.flood(chat_id, seconds)
                log.warning(
                    "flood control: chat %s (outbox %s) told to wait %ss%s",
                    chat_id,
                    item.id,
                    seconds,
                    ", holding back every chat" if everyone else "",
                )
                if floods >= self.policy.flood_waits or seconds > self.policy.flood_wait_max:
                    self._park(item, chat_id, self.now() + timedelta(seconds=seconds), error)
                    return chat_id, False
            except ChatMigrated as error:
                if migrated:  # Telegram never moves a chat twice; do not go round forever
                    self._fail(item, chat_id, error)
                    return chat_id, True
                migrated = True
                chat_id = self._migrate(item, chat_id, error.new_chat_id)
            except Forbidden as error:
                self._chat_gone(item, chat_id, error)
                return chat_id, False
            except BadRequest as error:  # before NetworkError, which PTB makes it a kind of
                if _chat_unreachable(error):
                    self._chat_gone(item, chat_id, error)
                    return chat_id, False
                self._fail(item, chat_id, error)
                return chat_id, True
            except NetworkError as error:  # timeouts, connection errors, 5xx
                quick_tries += 1
                if quick_tries >= self.policy.quick_tries:
                    self._park(
                        item, chat_id, self.now() + self.policy.park_delay(item.attempts), error
                    )
                    return chat_id, False
                pause = self.policy.quick_pause * 2 ** (quick_tries - 1)
                log.info(
                    "outbox %s to chat %s: %s; trying again in %ss",
                    item.id,
                    chat_id,
                    self._describe(error),
                    pause,
                )
                await self.limiter.clock.sleep(pause)
            except TelegramError as error:  # unauthorised token, conflict: not this message
                log.error("outbox %s to chat %s: %s", item.id, chat_id, self._describe(error))
                self._park(item, chat_id, self.now() + self.policy.park_delay(item.attempts), error)
                return chat_id, False
            else:
                outbox.mark_sent(self.db, item.id, message.message_id, self.now())
                self._finish(item)
                self.report.sent += 1
                return chat_id, True

    def _park(self, item: OutboxItem, chat_id: int, at: datetime, error: BaseException) -> None:
        """Leave the message for a later cycle; the chat's next messages wait behind it."""
        outbox.retry_later(self.db, item.id, at, self._describe(error))
        self._finish(item)
        self.report.parked += 1
        log.warning(
            "outbox %s to chat %s waits until %s: %s",
            item.id,
            chat_id,
            at.isoformat(timespec="seconds"),
            self._describe(error),
        )

    def _migrate(self, item: OutboxItem, old_id: int, new_id: int) -> int:
        """The group became a supergroup: move the chat, its subscriptions and its messages."""
        chats.migrate_chat(self.db, old_id, new_id)
        self.report.migrated[old_id] = new_id
        log.info("chat %s became supergroup %s; outbox %s follows", old_id, new_id, item.id)
        return new_id

    def _fail(self, item: OutboxItem, chat_id: int, error: BaseException) -> None:
        """Telegram refuses this message for good: record why and move on."""
        reason = self._describe(error)
        outbox.mark_failed(self.db, item.id, reason)
        self._finish(item)
        self.report.failed += 1
        log.error(
            "outbox %s (%s) to chat %s failed for good: %s", item.id, item.kind, chat_id, reason
        )

    def _chat_gone(self, item: OutboxItem, chat_id: int, error: BaseException) -> None:
        """The bot may not write to this chat: it becomes inactive, its messages wait."""
        reason = self._describe(error)
        outbox.retry_later(self.db, item.id, self.now(), reason)
        self._finish(item)
        chats.set_active(self.db, chat_id, False, reason)
        self.report.deactivated.append(chat_id)


async def drain(
    bot: Bot,
    db: Database,
    limiter: RateLimiter,
    *,
    now: Now = utc_now,
    max_items: int | None = None,
    policy: RetryPolicy | None = None,
    stop: asyncio.Event | None = None,
) -> DrainReport:
    """Send every due message (at most `max_items`) and return what happened.

    Returns when nothing due is left or `stop` is set (messages not started by then stay
    pending). Cancelling it also puts unstarted messages back.
    """
    return await _Drain(bot, db, limiter, now, policy or RetryPolicy(), stop).run(max_items)


class Sender:
    """The long-running delivery task: drains the outbox, then waits for news or a tick.

    Call `wake()` after enqueueing to deliver at once rather than at the next tick.
    """

    def __init__(
        self,
        bot: Bot,
        db: Database,
        limiter: RateLimiter,
        *,
        now: Now = utc_now,
        policy: RetryPolicy | None = None,
        tick: float = 5.0,
    ) -> None:
        self.bot = bot
        self.db = db
        self.limiter = limiter
        self.now = now
        self.policy = policy or RetryPolicy()
        self.tick = tick
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Recover what a crash left in flight, then deliver until `stop()`.

        Only one sender may run per database: recovery assumes nobody else is sending.
        """
        recovered = outbox.recover(self.db)
        if recovered:
            log.warning(
                "resending %d message(s) a previous run left in flight: outbox %s",
                len(recovered),
                recovered,
            )
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = await drain(
                    self.bot,
                    self.db,
                    self.limiter,
                    now=self.now,
                    policy=self.policy,
                    stop=self._stop,
                )
            except Exception:  # a locked database, a bug: keep delivering the rest later
                log.exception("delivery failed; trying again in %ss", self.tick)
                report = DrainReport()
            if report.claimed:
                log.info("delivery: %s", report)
                continue
            waits = (asyncio.create_task(self._wake.wait()), asyncio.create_task(self._stop.wait()))
            await asyncio.wait(waits, timeout=self.tick, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waits:
                waiter.cancel()

    def stop(self) -> None:
        """Finish the messages being sent and return from `run`; the rest stay pending."""
        self._stop.set()
