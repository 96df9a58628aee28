"""Vocabulary, FSRS review sessions, learning settings and reminder slots (no Telegram here)."""

from __future__ import annotations

import csv
import io
import math
import random
import re
import secrets
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fsrs import Card, Rating, Scheduler
from sqlalchemy import Select, delete, exists, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert
from bot.features.core.models import User
from bot.features.game.models import GameSession
from bot.features.training.answers import answer_matches
from bot.features.training.models import (
    WORD_LIMIT,
    LearningSettings,
    TrainingSession,
    WordPair,
)
from bot.jobs.claim import for_claim
from bot.outbox.service import sent_hook
from bot.refusals import STALE, Refused

SESSION_TTL = timedelta(hours=24)
# A learner who answered in a session this recently is not interrupted by a reminder.
ACTIVE_WINDOW = timedelta(minutes=15)
CARDS_MIN, CARDS_MAX, CARDS_DEFAULT = 1, 50, 10
DEFAULT_ZONE = "UTC"
# Reminder slots in the learner's local time (hours), in the order of the settings columns.
SLOT_HOURS = {"morning": 8, "afternoon": 13, "evening": 20}
# A slot missed while the bot was down still fires this long after its start, not later.
SLOT_GRACE = timedelta(minutes=30)
PAUSE_AFTER = 9
IMPORT_MAX_BYTES = 1024 * 1024
SKIPPED_SHOWN = 5
SNOOZE_DAYS = (1, 7)
HEADER_WORDS = frozenset(
    {"word", "words", "translation", "translations", "term", "definition", "front", "back"}
    | {"слово", "слова", "перевод", "переводы"}
)

_scheduler = Scheduler(enable_fuzzing=False)


def new_token() -> int:
    """The token a card's buttons carry (changes at every step of a session)."""
    return secrets.randbelow(2**31 - 2) + 1


def word_key(word: str) -> str:
    """One pair per word: case and inner spacing do not make another word."""
    return " ".join(word.split()).casefold()


# The outbox key of a review card, and the hook that records a card a reminder posted.
REVIEW_CARD = "review"
REVIEW_CARD_POSTED = "training.review-card-posted"


@sent_hook(REVIEW_CARD_POSTED)
async def record_review_card(
    session: AsyncSession, session_id: int | None, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id)
        .values(message_id=message_id)
    )


def clean(text: str) -> str:
    return " ".join(text.split())


def _lock(session: AsyncSession, stmt: Select[Any]) -> Select[Any]:
    # A row lock on PostgreSQL (a reminder job may touch the same session); on SQLite the
    # locking read takes the write lock first (bot.db.engine).
    return stmt.with_for_update()


# --- vocabulary ----------------------------------------------------------------------------------

_PAIR_SEPARATOR = re.compile(r"\s*(?:—|–|=|;)\s*")


def parse_pair(text: str) -> tuple[str, str] | None:
    """`word — translation`, `word = translation` or `word; translation`; None if neither."""
    parts = _PAIR_SEPARATOR.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    word, translation = clean(parts[0]), clean(parts[1])
    if not word or not translation:
        return None
    return word, translation


def too_long(word: str, translation: str) -> bool:
    return len(word) > WORD_LIMIT or len(translation) > WORD_LIMIT


async def ensure_settings(session: AsyncSession, user_id: int) -> LearningSettings:
    found = await session.get(LearningSettings, user_id)
    if found is not None:
        return found
    await session.execute(
        insert(session, LearningSettings).values(user_id=user_id).on_conflict_do_nothing()
    )
    found = await session.get(LearningSettings, user_id, populate_existing=True)
    assert found is not None
    return found


async def add_pair(
    session: AsyncSession, user_id: int, word: str, translation: str, now: datetime
) -> bool:
    """Add a pair or update the translation of the same word; True when the pair is new."""
    await ensure_settings(session, user_id)
    key = word_key(word)
    pair = await session.scalar(
        select(WordPair).where(WordPair.user_id == user_id, WordPair.word_key == key)
    )
    if pair is not None:
        pair.translation = translation
        return False
    session.add(
        WordPair(user_id=user_id, word=word, word_key=key, translation=translation, due=now)
    )
    await session.flush()
    return True


@dataclass
class CsvRows:
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (line, word, translation)
    skipped: list[int] = field(default_factory=list)  # line numbers


def decode_csv(data: bytes) -> str | None:
    """The text of an uploaded file (UTF-8, with or without BOM); None if it is not text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text


def detect_delimiter(text: str) -> str:
    sample = "\n".join(line for line in text.splitlines()[:50] if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        pass
    # The Sniffer wants consistent rows; otherwise take the separator most lines contain.
    lines = [line for line in sample.splitlines() if line.strip()]
    best, best_score = ",", 0
    for delimiter in ("\t", ";", ","):
        score = sum(1 for line in lines if delimiter in line)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_csv(text: str) -> CsvRows:
    """Word and translation from the first two columns; an optional header is recognised."""
    result = CsvRows()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    first = True
    try:
        for row in reader:
            line = reader.line_num
            cells = [clean(cell) for cell in row[:2]]
            if not any(clean(cell) for cell in row):
                continue  # an empty row
            if first:
                first = False
                if cells and all(cell.casefold() in HEADER_WORDS for cell in cells if cell):
                    continue
            if len(cells) < 2 or not cells[0] or not cells[1] or too_long(*cells):
                result.skipped.append(line)
                continue
            result.rows.append((line, cells[0], cells[1]))
    except csv.Error:
        result.skipped.append(reader.line_num + 1)
    return result


@dataclass(frozen=True)
class ImportResult:
    new: int
    updated: int


Progress = Callable[[int, int], Awaitable[None]]


async def import_pairs(
    session: AsyncSession,
    user_id: int,
    rows: Sequence[tuple[int, str, str]],
    now: datetime,
    *,
    progress: Progress | None = None,
    chunk: int = 500,
) -> ImportResult:
    """Insert new words, update the translation of known ones (a later row wins)."""
    await ensure_settings(session, user_id)
    existing = {
        key: (pair_id, translation)
        for pair_id, key, translation in (
            await session.execute(
                select(WordPair.id, WordPair.word_key, WordPair.translation).where(
                    WordPair.user_id == user_id
                )
            )
        ).all()
    }
    fresh: dict[str, dict[str, object]] = {}
    changed: dict[int, str] = {}
    updated_keys: set[str] = set()
    for _line, word, translation in rows:
        key = word_key(word)
        if key in fresh:
            if fresh[key]["translation"] != translation:
                fresh[key]["translation"] = translation
            continue
        known = existing.get(key)
        if known is None:
            fresh[key] = {
                "user_id": user_id,
                "word": word,
                "word_key": key,
                "translation": translation,
                "due": now,
                "reps": 0,
            }
        elif known[1] != translation:
            changed[known[0]] = translation
            updated_keys.add(key)
        elif key in updated_keys:
            changed.pop(known[0], None)
            updated_keys.discard(key)
    total = len(fresh) + len(changed)
    done = 0
    values = list(fresh.values())
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        await session.execute(insert(session, WordPair), part)
        done += len(part)
        if progress is not None:
            await progress(done, total)
    items = list(changed.items())
    for start in range(0, len(items), chunk):
        updates = items[start : start + chunk]
        for pair_id, translation in updates:
            await session.execute(
                update(WordPair)
                .where(WordPair.id == pair_id)
                .values(translation=translation, updated_at=now)
            )
        done += len(updates)
        if progress is not None:
            await progress(done, total)
    return ImportResult(new=len(fresh), updated=len(changed))


async def export_csv(session: AsyncSession, user_id: int) -> tuple[bytes, int]:
    """The vocabulary as CSV (UTF-8 with BOM, a header, sorted by word) and its size in pairs."""
    pairs = (
        await session.execute(
            select(WordPair.word, WordPair.translation)
            .where(WordPair.user_id == user_id)
            .order_by(WordPair.word_key, WordPair.id)
        )
    ).all()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["word", "translation"])
    writer.writerows([(word, translation) for word, translation in pairs])
    return buffer.getvalue().encode("utf-8-sig"), len(pairs)


async def count_pairs(session: AsyncSession, user_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(WordPair.user_id == user_id)) or 0)


async def clear_vocabulary(session: AsyncSession, user_id: int) -> tuple[int, list[int]]:
    """Delete the pairs and the open sessions; the pair count and the sessions' card messages."""
    messages: list[int] = []
    for model in (TrainingSession, GameSession):
        rows = await session.scalars(
            delete(model).where(model.user_id == user_id).returning(model.message_id)
        )
        messages += [mid for mid in rows.all() if mid is not None]
    result = await session.execute(delete(WordPair).where(WordPair.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0), messages


# --- settings --------------------------------------------------------------------------------


SETTING_FIELDS = {"m": "remind_morning", "a": "remind_afternoon", "e": "remind_evening"}


def apply_setting(settings: LearningSettings, what: str, value: int) -> bool:
    """Set one field from a settings button; False when the button means nothing."""
    if what == "c":
        settings.cards_per_session = min(max(value, CARDS_MIN), CARDS_MAX)
    elif what in SETTING_FIELDS:
        setattr(settings, SETTING_FIELDS[what], bool(value))
        settings.paused = False
    else:
        return False
    return True


def enabled_slots(settings: LearningSettings) -> list[int]:
    flags = (settings.remind_morning, settings.remind_afternoon, settings.remind_evening)
    return [hour for hour, on in zip(SLOT_HOURS.values(), flags, strict=True) if on]


# --- time zones ------------------------------------------------------------------------------

# A short list of zones to choose from, by the learner's language (any other zone: search).
COMMON_ZONES: dict[str, tuple[str, ...]] = {
    "en": (
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Asia/Tokyo",
        "Australia/Sydney",
    ),
    "ru": (
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Vladivostok",
        "Europe/Kyiv",
        "Asia/Almaty",
        "Europe/Berlin",
        "UTC",
    ),
}
ZONE_MATCHES_SHOWN = 8
ZONE_QUERY_MAX = 64
# Not places: the tz database's aliases for its own files and its compatibility directories.
_NOT_ZONES = ("posix/", "right/", "SystemV/")
_NOT_ZONE_NAMES = frozenset({"posixrules", "Factory", "localtime"})


def common_zones(locale: str) -> tuple[str, ...]:
    return COMMON_ZONES.get(locale, COMMON_ZONES["en"])


@cache
def known_zones() -> tuple[str, ...]:
    """The IANA zone names of the tz database, sorted."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if name not in _NOT_ZONE_NAMES and not name.startswith(_NOT_ZONES)
        )
    )


def is_zone(name: str) -> bool:
    return name in known_zones() or name == DEFAULT_ZONE


def zone_of(name: str) -> ZoneInfo:
    """The zone of a stored name; UTC for a name the tz database does not know (any more)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


# Cities as Russian speakers type them (the tz database names its zones in English).
ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "Europe/Kaliningrad": ("калининград",),
    "Europe/Moscow": (
        "москва",
        "санкт-петербург",
        "петербург",
        "казань",
        "нижний новгород",
        "ростов-на-дону",
        "воронеж",
        "сочи",
    ),
    "Europe/Samara": ("самара", "ижевск"),
    "Europe/Volgograd": ("волгоград",),
    "Asia/Yekaterinburg": ("екатеринбург", "челябинск", "пермь", "уфа", "тюмень"),
    "Asia/Omsk": ("омск",),
    "Asia/Novosibirsk": ("новосибирск",),
    "Asia/Krasnoyarsk": ("красноярск",),
    "Asia/Irkutsk": ("иркутск",),
    "Asia/Yakutsk": ("якутск",),
    "Asia/Vladivostok": ("владивосток", "хабаровск"),
    "Asia/Magadan": ("магадан",),
    "Asia/Kamchatka": ("петропавловск-камчатский", "камчатка"),
    "Europe/Kyiv": ("киев", "київ"),
    "Europe/Minsk": ("минск",),
    "Europe/Chisinau": ("кишинев",),
    "Europe/Riga": ("рига",),
    "Europe/Vilnius": ("вильнюс",),
    "Europe/Tallinn": ("таллин", "таллинн"),
    "Asia/Almaty": ("алматы", "алма-ата", "астана"),
    "Asia/Tashkent": ("ташкент",),
    "Asia/Bishkek": ("бишкек",),
    "Asia/Tbilisi": ("тбилиси",),
    "Asia/Yerevan": ("ереван",),
    "Asia/Baku": ("баку",),
    "Asia/Jerusalem": ("иерусалим", "тель-авив"),
    "Europe/Istanbul": ("стамбул",),
    "Europe/Berlin": ("берлин",),
    "Europe/London": ("лондон",),
    "Europe/Paris": ("париж",),
    "Europe/Warsaw": ("варшава",),
    "Europe/Prague": ("прага",),
    "America/New_York": ("нью-йорк",),
}


def _spoken(name: str) -> str:
    """How a zone name is typed: case-folded, spaces for underscores."""
    return name.replace("_", " ").casefold().replace("ё", "е")


def _names(zone: str) -> tuple[str, list[str]]:
    """A zone's full name and its cities (the last component, and the aliases), as typed."""
    full = _spoken(zone)
    return full, [full.rsplit("/", 1)[-1], *ZONE_ALIASES.get(zone, ())]


def search_zones(query: str) -> list[str]:
    """Zones whose name or city (last component, or a Russian alias) contains the query,
    case-insensitively, with spaces for underscores ("new york" finds America/New_York); exact
    names first, then exact cities, then cities that start with the query, then the rest,
    each alphabetically."""
    needle = " ".join(_spoken(query).split())
    if not needle:
        return []
    ranked: list[tuple[int, str]] = []
    for zone in known_zones():
        full, cities = _names(zone)
        if full == needle:
            rank = 0
        elif needle in cities:
            rank = 1
        elif any(city.startswith(needle) for city in cities):
            rank = 2
        elif needle in full or any(needle in city for city in cities):
            rank = 3
        else:
            continue
        ranked.append((rank, zone))
    ranked.sort()
    return [zone for _rank, zone in ranked]


def chosen_zone(query: str, matches: Sequence[str]) -> str | None:
    """The one zone a search names: its only match, or the one zone whose full name or city is
    exactly the query."""
    if len(matches) == 1:
        return matches[0]
    needle = " ".join(_spoken(query).split())
    exact = [zone for zone in matches if _names(zone)[0] == needle]
    if len(exact) == 1:
        return exact[0]
    cities = [zone for zone in matches if needle in _names(zone)[1]]
    return cities[0] if len(cities) == 1 else None


# --- zones near a shared location ---

NEAR_ZONES_SHOWN = 3
_COORDINATES = re.compile(r"^([+-]\d{4,6})([+-]\d{5,7})$")


def _degrees(value: str, degree_digits: int) -> float:
    """±DDMM[SS] (or ±DDDMM[SS]) of the tz database's tables, in degrees."""
    sign = -1 if value[0] == "-" else 1
    digits = value[1:]
    degrees = int(digits[:degree_digits])
    minutes = int(digits[degree_digits : degree_digits + 2])
    seconds = int(digits[degree_digits + 2 :] or 0)
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _zone_table() -> str | None:
    """zone1970.tab of the tzdata package, or of the system's tz database."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab")
        if table.is_file():
            return table.read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        pass
    for folder in TZPATH:
        path = Path(folder) / "zone1970.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


@cache
def zone_places() -> tuple[tuple[str, float, float], ...]:
    """Each zone's principal place: (zone, latitude, longitude); empty without the table."""
    places: list[tuple[str, float, float]] = []
    for line in (_zone_table() or "").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or not is_zone(fields[2]):
            continue
        match = _COORDINATES.match(fields[1])
        if match is None:
            continue
        lat, lon = match.groups()
        places.append((fields[2], _degrees(lat, 2), _degrees(lon, 3)))
    return tuple(places)


def _distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance, in radians (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * math.asin(min(1.0, math.sqrt(h)))


def zones_near(latitude: float, longitude: float) -> list[str]:
    """The zones whose principal places are nearest to a location, nearest first (a location
    near a border may lie in the second one: the learner chooses)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return []
    ranked = sorted(zone_places(), key=lambda p: _distance(latitude, longitude, p[1], p[2]))
    return [zone for zone, _lat, _lon in ranked[:NEAR_ZONES_SHOWN]]


def zone_offset(name: str, now: datetime) -> timedelta:
    """The zone's offset from UTC at `now`."""
    return now.astimezone(zone_of(name)).utcoffset() or timedelta(0)


def offset_label(offset: timedelta) -> str:
    """UTC+3, UTC−5, UTC+5:30, UTC±0."""
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC±0"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def set_time_zone(settings: LearningSettings, name: str) -> bool:
    """Keep the learner's zone; False for a name that is no zone."""
    if not is_zone(name):
        return False
    settings.time_zone = name
    return True


def local_to_utc(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock hour of a local day.

    An hour that does not exist that day (a daylight saving gap) moves forward by the gap;
    an hour that happens twice (clocks turned back) is its first occurrence, so it fires once."""
    wall = datetime(day.year, day.month, day.day, hour, tzinfo=zone)  # fold=0: the first
    return wall.astimezone(UTC)


def latest_slot(now: datetime, zone: ZoneInfo, hours: Sequence[int]) -> datetime | None:
    """The UTC start of the latest enabled slot at or before `now` (slots are local hours of
    the learner's zone: they follow daylight saving time)."""
    today = now.astimezone(zone).date()
    starts = [
        local_to_utc(today + timedelta(days=day), hour, zone) for day in (-1, 0) for hour in hours
    ]
    passed = [start for start in starts if start <= now]
    return max(passed) if passed else None


def slot_to_fire(settings: LearningSettings, now: datetime) -> datetime | None:
    """The slot a reminder is due for now, if any (each slot fires once)."""
    if settings.paused:
        return None
    slot = latest_slot(now, zone_of(settings.time_zone), enabled_slots(settings))
    if slot is None or now - slot >= SLOT_GRACE:
        return None
    if settings.last_slot_at is not None and settings.last_slot_at >= slot:
        return None
    return slot


async def touch_activity(session: AsyncSession, user_id: int, now: datetime) -> None:
    """An answer in a session: reminders leave the learner alone for a while, and resume."""
    await session.execute(
        update(LearningSettings)
        .where(LearningSettings.user_id == user_id)
        .values(last_activity_at=now, unanswered=0, paused=False)
    )


async def resume_reminders(session: AsyncSession, user_id: int) -> None:
    """Any activity resumes paused reminders (written only when something changes)."""
    settings = await session.get(LearningSettings, user_id)
    if settings is not None and (settings.paused or settings.unanswered):
        settings.paused = False
        settings.unanswered = 0


# --- review sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    position: int  # 1-based
    total: int
    front: str
    back: str
    token: int
    offer_snooze: bool


async def open_session(
    session: AsyncSession, chat_id: int, user_id: int, *, lock: bool = False
) -> TrainingSession | None:
    """The learner's session row (expired or not), locked for a check-and-advance if asked."""
    stmt = select(TrainingSession).where(
        TrainingSession.chat_id == chat_id, TrainingSession.user_id == user_id
    )
    if lock:
        stmt = _lock(session, stmt)
    return await session.scalar(stmt.execution_options(populate_existing=True))


def is_expired(row: TrainingSession | GameSession, now: datetime) -> bool:
    return now >= row.expires_at


async def due_count(session: AsyncSession, user_id: int, now: datetime) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(WordPair.user_id == user_id, WordPair.due <= now)
        )
        or 0
    )


async def pick_cards(session: AsyncSession, user_id: int, now: datetime, limit: int) -> list[int]:
    """Up to `limit` pairs: due reviewed pairs first (most overdue first), then new ones."""
    due = list(
        await session.scalars(
            select(WordPair.id)
            .where(WordPair.user_id == user_id, WordPair.reps > 0, WordPair.due <= now)
            .order_by(WordPair.due, WordPair.id)
            .limit(limit)
        )
    )
    if len(due) < limit:
        due += list(
            await session.scalars(
                select(WordPair.id)
                .where(WordPair.user_id == user_id, WordPair.reps == 0)
                .order_by(WordPair.due, WordPair.id)
                .limit(limit - len(due))
            )
        )
    return due


async def start_session(
    session: AsyncSession,
    chat_id: int,
    user_id: int,
    now: datetime,
    limit: int,
    *,
    offer_snooze: bool = False,
) -> TrainingSession | None:
    """A new session over the picked cards (None when there is nothing to review).

    An expired row of this chat is replaced."""
    ids = await pick_cards(session, user_id, now, limit)
    if not ids:
        return None
    await session.execute(
        delete(TrainingSession).where(
            TrainingSession.chat_id == chat_id, TrainingSession.user_id == user_id
        )
    )
    row = TrainingSession(
        chat_id=chat_id,
        user_id=user_id,
        cards=[[pair_id, random.randint(0, 1)] for pair_id in ids],
        position=0,
        token=new_token(),
        grades={},
        offer_snooze=offer_snooze,
        last_activity_at=now,
        expires_at=now + SESSION_TTL,
    )
    session.add(row)
    await session.flush()
    return row


async def current_card(session: AsyncSession, row: TrainingSession) -> CardView | None:
    """The card the session is on; pairs deleted meanwhile are passed over. None at the end."""
    while row.position < len(row.cards):
        pair_id, direction = row.cards[row.position]
        pair = await session.get(WordPair, pair_id)
        if pair is not None:
            front, back = (
                (pair.word, pair.translation) if direction == 0 else (pair.translation, pair.word)
            )
            return CardView(
                position=row.position + 1,
                total=len(row.cards),
                front=front,
                back=back,
                token=row.token,
                offer_snooze=row.offer_snooze and row.position == 0,
            )
        row.position += 1
    return None


def refresh(row: TrainingSession | GameSession, now: datetime) -> None:
    """A step of the session: a new token and 24 more hours."""
    row.token = new_token()
    row.last_activity_at = now
    row.expires_at = now + SESSION_TTL


def schedule(pair: WordPair, rating: Rating, now: datetime) -> None:
    """Grade a pair with FSRS: its card state and due date move on."""
    if pair.fsrs_card:
        card = Card.from_dict(pair.fsrs_card)  # type: ignore[arg-type]
        card.due = pair.due  # a snooze moves only the column
    else:
        card = Card(card_id=pair.id, due=now)
    card, _log = _scheduler.review_card(card, rating, review_datetime=now)
    pair.fsrs_card = dict(card.to_dict())
    pair.due = card.due
    pair.reps += 1


GRADES = range(1, 5)  # 1 Again … 4 Easy
# A typed answer grades the card: right is Good, wrong is Again.
TYPED_RIGHT, TYPED_WRONG = 3, 1


@dataclass(frozen=True)
class Graded:
    """A card graded: the card as it was, and what comes next (None: the session is over)."""

    card: CardView
    grade: int
    next_card: CardView | None
    grades: dict[str, int]  # the session's grades so far, by rating


async def grade_card(
    session: AsyncSession, chat_id: int, user_id: int, token: int, grade: int, now: datetime
) -> Graded:
    """Check-and-advance: only the current card's token grades, once; then the token changes.

    The button check (keyboards.card_target) let the press through; one that lost a race with
    another step since (the same card graded twice at once) is stale."""
    row = await open_session(session, chat_id, user_id, lock=True)
    if row is None or row.token != token or grade not in GRADES or is_expired(row, now):
        raise Refused(STALE)
    card = await current_card(session, row)
    if card is None:
        raise Refused(STALE)
    return await _grade(session, row, card, grade, now)


@dataclass(frozen=True)
class Answered:
    """A typed answer: whether it was right, and the grade it gave (Graded)."""

    right: bool
    graded: Graded


async def answer_card(
    session: AsyncSession, row: TrainingSession, card: CardView, answer: str, now: datetime
) -> Answered:
    """Grade the current card (`card`, of the locked open `row`) by a typed answer: the hidden
    side typed right is Good, anything else Again."""
    right = answer_matches(answer, card.back)
    graded = await _grade(session, row, card, TYPED_RIGHT if right else TYPED_WRONG, now)
    return Answered(right, graded)


async def _grade(
    session: AsyncSession, row: TrainingSession, card: CardView, grade: int, now: datetime
) -> Graded:
    pair = await session.get(WordPair, row.cards[row.position][0])
    assert pair is not None
    schedule(pair, Rating(grade), now)
    grades = dict(row.grades)
    grades[str(grade)] = grades.get(str(grade), 0) + 1
    row.grades = grades
    row.position += 1
    refresh(row, now)
    await touch_activity(session, row.user_id, now)
    next_card = await current_card(session, row)
    if next_card is None:
        await session.delete(row)
    return Graded(card, grade, next_card, grades)


async def end_review(session: AsyncSession, chat_id: int, user_id: int) -> None:
    """The learner left the review (/cancel, another flow): its session ends. The grades given
    stay with the pairs; the cards not reached are still due, and /review starts afresh."""
    await session.execute(
        delete(TrainingSession).where(
            TrainingSession.chat_id == chat_id, TrainingSession.user_id == user_id
        )
    )


async def resume_card(
    session: AsyncSession, row: TrainingSession, now: datetime
) -> CardView | None:
    """Show the current card again (a new message): a new token, the old buttons stop working."""
    refresh(row, now)
    card = await current_card(session, row)
    if card is None:
        await session.delete(row)
    return card


async def snooze(
    session: AsyncSession, chat_id: int, user_id: int, token: int, days: int, now: datetime
) -> int:
    """Push every overdue card by `days` and end the session; how many cards moved."""
    row = await open_session(session, chat_id, user_id, lock=True)
    stale = row is None or row.token != token or not row.offer_snooze or is_expired(row, now)
    if stale or days not in SNOOZE_DAYS:
        raise Refused(STALE)
    result = await session.execute(
        update(WordPair)
        .where(WordPair.user_id == user_id, WordPair.due <= now)
        .values(due=now + timedelta(days=days))
    )
    await session.delete(row)
    await touch_activity(session, user_id, now)
    return int(getattr(result, "rowcount", 0) or 0)


async def next_due(session: AsyncSession, user_id: int) -> datetime | None:
    return await session.scalar(select(func.min(WordPair.due)).where(WordPair.user_id == user_id))


# --- for the jobs --------------------------------------------------------------------------------


async def reminder_candidates(session: AsyncSession, now: datetime) -> list[int]:
    """Learners with a slot to fire now and cards due: not paused, not blocking the bot."""
    has_due = exists().where(WordPair.user_id == LearningSettings.user_id, WordPair.due <= now)
    rows = (
        await session.scalars(
            select(LearningSettings)
            .join(User, User.id == LearningSettings.user_id)
            .where(LearningSettings.paused == false(), User.is_blocked == false(), has_due)
        )
    ).all()
    return [row.user_id for row in rows if slot_to_fire(row, now) is not None]


async def claim_learner(session: AsyncSession, user_id: int) -> LearningSettings | None:
    """The learner's settings, locked for this process (a reminder is being decided)."""
    stmt = select(LearningSettings).where(LearningSettings.user_id == user_id)
    found: LearningSettings | None = await session.scalar(
        for_claim(session, stmt).execution_options(populate_existing=True)
    )
    return found


async def claim_expired_sessions(
    session: AsyncSession, now: datetime, limit: int = 1000
) -> list[TrainingSession]:
    """Review sessions past their expiry, locked for this process (the caller deletes them)."""
    stmt = select(TrainingSession).where(TrainingSession.expires_at <= now).limit(limit)
    return list(await session.scalars(for_claim(session, stmt)))


async def users_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}
