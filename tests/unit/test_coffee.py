"""Random Coffee without Telegram: the weekly schedule and the pairing."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, WeeklyTime
from bot.features.coffee.service import Group, Schedule, make_groups, pairs_in, repeats

BERLIN = ZoneInfo("Europe/Berlin")


def schedule(poll: str = "Mon 10:00", pairs: str | None = "Wed 10:00") -> Schedule:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        community_chat_id=-100123,
        coffee_poll_at=poll,
        coffee_pairs_at=pairs,
        community_timezone="Europe/Berlin",
    )
    found = Schedule.of(settings)
    assert found is not None
    return found


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_off_without_a_poll_time_or_a_community_chat() -> None:
    assert Schedule.of(Settings(_env_file=None, community_chat_id=-1)) is None  # type: ignore[call-arg]
    assert Schedule.of(Settings(_env_file=None, coffee_poll_at="Mon 10:00")) is None  # type: ignore[call-arg]


def test_the_week_of_a_moment_in_the_community_time_zone() -> None:
    plan = schedule()
    # Monday 5 January 2026, 10:00 in Berlin is 09:00 UTC.
    week = plan.scheduled(utc(2026, 1, 7, 8, 0))  # Wednesday, before the pairs
    assert week.opens_at == utc(2026, 1, 5, 9, 0)
    assert week.pairs_at == utc(2026, 1, 7, 9, 0)
    assert week.key == "2026-W02"
    assert plan.scheduled(utc(2026, 1, 5, 9, 0)).opens_at == utc(2026, 1, 5, 9, 0)  # on the dot
    assert plan.scheduled(utc(2026, 1, 5, 8, 59)).opens_at == utc(2025, 12, 29, 9, 0)
    assert plan.scheduled(utc(2025, 12, 29, 9, 0)).key == "2026-W01"  # ISO year
    assert plan.following(plan.poll, utc(2026, 1, 5, 9, 0)) == utc(2026, 1, 12, 9, 0)
    # Sunday 23:30 UTC is already Monday in Berlin.
    assert plan.week_of(utc(2026, 1, 11, 23, 30)) == "2026-W03"


def test_summer_time_keeps_the_local_hour() -> None:
    plan = schedule()
    # Berlin moves to summer time on 29 March 2026: Monday 30 March 10:00 is 08:00 UTC.
    assert plan.following(plan.poll, utc(2026, 3, 23, 9, 0)) == utc(2026, 3, 30, 8, 0)
    assert plan.scheduled(utc(2026, 3, 31, 12, 0)).opens_at == utc(2026, 3, 30, 8, 0)


def test_pairs_default_two_days_later_and_never_at_the_opening_itself() -> None:
    later = schedule(pairs=None)
    assert later.pairs == WeeklyTime(2, 10, 0)
    same = schedule(pairs="Mon 10:00")
    assert same.scheduled(utc(2026, 1, 5, 9, 0)).pairs_at == utc(2026, 1, 12, 9, 0)
    sunday = schedule(pairs="Sun 20:00")
    assert sunday.scheduled(utc(2026, 1, 5, 9, 0)).pairs_at == utc(2026, 1, 11, 19, 0)


def test_opened_by_hand_pairs_at_the_next_pairing_time() -> None:
    plan = schedule()
    week = plan.now(utc(2026, 1, 8, 12, 0))  # Thursday
    assert week.key == "2026-W02"
    assert week.opens_at == utc(2026, 1, 8, 12, 0)
    assert week.pairs_at == utc(2026, 1, 14, 9, 0)


def everyone(groups: list[Group]) -> list[int]:
    return sorted(user for group in groups for user in group)


@pytest.mark.parametrize("count", [2, 3, 4, 5, 7, 10, 11, 12, 31])
def test_everyone_is_in_exactly_one_pair_or_the_one_trio(count: int) -> None:
    people = list(range(1, count + 1))
    groups = make_groups(people, {}, random.Random(count))
    assert everyone(groups) == people
    sizes = Counter(len(group) for group in groups)
    expected = Counter({2: count // 2} if count % 2 == 0 else {2: count // 2 - 1, 3: 1})
    assert sizes == +expected


def test_nobody_or_one_person_makes_no_groups() -> None:
    assert make_groups([], {}, random.Random(1)) == []
    assert make_groups([5], {}, random.Random(1)) == []
    assert make_groups([5, 5], {}, random.Random(1)) == []  # one person, twice


def test_recent_pairs_are_avoided_when_possible() -> None:
    recent = Counter(pairs_in((1, 2)) + pairs_in((3, 4)))
    for seed in range(20):
        groups = make_groups([1, 2, 3, 4], recent, random.Random(seed))
        assert repeats(groups, recent) == 0
        assert sorted(map(sorted, groups)) in ([[1, 3], [2, 4]], [[1, 4], [2, 3]])


def test_four_people_over_three_weeks_meet_everyone_once() -> None:
    history: Counter[frozenset[int]] = Counter()
    for week in range(3):
        groups = make_groups([1, 2, 3, 4], history, random.Random(week))
        assert repeats(groups, history) == 0
        for group in groups:
            history.update(pairs_in(group))
    assert set(history.values()) == {1}
    assert len(history) == 6  # all pairs of four people


def test_the_odd_one_joins_where_it_repeats_least() -> None:
    # 1 met 2 and 3 met 4 lately: 5 is best added to a pair without a repeat.
    recent = Counter(pairs_in((1, 2)) + pairs_in((3, 4)) + pairs_in((5, 1)) + pairs_in((5, 3)))
    for seed in range(20):
        groups = make_groups([1, 2, 3, 4, 5], recent, random.Random(seed))
        assert repeats(groups, recent) == 0
        trio = next(group for group in groups if len(group) == 3)
        assert 5 in trio


def test_a_repeat_is_taken_only_when_unavoidable() -> None:
    recent = Counter(pairs_in((1, 2)) + pairs_in((1, 3)))
    groups = make_groups([1, 2, 3], recent, random.Random(0))
    assert groups
    assert sorted(groups[0]) == [1, 2, 3]
    assert repeats(groups, recent) == 2


def test_many_people_without_repeats_by_the_greedy_search() -> None:
    people = list(range(1, 41))
    history: Counter[frozenset[int]] = Counter()
    rng = random.Random(7)
    for _ in range(4):
        groups = make_groups(people, history, rng)
        assert everyone(groups) == people
        assert repeats(groups, history) == 0
        for group in groups:
            history.update(pairs_in(group))


def test_the_same_seed_makes_the_same_pairs() -> None:
    people = list(range(1, 15))
    assert make_groups(people, {}, random.Random(3)) == make_groups(people, {}, random.Random(3))
