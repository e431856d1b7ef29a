"""Flood control: Telegram's message rate limits, modelled as token buckets.

Telegram asks bots to stay under about one message a second in a chat, twenty a minute in a
group and thirty a second overall, and answers 429 "Too Many Requests: retry after N" beyond
that. A bucket per limit reproduces both the small bursts Telegram tolerates and the refusal
that follows. The clock is injected so tests can move time instead of sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Rates in messages per second, bursts in messages."""

    chat_rate: float = 1.0
    chat_burst: int = 3
    group_per_minute: int = 20
    global_rate: float = 30.0
    global_burst: int = 30


@dataclass
class TokenBucket:
    """Holds up to `capacity` tokens, refilled at `rate` tokens a second."""

    capacity: float
    rate: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodControl:
    """Admits or refuses one outgoing message; refusals consume nothing."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._global = self._bucket(limits.global_burst, limits.global_rate)
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, TokenBucket] = {}

    def _bucket(self, capacity: float, rate: float) -> TokenBucket:
        return TokenBucket(capacity, rate, capacity, self.clock())

    def _bucket_for(
        self, table: dict[int, TokenBucket], chat_id: int, capacity: float, rate: float
    ) -> TokenBucket:
        if chat_id not in table:
            table[chat_id] = self._bucket(capacity, rate)
        return table[chat_id]

    def admit(self, chat_id: int, *, group: bool) -> int | None:
        """Take a token from every bucket that applies, or return the seconds to wait."""
        limits = self.limits
        buckets = [
            self._global,
            self._bucket_for(self._chats, chat_id, limits.chat_burst, limits.chat_rate),
        ]
        if group:
            per_minute = limits.group_per_minute
            buckets.append(self._bucket_for(self._groups, chat_id, per_minute, per_minute / 60))
        now = self.clock()
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
