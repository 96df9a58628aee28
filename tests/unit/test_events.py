"""Events service rules: typed start times, links, countdowns, reminder plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.features.events.models import LIVE, PENDING, SENT, SKIPPED, UPCOMING, Event
from bot.features.events.service import (
    Countdown,
    ReminderPlan,
    StartError,
    apply_reminder_plan,
    arm_reminders,
    countdown,
    example_start,
    is_valid_link,
    parse_start,
    plan_reminders,
    reminder_hours_left,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
START = datetime(2026, 1, 12, 18, 0, tzinfo=UTC)


def make_event(starts_at: datetime = START, status: str = UPCOMING) -> Event:
    event = Event(name="Call", type="meetup", status=status, starts_at=starts_at)
    arm_reminders(event, NOW)
    return event


def test_start_is_read_in_the_community_zone_and_stored_in_utc() -> None:
    assert parse_start("12.01.2026 19:00", BERLIN, NOW) == START
    assert parse_start(" 1.7.2026 9:05 ", BERLIN, NOW) == datetime(2026, 7, 1, 7, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12.01.2026",
        "2026-01-12 19:00",
        "12/01/2026 19:00",
        "31.02.2026 10:00",
        "12.13.2026 10:00",
        "12.01.2026 24:00",
        "12.01.2026 19:60",
        "29.03.2026 02:30",
    ],
)
def test_malformed_starts_are_refused(text: str) -> None:
    # 29.03.2026 02:30 does not exist in Berlin: the clocks jump from 02:00 to 03:00.
    assert parse_start(text, BERLIN, NOW) is StartError.MALFORMED


def test_past_starts_are_refused() -> None:
    assert parse_start("05.01.2026 10:00", BERLIN, NOW) is StartError.PAST  # exactly now
    assert parse_start("05.01.2026 10:01", BERLIN, NOW) == NOW + timedelta(minutes=1)


def test_the_example_is_a_valid_future_start() -> None:
    example = example_start(NOW, BERLIN)
    assert example == "12.01.2026 19:00"
    assert isinstance(parse_start(example, BERLIN, NOW), datetime)


@pytest.mark.parametrize(
    ("link", "valid"),
    [
        ("https://meet.example.org/abc?x=1", True),
        ("http://10.0.0.1:8080/room", True),
        ("HTTPS://Example.org", True),
        ("meet.example.org/abc", False),
        ("ftp://example.org", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("javascript:alert(1)", False),
        ("https://example.org:99999/", False),
        ("https://example.org/" + "a" * 2100, False),
    ],
)
def test_links(link: str, valid: bool) -> None:
    assert is_valid_link(link) is valid


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(days=2, hours=3), Countdown(days=2, hours=3)),
        (timedelta(days=2, hours=3, minutes=40), Countdown(days=2, hours=3)),
        (timedelta(days=1), Countdown(days=1, hours=0)),
        (timedelta(hours=5, minutes=20), Countdown(hours=5, minutes=20)),
        (timedelta(minutes=10), Countdown(minutes=10)),
        (timedelta(seconds=5), Countdown(minutes=1)),
        (timedelta(0), Countdown(due=True)),
        (-timedelta(minutes=3), Countdown(due=True)),
    ],
)
def test_countdown(left: timedelta, expected: Countdown) -> None:
    assert countdown(make_event(NOW + left), NOW) == expected


def test_countdown_of_a_live_event() -> None:
    assert countdown(make_event(status=LIVE), NOW) == Countdown(live=True)


def test_reminders_are_armed_from_the_start() -> None:
    event = make_event()
    assert event.reminder_24h_at == START - timedelta(hours=24)
    assert event.reminder_1h_at == START - timedelta(hours=1)
    assert (event.reminder_24h_state, event.reminder_1h_state) == (PENDING, PENDING)
    soon = make_event(NOW + timedelta(hours=3))
    assert (soon.reminder_24h_state, soon.reminder_1h_state) == (SKIPPED, PENDING)


@pytest.mark.parametrize(
    ("now", "plan"),
    [
        (START - timedelta(hours=25), ReminderPlan(send=None, skip=())),
        (START - timedelta(hours=24), ReminderPlan(send="24h", skip=())),
        (START - timedelta(hours=3), ReminderPlan(send="24h", skip=())),  # late, still useful
        (START - timedelta(minutes=59), ReminderPlan(send="1h", skip=("24h",))),
        (START, ReminderPlan(send=None, skip=("24h", "1h"))),  # the event has begun
        (START + timedelta(days=1), ReminderPlan(send=None, skip=("24h", "1h"))),
    ],
)
def test_reminder_plan(now: datetime, plan: ReminderPlan) -> None:
    assert plan_reminders(make_event(), now) == plan


def test_a_sent_reminder_is_not_planned_again() -> None:
    event = make_event()
    moment = START - timedelta(hours=24)
    apply_reminder_plan(event, plan_reminders(event, moment))
    assert event.reminder_24h_state == SENT
    assert plan_reminders(event, moment + timedelta(minutes=5)) == ReminderPlan(None, ())
    arm_reminders(event, moment)  # the start was moved: both are armed again
    assert event.reminder_24h_state == SKIPPED  # its moment is now, not in the future
    arm_reminders(event, NOW)
    assert event.reminder_24h_state == PENDING


def test_reminder_time_left_is_rounded_for_the_text() -> None:
    event = make_event()
    assert reminder_hours_left(event, START - timedelta(hours=23, minutes=59, seconds=30)) == (
        24,
        0,
    )
    assert reminder_hours_left(event, START - timedelta(minutes=59, seconds=50)) == (1, 0)
    assert reminder_hours_left(event, START - timedelta(minutes=30)) == (0, 30)
