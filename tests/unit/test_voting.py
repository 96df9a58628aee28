"""Voting rules without Telegram: argument parsing, minute bounds, time left and the verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.voting.keyboards import JoinCb, VoteCb
from bot.features.voting.service import (
    JOIN_MINUTES,
    PROPOSAL_MINUTES,
    Person,
    Tally,
    TextAndNumber,
    minutes_left,
    parse_minutes,
    parse_text_and_number,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (None, TextAndNumber("", None)),
        ("   ", TextAndNumber("", None)),
        ('"Lunch at noon" 5', TextAndNumber("Lunch at noon", "5")),
        ('"Lunch at noon"', TextAndNumber("Lunch at noon", None)),
        ("Lunch at noon", TextAndNumber("Lunch at noon", None)),
        ("Lunch at noon 7", TextAndNumber("Lunch at noon", "7")),
        ('"Meet at 5"', TextAndNumber("Meet at 5", None)),
        ('"Say "hi" loudly" 3', TextAndNumber('Say "hi" loudly', "3")),
        ("«Обед» 4", TextAndNumber("Обед", "4")),
        ("“Curly” 2", TextAndNumber("Curly", "2")),
        ('"Lunch" soon', TextAndNumber("Lunch", "soon")),
        ('"Unclosed quote 5', TextAndNumber('"Unclosed quote', "5")),
        ("5", TextAndNumber("5", None)),
        ("Lunch -3", TextAndNumber("Lunch", "-3")),
    ],
)
def test_text_and_number(args: str | None, expected: TextAndNumber) -> None:
    assert parse_text_and_number(args) == expected


@pytest.mark.parametrize(
    ("raw", "bounds", "expected"),
    [
        (None, JOIN_MINUTES, 2),
        ("1", JOIN_MINUTES, 1),
        ("60", JOIN_MINUTES, 60),
        ("61", JOIN_MINUTES, None),
        ("0", JOIN_MINUTES, None),
        (None, PROPOSAL_MINUTES, 5),
        ("10", PROPOSAL_MINUTES, 10),
        ("11", PROPOSAL_MINUTES, None),
        ("-1", PROPOSAL_MINUTES, None),
        ("soon", PROPOSAL_MINUTES, None),
        ("2.5", PROPOSAL_MINUTES, None),
    ],
)
def test_minutes_bounds(
    raw: str | None, bounds: tuple[int, int, int], expected: int | None
) -> None:
    assert parse_minutes(raw, bounds) == expected


def test_minutes_left_rounds_up_and_stops_at_zero() -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert minutes_left(now + timedelta(minutes=5), now) == 5
    assert minutes_left(now + timedelta(minutes=4, seconds=1), now) == 5
    assert minutes_left(now + timedelta(seconds=59), now) == 1
    assert minutes_left(now - timedelta(minutes=1), now) == 0


def test_passed_only_with_more_yes_than_no() -> None:
    a, b, c = Person(1, "A"), Person(2, "B"), Person(3, "C")
    assert Tally(yes=[a, b], no=[c]).result == "passed"
    assert Tally(yes=[a], no=[b], abstained=[c]).result == "rejected"  # a tie
    assert Tally(abstained=[a, b]).result == "rejected"
    assert Tally(yes=[a], abstained=[b, c]).result == "passed"


def test_callback_data_is_small() -> None:
    big = 2**62
    assert len(VoteCb(proposal_id=big, choice="yes").pack().encode()) <= 64
    assert len(JoinCb(session_id=big).pack().encode()) <= 64
