"""The /stats helpers: counting runs by kind, the median, days, reviewed cards, durations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.features.stats.router import duration
from bot.features.stats.service import (
    KindWeek,
    bucket,
    median_seconds,
    per_day,
    reviewed_since,
)


def test_bucket_counts_left_as_cancelled_and_active_only_as_started() -> None:
    week = bucket(
        [
            ("Intro", "completed", 3),
            ("Intro", "active", 1),
            ("Intro", "left", 2),
            ("Intro", "cancelled", 1),
            ("Game", "expired", 4),
            ("Game", "failed", 1),
        ]
    )
    assert list(week) == ["Game", "Intro"]
    assert week["Intro"] == KindWeek(started=7, completed=3, cancelled=3)
    assert week["Game"] == KindWeek(started=5, expired=4, failed=1)


def test_median_of_odd_even_and_no_durations() -> None:
    assert median_seconds([5.0, 1.0, 30.0]) == 5.0
    assert median_seconds([10.0, 20.0]) == 15.0
    assert median_seconds([]) is None


def test_per_day_counts_each_utc_day_of_the_window() -> None:
    days = [date(2026, 1, 4), date(2026, 1, 5)]
    moments = [
        datetime(2026, 1, 3, 23, 59, tzinfo=UTC),  # before the window
        datetime(2026, 1, 4, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        datetime(2026, 1, 5, 23, 59, tzinfo=UTC),
    ]
    assert per_day(moments, days) == [1, 2]


def test_reviewed_since_reads_the_last_review_of_fsrs_cards() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    cards: list[tuple[int, dict[str, object] | None]] = [
        (1, {"last_review": "2026-01-02T10:00:00+00:00"}),
        (1, {"last_review": "2026-01-03T10:00:00+00:00"}),
        (2, {"last_review": "2026-01-01T00:00:00+00:00"}),
        (3, {"last_review": "2025-12-31T10:00:00+00:00"}),
        (4, {"last_review": None}),
        (5, {"last_review": "not a date"}),
        (6, None),
    ]
    assert reviewed_since(cards, since) == (3, 2)


def test_duration_is_short() -> None:
    assert duration(None) == "–"
    assert duration(0) == "0s"
    assert duration(45.4) == "45s"
    assert duration(125) == "2m 5s"
    assert duration(3 * 3600 + 600) == "3h 10m"
    assert duration(2 * 86400 + 4 * 3600) == "2d 4h"
