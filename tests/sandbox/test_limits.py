"""Token buckets: capacity, refill, retry_after."""

from __future__ import annotations

from bot.sandbox.limits import Limits, ManualClock, Rate, RateLimiter


def test_private_chat_bucket_allows_a_burst_of_four_then_one_per_second() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Limits(overall=None), clock)
    assert [limiter.acquire("private", 1) for _ in range(4)] == [0, 0, 0, 0]
    assert limiter.acquire("private", 1) == 1
    assert limiter.acquire("private", 2) == 0  # another chat has its own bucket
    clock.advance(1)
    assert limiter.acquire("private", 1) == 0
    assert limiter.acquire("private", 1) == 1


def test_group_bucket_refills_twenty_per_minute() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Limits(overall=None), clock)
    for _ in range(20):
        assert limiter.acquire("supergroup", -100) == 0
    assert limiter.acquire("supergroup", -100) == 3  # one token every 3 s
    clock.advance(3)
    assert limiter.acquire("supergroup", -100) == 0


def test_overall_bucket_spans_chats_and_refused_requests_take_nothing() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Limits(private_chat=None, group_chat=None), clock)
    for chat_id in range(30):
        assert limiter.acquire("private", chat_id) == 0
    assert limiter.acquire("private", 99) == 1
    clock.advance(0.5)  # 15 tokens back
    assert [limiter.acquire("private", 99) for _ in range(16)].count(0) == 15


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    clock = ManualClock()
    limiter = RateLimiter(Limits(private_chat=Rate(1, 1, 10), overall=None), clock)
    assert limiter.acquire("private", 1) == 0
    clock.advance(9.5)
    assert limiter.acquire("private", 1) == 1


def test_off_disables_everything() -> None:
    limiter = RateLimiter(Limits.off(), ManualClock())
    assert all(limiter.acquire("private", 1) == 0 for _ in range(1000))
