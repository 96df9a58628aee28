"""Events: creating, editing, starting, finishing and deleting them; countdowns and reminders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.events.models import (
    FINISHED,
    LIVE,
    PENDING,
    SENT,
    SKIPPED,
    UPCOMING,
    Event,
)
from bot.jobs.runner import wake_on_commit
from bot.outbox.service import PIN, enqueue, sent_hook

EVENT_TYPES: tuple[str, ...] = ("club_call", "meetup", "workshop", "reading_club", "conference")
NAME_LIMIT = 100
LINK_LIMIT = 2048
RECENT_LIMIT = 10  # /event_edit offers the last ten events
PICK_PAGE = 10  # events on a page of a "pick an event" list
DATE_FORMAT = "%d.%m.%Y %H:%M"
_DATE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})\s*$")

# The job that posts reminders (bot.features.events.jobs): woken when reminders are armed.
REMINDER_JOB = "event-reminders"
# Reminders: name -> how long before the start it is posted (longest first).
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("1h", timedelta(hours=1)),
)


class StartError(StrEnum):
    MALFORMED = "malformed"
    PAST = "past"


def parse_start(text: str, tz: ZoneInfo, now: datetime) -> datetime | StartError:
    """`DD.MM.YYYY HH:MM` in the community's zone → aware UTC, or why it is refused."""
    match = _DATE_RE.match(text)
    if match is None:
        return StartError.MALFORMED
    day, month, year, hour, minute = (int(part) for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return StartError.MALFORMED
    moment = local.astimezone(UTC)
    # A wall time skipped by a DST change does not exist: it does not survive the round trip.
    back = moment.astimezone(tz)
    if (back.hour, back.minute, back.day) != (hour, minute, day):
        return StartError.MALFORMED
    if moment <= now:
        return StartError.PAST
    return moment


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(DATE_FORMAT)


def example_start(now: datetime, tz: ZoneInfo) -> str:
    """A valid example for the prompt: a week from now at 19:00 local time."""
    local = (now + timedelta(days=7)).astimezone(tz)
    return local.replace(hour=19, minute=0).strftime(DATE_FORMAT)


def is_valid_link(text: str) -> bool:
    """An http(s) URL with a host, no spaces, not absurdly long."""
    if not text or len(text) > LINK_LIMIT or any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and port_ok


@dataclass(frozen=True)
class Countdown:
    """Time left before a start: `live`, or days/hours/minutes (largest units first)."""

    live: bool = False
    due: bool = False  # the start time passed but the event was not started yet
    days: int = 0
    hours: int = 0
    minutes: int = 0


def countdown(event: Event, now: datetime) -> Countdown:
    if event.status == LIVE:
        return Countdown(live=True)
    left = event.starts_at - now
    if left <= timedelta(0):
        return Countdown(due=True)
    total_minutes = max(1, -(-int(left.total_seconds()) // 60))  # round up: never "in 0 min"
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        # Days and hours only: "in 2 d 3 h" (the minutes are noise at that distance).
        return Countdown(days=days, hours=hours)
    return Countdown(hours=hours, minutes=minutes)


# --- reading ---------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


async def events_with_status(
    session: AsyncSession, *statuses: str, limit: int = 50
) -> Sequence[Event]:
    """Events in these states, soonest first."""
    stmt = (
        select(Event)
        .where(Event.status.in_(statuses))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def upcoming_and_live(session: AsyncSession) -> Sequence[Event]:
    return await events_with_status(session, LIVE, UPCOMING, limit=50)


@dataclass(frozen=True)
class EventList:
    """The events a "pick an event" list offers, in its order, one page at a time.

    order: "soonest" (by start), "newest" (the last created first), or "open_first" (live and
    upcoming by start, then finished ones, the latest first).
    """

    statuses: tuple[str, ...] = ()  # none: every event
    order: str = "soonest"
    cap: int | None = None  # at most this many (the first ones in its order)

    async def count(self, session: AsyncSession, query: str = "") -> int:
        stmt = select(func.count()).select_from(Event)
        if self.statuses:
            stmt = stmt.where(Event.status.in_(self.statuses))
        total = int((await session.scalar(stmt)) or 0)
        return total if self.cap is None else min(total, self.cap)

    async def fetch(
        self, session: AsyncSession, query: str = "", *, offset: int = 0, limit: int = PICK_PAGE
    ) -> Sequence[Event]:
        if self.cap is not None:
            limit = max(0, min(limit, self.cap - offset))
        stmt = select(Event)
        if self.statuses:
            stmt = stmt.where(Event.status.in_(self.statuses))
        stmt = stmt.order_by(*self._order()).offset(offset).limit(limit)
        return (await session.scalars(stmt)).all()

    def _order(self) -> tuple[Any, ...]:
        if self.order == "newest":
            return (Event.id.desc(),)  # ids grow with creation
        if self.order == "open_first":
            finished = Event.status == FINISHED
            return (
                case((finished, 1), else_=0),
                case((~finished, Event.starts_at)),
                Event.starts_at.desc(),
                Event.id,
            )
        return (Event.starts_at, Event.id)


RECENT_EVENTS = EventList(order="newest", cap=RECENT_LIMIT)  # /event_edit: the last ten
ALL_EVENTS = EventList(order="newest")
UPCOMING_EVENTS = EventList((UPCOMING,))
LIVE_EVENTS = EventList((LIVE,))
TOPIC_EVENTS = EventList(order="open_first")  # whose topics one may read


async def count_topics(session: AsyncSession, event_id: int) -> int:
    from bot.features.topics.models import Topic  # topics builds on events: import when used

    stmt = select(func.count()).select_from(Topic).where(Topic.event_id == event_id)
    return int((await session.scalar(stmt)) or 0)


# --- writing ---------------------------------------------------------------------------------


def arm_reminders(event: Event, now: datetime) -> None:
    """(Re)schedule the 24 h and 1 h reminders from `starts_at`.

    A reminder whose moment is already past when it is armed (an event set up 5 hours ahead
    has no 24-hour reminder) is marked skipped: it was never due while the event existed.
    """
    for name, lead in REMINDERS:
        moment = event.starts_at - lead
        setattr(event, f"reminder_{name}_at", moment)
        setattr(event, f"reminder_{name}_state", PENDING if moment > now else SKIPPED)


async def create_event(
    session: AsyncSession, *, name: str, kind: str, starts_at: datetime, now: datetime
) -> Event:
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}")
    event = Event(name=name, type=kind, status=UPCOMING, starts_at=starts_at)
    arm_reminders(event, now)
    session.add(event)
    await session.flush()
    wake_on_commit(session, REMINDER_JOB)
    return event


def set_name(event: Event, name: str) -> None:
    event.name = name


def set_type(event: Event, kind: str) -> None:
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}")
    event.type = kind


def set_start(session: AsyncSession, event: Event, starts_at: datetime, now: datetime) -> None:
    """Move the start; the reminders move with it (both are armed again)."""
    event.starts_at = starts_at
    arm_reminders(event, now)
    wake_on_commit(session, REMINDER_JOB)


def mark_live(event: Event, *, link: str) -> None:
    """Live, with its link; the announcement's message is recorded once it is posted."""
    event.status = LIVE
    event.link = link
    event.announcement_chat_id = None
    event.announcement_message_id = None


# The outbox hook of a posted announcement: it records the message and queues its pin.
ANNOUNCEMENT_POSTED = "events.announcement-posted"


@sent_hook(ANNOUNCEMENT_POSTED)
async def record_announcement(
    session: AsyncSession, event_id: int | None, chat_id: int, message_id: int
) -> None:
    event = await session.get(Event, event_id) if event_id is not None else None
    if event is None:
        return
    event.announcement_chat_id = chat_id
    event.announcement_message_id = message_id
    # Pinned with a notification, so members hear of the event; missing rights only fail the pin.
    await enqueue(
        session, chat_id=chat_id, action=PIN, payload={"message_id": message_id, "silent": False}
    )


def mark_finished(event: Event) -> None:
    event.status = FINISHED


async def delete_event(session: AsyncSession, event: Event) -> int:
    """Delete the event and its topics (explicitly: SQLite may run without FK enforcement).

    Returns how many topics went with it."""
    from bot.features.topics.models import Topic  # topics builds on events: import when used

    result = await session.execute(delete(Topic).where(Topic.event_id == event.id))
    await session.delete(event)
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


# --- reminders -------------------------------------------------------------------------------


def due_reminders_stmt(now: datetime, exclude: Sequence[int] = ()) -> Select[Any]:
    """The next event with a reminder due (lock it with bot.jobs.claim.for_claim)."""
    stmt = select(Event).where(
        Event.status == UPCOMING,
        or_(
            (Event.reminder_24h_state == PENDING) & (Event.reminder_24h_at <= now),
            (Event.reminder_1h_state == PENDING) & (Event.reminder_1h_at <= now),
        ),
    )
    if exclude:
        stmt = stmt.where(Event.id.not_in(exclude))
    return stmt.order_by(Event.starts_at, Event.id).limit(1)


async def next_reminder_at(session: AsyncSession) -> datetime | None:
    """The moment of the earliest reminder still pending (None: none is)."""
    moments = (
        await session.execute(
            select(
                *(
                    func.min(
                        case(
                            (
                                getattr(Event, f"reminder_{name}_state") == PENDING,
                                getattr(Event, f"reminder_{name}_at"),
                            )
                        )
                    )
                    for name, _lead in REMINDERS
                )
            ).where(Event.status == UPCOMING)
        )
    ).one()
    return min((moment for moment in moments if moment is not None), default=None)


@dataclass(frozen=True)
class ReminderPlan:
    send: str | None  # the reminder to post now ("24h" / "1h"), if any
    skip: tuple[str, ...]  # reminders to mark skipped without posting


def plan_reminders(event: Event, now: datetime) -> ReminderPlan:
    """What to do with an event's due reminders at `now`.

    A reminder is due from its moment (start − lead). It is skipped, not sent late, when its
    moment passed by more than its lead time — that is, the event has already started — and
    when a shorter reminder is due too (after downtime only the most recent one is posted).
    """
    due = [
        name
        for name, _lead in REMINDERS
        if getattr(event, f"reminder_{name}_state") == PENDING
        and (moment := getattr(event, f"reminder_{name}_at")) is not None
        and moment <= now
    ]
    if not due:
        return ReminderPlan(send=None, skip=())
    if now >= event.starts_at:
        return ReminderPlan(send=None, skip=tuple(due))
    return ReminderPlan(send=due[-1], skip=tuple(due[:-1]))


def apply_reminder_plan(event: Event, plan: ReminderPlan) -> None:
    for name in plan.skip:
        setattr(event, f"reminder_{name}_state", SKIPPED)
    if plan.send is not None:
        setattr(event, f"reminder_{plan.send}_state", SENT)


def skip_due(event: Event, plan: ReminderPlan) -> None:
    """Nowhere to post (no community chat): every due reminder is skipped."""
    names = (*plan.skip, plan.send) if plan.send else plan.skip
    apply_reminder_plan(event, ReminderPlan(send=None, skip=tuple(names)))


def reminder_hours_left(event: Event, now: datetime) -> tuple[int, int]:
    """(hours, minutes) left, rounded to whole hours from one hour up (a reminder claimed a
    few seconds after its moment still says "in 24 h"), to minutes below."""
    seconds = max(0, int((event.starts_at - now).total_seconds()))
    if seconds >= 55 * 60:
        return (round(seconds / 3600), 0)
    return (0, max(1, -(-seconds // 60)))
