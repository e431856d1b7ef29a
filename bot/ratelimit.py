"""Pace outgoing messages so Telegram never has to refuse them.

Telegram asks bots to send at most about one message a second to a chat, twenty a minute to
a group (or channel) and thirty a second overall; beyond that it answers 429 "retry after N".
The limiter books each message a slot that respects all three limits before it is sent, so a
fan-out runs at the ceiling without a 429. When a 429 comes anyway (a message sent outside
the limiter, a stricter Telegram), only the chat it named waits; 429s for several chats at
once mean the global limit, and then everyone waits.

Time is read from an injected `Clock` so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds and a way to wait for them."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    """The event loop's own time."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Limits:
    """Messages per second (or minute) and how many may go at once before pacing starts.

    Defaults stay a little under Telegram's published limits: 29/s overall leaves room for a
    reply sent outside the limiter while a fan-out runs.
    """

    global_per_second: float = 29.0
    global_burst: int = 1
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    chat_burst: int = 1
    flood_chats: int = 3  # 429s for this many chats within flood_window: a global flood
    flood_window: float = 1.0


class Pace:
    """Generic cell rate algorithm: books the earliest slot `interval` after the last one.

    Up to `burst` slots may be booked at the same instant after a quiet spell.
    """

    def __init__(self, interval: float, burst: int) -> None:
        self.interval = interval
        self.tolerance = (max(burst, 1) - 1) * interval
        self.next_free = float("-inf")  # theoretical arrival time of the next message

    def book(self, now: float) -> float:
        """Reserve the earliest allowed slot at or after `now`; returns its time."""
        start = max(now, self.next_free - self.tolerance)
        self.next_free = max(self.next_free, start) + self.interval
        return start

    def idle(self, now: float) -> bool:
        """True when this pace is indistinguishable from a fresh one."""
        return self.next_free <= now


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; users positive ones."""
    return chat_id < 0


class RateLimiter:
    """Per-chat, per-group and global pacing plus 429 back-off, shared by all senders."""

    _SWEEP_EVERY = 1024  # acquisitions between two sweeps of idle chat state

    def __init__(self, limits: Limits | None = None, clock: Clock | None = None) -> None:
        self.limits = limits or Limits()
        self.clock = clock or RealClock()
        self._global = Pace(1 / self.limits.global_per_second, self.limits.global_burst)
        self._chats: dict[int, Pace] = {}
        self._blocked: dict[int, float] = {}  # chat -> monotonic time its 429 wait ends
        self._global_blocked = float("-inf")
        self._recent_floods: deque[tuple[float, int]] = deque()
        self._acquired = 0

    def _chat_pace(self, chat_id: int) -> Pace:
        pace = self._chats.get(chat_id)
        if pace is None:
            limits = self.limits
            interval = (
                60 / limits.group_per_minute if is_group(chat_id) else 1 / limits.private_per_second
            )
            pace = self._chats[chat_id] = Pace(interval, limits.chat_burst)
        return pace

    def blocked_until(self, chat_id: int) -> float:
        """When a 429 wait for this chat (or everyone) ends; -inf when there is none."""
        return max(self._blocked.get(chat_id, float("-inf")), self._global_blocked)

    async def _sleep_until(self, moment: float) -> None:
        delay = moment - self.clock.monotonic()
        if delay > 0:
            await self.clock.sleep(delay)

    async def acquire(self, chat_id: int) -> None:
        """Wait until one message may be sent to `chat_id` now.

        The chat's own slot is booked first and the global one only once it has come, so a
        chat that must wait never holds a global slot other chats could use.
        """
        while True:
            await self._sleep_until(self.blocked_until(chat_id))
            await self._sleep_until(self._chat_pace(chat_id).book(self.clock.monotonic()))
            await self._sleep_until(self._global.book(self.clock.monotonic()))
            if self.blocked_until(chat_id) <= self.clock.monotonic():
                break  # no 429 arrived while this message waited for its slots
        self._acquired += 1
        if self._acquired % self._SWEEP_EVERY == 0:
            self._sweep()

    def flood(self, chat_id: int, retry_after: float) -> bool:
        """Telegram answered 429 for `chat_id`: hold that chat back for `retry_after` seconds.

        Returns True when the 429s add up to a global flood and every chat is held back.
        """
        now = self.clock.monotonic()
        until = now + retry_after
        self._blocked[chat_id] = max(self._blocked.get(chat_id, until), until)
        window = self._recent_floods
        window.append((now, chat_id))
        while window and window[0][0] < now - self.limits.flood_window:
            window.popleft()
        if len({chat for _, chat in window}) < self.limits.flood_chats:
            return False
        self._global_blocked = max(self._global_blocked, until)
        return True

    def _sweep(self) -> None:
        """Forget chats with nothing booked or blocked, so memory tracks active chats only."""
        now = self.clock.monotonic()
        self._chats = {c: p for c, p in self._chats.items() if not p.idle(now)}
        self._blocked = {c: t for c, t in self._blocked.items() if t > now}
