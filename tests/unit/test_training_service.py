"""Pure parts of training: pair parsing, CSV reading, settings bounds, reminder slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.features.training import service
from bot.features.training.models import LearningSettings
from bot.features.training.service import (
    apply_setting,
    chosen_zone,
    common_zones,
    decode_csv,
    latest_slot,
    local_to_utc,
    offset_label,
    parse_csv,
    parse_pair,
    search_zones,
    set_time_zone,
    slot_to_fire,
    zone_offset,
    zones_near,
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
        "time_zone": "UTC",
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
    assert apply_setting(s, "z", 3) is False, "the zone is chosen by name, not by a button value"
    assert set_time_zone(s, "Europe/Berlin") is True
    assert s.time_zone == "Europe/Berlin"
    assert set_time_zone(s, "Mars/Olympus") is False
    assert s.time_zone == "Europe/Berlin"
    apply_setting(s, "a", 0)
    assert s.remind_afternoon is False
    assert apply_setting(s, "?", 1) is False


T = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "hours", "slot"),
    [
        (T + timedelta(hours=8), "UTC", [8, 13, 20], T + timedelta(hours=8)),
        (T + timedelta(hours=7, minutes=59), "UTC", [8], T - timedelta(hours=16)),
        # UTC+3: 08:00 local is 05:00 UTC
        (T + timedelta(hours=5), "Etc/GMT-3", [8, 13, 20], T + timedelta(hours=5)),
        (T + timedelta(hours=5), "Europe/Moscow", [8, 13, 20], T + timedelta(hours=5)),
        # UTC−5: 20:00 local on Jan 4 is 01:00 UTC on Jan 5
        (T + timedelta(hours=1, minutes=10), "America/New_York", [20], T + timedelta(hours=1)),
        # UTC+14: 08:00 local on Jan 6 is 18:00 UTC on Jan 5
        (T + timedelta(hours=18), "Pacific/Kiritimati", [8], T + timedelta(hours=18)),
        # UTC+5:30
        (T + timedelta(hours=3), "Asia/Kolkata", [8], T + timedelta(hours=2, minutes=30)),
        (T, "UTC", [], None),
    ],
)
def test_latest_slot(now: datetime, zone: str, hours: list[int], slot: datetime | None) -> None:
    assert latest_slot(now, ZoneInfo(zone), hours) == slot


BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("zone", "day", "hour", "utc"),
    [
        # the morning slot (08:00) follows daylight saving time
        (BERLIN, date(2026, 1, 15), 8, datetime(2026, 1, 15, 7, tzinfo=UTC)),
        (BERLIN, date(2026, 7, 15), 8, datetime(2026, 7, 15, 6, tzinfo=UTC)),
        (NEW_YORK, date(2026, 1, 15), 8, datetime(2026, 1, 15, 13, tzinfo=UTC)),
        (NEW_YORK, date(2026, 7, 15), 8, datetime(2026, 7, 15, 12, tzinfo=UTC)),
        # the days of the change: after it, the new offset
        (BERLIN, date(2026, 3, 29), 8, datetime(2026, 3, 29, 6, tzinfo=UTC)),
        (BERLIN, date(2026, 10, 25), 8, datetime(2026, 10, 25, 7, tzinfo=UTC)),
        # 02:00 does not exist on March 29 in Berlin: the slot moves forward to 03:00 CEST
        (BERLIN, date(2026, 3, 29), 2, datetime(2026, 3, 29, 1, tzinfo=UTC)),
        # 02:00 happens twice on October 25: the first time (CEST)
        (BERLIN, date(2026, 10, 25), 2, datetime(2026, 10, 25, 0, tzinfo=UTC)),
        # New York's gap: 02:00 on March 8 is 03:00 EDT
        (NEW_YORK, date(2026, 3, 8), 2, datetime(2026, 3, 8, 7, tzinfo=UTC)),
    ],
)
def test_local_slots_follow_daylight_saving_time(
    zone: ZoneInfo, day: date, hour: int, utc: datetime
) -> None:
    assert local_to_utc(day, hour, zone) == utc


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        (BERLIN, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_each_slot_fires_exactly_once_across_a_change(
    zone: ZoneInfo, change: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Polled every 5 minutes for three days around a change, with a slot in the hour that
    is skipped or repeated (02:00): every slot of every local day fires once."""
    monkeypatch.setitem(service.SLOT_HOURS, "morning", 2)
    s = settings(time_zone=zone.key)
    start = datetime(change.year, change.month, change.day, tzinfo=zone) - timedelta(days=1)
    now = start.astimezone(UTC)
    fired: list[datetime] = []
    while now < (start + timedelta(days=3)).astimezone(UTC):
        slot = slot_to_fire(s, now)
        if slot is not None:
            fired.append(slot)
            s.last_slot_at = slot
        now += timedelta(minutes=5)
    days = [change + timedelta(days=d) for d in (-1, 0, 1)]
    assert fired == [local_to_utc(day, hour, zone) for day in days for hour in (2, 13, 20)]
    assert len(set(fired)) == 9
    # every slot at its wall-clock hour of its day; the skipped 02:00 at 03:00, the repeated
    # 02:00 the first time
    gap = change.month == 3
    local = [slot.astimezone(zone) for slot in fired]
    assert [(at.date(), at.hour, at.fold) for at in local] == [
        (day, 3 if gap and day == change and hour == 2 else hour, 0)
        for day in days
        for hour in (2, 13, 20)
    ]


def test_zone_search() -> None:
    assert search_zones("new york") == ["America/New_York"]
    assert search_zones("  NEW   york ") == ["America/New_York"]
    assert search_zones("berlin") == ["Europe/Berlin"]
    assert search_zones("Moscow") == ["Europe/Moscow"]
    assert search_zones("Europe/Kyiv") == ["Europe/Kyiv"]
    assert search_zones("atlantis") == []
    # Russian names of cities
    assert search_zones("Москва") == ["Europe/Moscow"]
    assert search_zones("казань") == ["Europe/Moscow"]
    assert search_zones("Алма-Ата") == ["Asia/Almaty"]
    assert search_zones("кишинёв") == ["Europe/Chisinau"]
    assert chosen_zone("екатеринбург", search_zones("екатеринбург")) == "Asia/Yekaterinburg"
    assert search_zones("   ") == []
    # a city that is also part of other names comes first, and is picked
    found = search_zones("UTC")
    assert found[0] == "UTC"
    assert chosen_zone("UTC", found) == "UTC"
    america = search_zones("america/")
    assert len(america) > 8
    assert chosen_zone("america/", america) is None
    assert all(name.startswith("America/") for name in america)
    # legacy copies of the database are no places
    assert not [name for name in search_zones("posix") if name.startswith(("posix/", "right/"))]
    # a city that starts with the query before one that merely contains it
    assert search_zones("san")[0].rsplit("/", 1)[-1].lower().startswith("san")


def test_zone_lists_and_labels() -> None:
    assert "Europe/Moscow" in common_zones("ru")
    assert "America/New_York" in common_zones("en")
    assert common_zones("de") == common_zones("en")
    assert all(service.is_zone(name) for lang in ("en", "ru") for name in common_zones(lang))
    assert all(service.is_zone(name) for name in service.ZONE_ALIASES)
    winter, summer = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    assert offset_label(zone_offset("Europe/Berlin", winter)) == "UTC+1"
    assert offset_label(zone_offset("Europe/Berlin", summer)) == "UTC+2"
    assert offset_label(zone_offset("America/New_York", winter)) == "UTC−5"
    assert offset_label(zone_offset("Asia/Kolkata", winter)) == "UTC+5:30"
    assert offset_label(zone_offset("UTC", winter)) == "UTC±0"
    assert offset_label(zone_offset("Nowhere/Gone", winter)) == "UTC±0"


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


def test_zones_near_a_location() -> None:
    assert zones_near(52.52, 13.40)[0] == "Europe/Berlin"
    assert zones_near(40.71, -74.01)[0] == "America/New_York"
    assert zones_near(55.75, 37.62)[0] == "Europe/Moscow"
    assert zones_near(-33.87, 151.21)[0] == "Australia/Sydney"
    assert len(zones_near(0, 0)) == 3
    assert zones_near(91, 0) == []
    assert zones_near(0, 181) == []
    # the tables' coordinates: ±DDMM[SS] and ±DDDMM[SS]
    assert service._degrees("+5230", 2) == 52.5
    assert service._degrees("-0740030", 3) == -(74 + 30 / 3600)
