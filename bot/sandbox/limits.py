"""Telegram-like flood limits: token buckets per private chat, per group and for the whole bot."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
_EPSILON = 1e-9  # float refills (1/3 token per second...) must not cost a whole extra second


@dataclass(frozen=True)
class Rate:
    """A bucket of `capacity` tokens that regains `refill` tokens every `per` seconds."""

    capacity: float
    refill: float
    per: float

    @property
    def per_second(self) -> float:
        return self.refill / self.per


@dataclass(frozen=True)
class Limits:
    """Which buckets apply; `None` switches one off, `Limits.off()` switches all off."""

    private_chat: Rate | None = Rate(capacity=4, refill=1, per=1)
    group_chat: Rate | None = Rate(capacity=20, refill=20, per=60)
    overall: Rate | None = Rate(capacity=30, refill=30, per=1)

    @classmethod
    def off(cls) -> Limits:
        return cls(private_chat=None, group_chat=None, overall=None)


class ManualClock:
    """A clock for tests: time moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class _Bucket:
    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = rate.capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        elapsed = max(now - self.stamp, 0.0)
        self.tokens = min(self.rate.capacity, self.tokens + elapsed * self.rate.per_second)
        self.stamp = now

    def wait_needed(self) -> int:
        """Whole seconds until one token is available (0 when one is available now)."""
        if self.tokens >= 1 - _EPSILON:
            return 0
        return max(1, math.ceil((1 - self.tokens) / self.rate.per_second - _EPSILON))


class RateLimiter:
    """Takes one token from every bucket that applies, or says how long to wait.

    The server spends a token for every message it creates or edits (send*, forwardMessage,
    copyMessage, editMessage*), once the request passed validation.
    """

    def __init__(self, limits: Limits, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, int], _Bucket] = {}

    def _bucket(self, key: tuple[str, int], rate: Rate, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, now)
        bucket.refill(now)
        return bucket

    def acquire(self, chat_type: str | None, chat_id: int | None) -> int:
        """0 when the request may go (tokens taken), else retry_after in whole seconds."""
        now = self.clock()
        buckets: list[_Bucket] = []
        if self.limits.overall is not None:
            buckets.append(self._bucket(("overall", 0), self.limits.overall, now))
        if chat_id is not None and chat_type is not None:
            rate = self.limits.private_chat if chat_type == "private" else self.limits.group_chat
            if rate is not None:
                buckets.append(self._bucket((chat_type, chat_id), rate, now))
        wait = max((bucket.wait_needed() for bucket in buckets), default=0)
        if wait:
            return wait
        for bucket in buckets:
            bucket.tokens -= 1
        return 0
