"""Pure parts of training: pair parsing, CSV reading, settings bounds, reminder slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.training.models import LearningSettings
from bot.features.training.service import (
    apply_setting,
    decode_csv,
    latest_slot,
    parse_csv,
    parse_pair,
    slot_to_fire,
)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("cat — кошка", ("cat", "кошка")),
        ("cat—кошка", ("cat", "кошка")),
        ("ice cream = мороженое", ("ice cream", "мороженое")),
        ("dog; собака", ("dog", "собака")),
        ("  a   b  =  c  ", ("a b", "c")),
        ("well-known — известный", ("well-known", "известный")),
        ("x = y = z", ("x", "y = z")),
        ("cat кошка", None),
        ("cat —", None),
        ("= кошка", None),
        ("", None),
    ],
)
def test_parse_pair(text: str, pair: tuple[str, str] | None) -> None:
    assert parse_pair(text) == pair


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter: str) -> None:
    text = f"cat{delimiter}кошка\ndog{delimiter}собака\n"
    parsed = parse_csv(text)
    assert [(w, tr) for _line, w, tr in parsed.rows] == [("cat", "кошка"), ("dog", "собака")]
    assert parsed.skipped == []


def test_csv_header_bom_empty_rows_and_bad_rows() -> None:
    data = "\ufeffWord;Translation\n\ncat;кошка\nlonely\n;нет слова\ndog; собака ;extra\n".encode()
    text = decode_csv(data)
    assert text is not None
    parsed = parse_csv(text)
    assert [(line, w, tr) for line, w, tr in parsed.rows] == [
        (3, "cat", "кошка"),
        (6, "dog", "собака"),
    ]
    assert parsed.skipped == [4, 5]


def test_csv_quoted_cells_with_delimiters_inside() -> None:
    parsed = parse_csv('word,translation\r\n"go, walk","идти, ходить"\r\nsee,видеть\r\n')
    assert [(w, tr) for _line, w, tr in parsed.rows] == [
        ("go, walk", "идти, ходить"),
        ("see", "видеть"),
    ]


def test_not_text_is_refused() -> None:
    assert decode_csv(b"\xff\xfe\x00\x00binary") is None
    assert decode_csv("a,b".encode("utf-16")) is None


def settings(**values: object) -> LearningSettings:
    base: dict[str, object] = {
        "user_id": 1,
        "cards_per_session": 10,
        "remind_morning": True,
        "remind_afternoon": True,
        "remind_evening": True,
        "utc_offset": 0,
        "unanswered": 0,
        "paused": False,
        "last_slot_at": None,
        "last_activity_at": None,
    }
    base.update(values)
    return LearningSettings(**base)


def test_settings_bounds() -> None:
    s = settings()
    for value, expected in [(0, 1), (1, 1), (50, 50), (51, 50), (-3, 1)]:
        apply_setting(s, "c", value)
        assert s.cards_per_session == expected
    for value, expected in [(-13, -12), (-12, -12), (14, 14), (15, 14), (3, 3)]:
        apply_setting(s, "z", value)
        assert s.utc_offset == expected
    apply_setting(s, "a", 0)
    assert s.remind_afternoon is False
    assert apply_setting(s, "?", 1) is False


T = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "offset", "hours", "slot"),
    [
        (T + timedelta(hours=8), 0, [8, 13, 20], T + timedelta(hours=8)),
        (T + timedelta(hours=7, minutes=59), 0, [8], T - timedelta(hours=16)),
        # UTC+3: 08:00 local is 05:00 UTC
        (T + timedelta(hours=5), 3, [8, 13, 20], T + timedelta(hours=5)),
        # UTC−5: 20:00 local on Jan 4 is 01:00 UTC on Jan 5
        (T + timedelta(hours=1, minutes=10), -5, [20], T + timedelta(hours=1)),
        # UTC+14: 08:00 local on Jan 6 is 18:00 UTC on Jan 5
        (T + timedelta(hours=18), 14, [8], T + timedelta(hours=18)),
        (T, 0, [], None),
    ],
)
def test_latest_slot(now: datetime, offset: int, hours: list[int], slot: datetime | None) -> None:
    assert latest_slot(now, offset, hours) == slot


def test_slot_fires_once_within_its_grace() -> None:
    at_eight = T + timedelta(hours=8)
    s = settings(remind_afternoon=False, remind_evening=False)
    assert slot_to_fire(s, at_eight - timedelta(seconds=1)) is None  # yesterday's is long gone
    assert slot_to_fire(s, at_eight) == at_eight
    assert slot_to_fire(s, at_eight + timedelta(minutes=29)) == at_eight
    assert slot_to_fire(s, at_eight + timedelta(minutes=30)) is None
    s.last_slot_at = at_eight
    assert slot_to_fire(s, at_eight + timedelta(minutes=1)) is None
    assert slot_to_fire(settings(paused=True), at_eight) is None
