"""The bot's sense of time, injectable so tests move it instead of waiting.

Every scheduled decision (is a digest due, which articles are recent, when may a parked
message go again) reads `clock.now()`; the sender's rate limiter reads `monotonic()` and
waits with `sleep()`. `SystemClock` is the real one; `FakeClock` is set and advanced by
hand, and its `sleep` moves time on at once, so a paced fan-out takes no real time.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Wall time (aware, UTC), monotonic seconds and a way to wait for them.

    A `Clock` is also a `bot.ratelimit.Clock`.
    """

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that stands still until told: `set(moment)`, `advance(seconds or timedelta)`.

    `sleep(seconds)` advances it and returns after one turn of the event loop, so code that
    paces itself with sleeps runs at full speed while still seeing time pass.
    """

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)
        self._monotonic = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    async def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (forwards or back; monotonic time only ever moves forwards)."""
        moment = _aware(moment)
        self._monotonic += max((moment - self._now).total_seconds(), 0.0)
        self._now = moment

    def advance(self, by: float | timedelta) -> None:
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        if seconds < 0:
            raise ValueError("a clock cannot advance backwards; use set()")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the bot's clock keeps aware UTC times")
    return moment.astimezone(UTC)
