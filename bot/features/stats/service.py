"""The figures of /stats, computed with SQL that runs the same on PostgreSQL and SQLite.

Runs of the last 7 days are counted by the day they started (a cohort): how many started, and
how many of those completed, were cancelled (or left: pushed aside by another flow or command)
or expired. The median time to complete is computed in Python from the durations of the
completed runs (at most MEDIAN_SAMPLE of the newest per kind).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.flow_runs import ACTIVE, CANCELLED, COMPLETED, EXPIRED, FAILED, LEFT, FlowRun
from bot.features.core.models import User
from bot.features.events.models import SENT, UPCOMING, Event
from bot.features.profile.models import Profile
from bot.features.training.models import WordPair
from bot.features.training.service import REVIEW_CARD_POSTED
from bot.features.voting.models import CLOSED, VotingSession
from bot.outbox import service as outbox
from bot.outbox.models import SENT as OUTBOX_SENT
from bot.outbox.models import OutboxMessage

DAYS = 7
MEDIAN_SAMPLE = 1000
# Reviewed cards and learners are read from the pairs changed in the window (the last review of
# their FSRS card): a card reviewed twice in the window counts once.
REVIEW_SAMPLE = 50_000


@dataclass
class KindWeek:
    started: int = 0
    completed: int = 0
    cancelled: int = 0  # cancelled or left
    expired: int = 0
    failed: int = 0
    median_seconds: float | None = None


@dataclass
class Stats:
    members: int
    profiles: int
    published: int
    active: dict[str, int]
    week: dict[str, KindWeek]
    days: list[date]
    started_by_day: list[int]
    completed_by_day: list[int]
    events_ahead: int
    voting_open: int
    learners: int
    cards_reviewed: int
    outbox_depth: int
    outbox_oldest_seconds: int | None
    reminders_sent: int  # event reminders (24 h and 1 h before)
    review_reminders_sent: int  # review reminder cards delivered


def median_seconds(durations: list[float]) -> float | None:
    """The median of the durations (None when there are none)."""
    return float(median(durations)) if durations else None


def bucket(kind_status: list[tuple[str, str, int]]) -> dict[str, KindWeek]:
    """Counts by (kind, status) into a row per kind: left counts as cancelled."""
    week: dict[str, KindWeek] = defaultdict(KindWeek)
    for kind, status, count in kind_status:
        row = week[kind]
        row.started += count
        if status == COMPLETED:
            row.completed += count
        elif status in (CANCELLED, LEFT):
            row.cancelled += count
        elif status == EXPIRED:
            row.expired += count
        elif status == FAILED:
            row.failed += count
    return dict(sorted(week.items()))


def per_day(moments: list[datetime], days: list[date]) -> list[int]:
    """How many of the moments fall on each day (UTC)."""
    index = {day: i for i, day in enumerate(days)}
    counts = [0] * len(days)
    for moment in moments:
        i = index.get(moment.date())
        if i is not None:
            counts[i] += 1
    return counts


def reviewed_since(
    cards: list[tuple[int, dict[str, object] | None]], since: datetime
) -> tuple[int, int]:
    """Of (owner, FSRS card) pairs: how many cards were last reviewed at or after `since`, and
    by how many learners."""
    count = 0
    learners: set[int] = set()
    for user_id, card in cards:
        raw = card.get("last_review") if card else None
        if isinstance(raw, str):
            try:
                reviewed = datetime.fromisoformat(raw) >= since
            except ValueError:
                continue
            if reviewed:
                count += 1
                learners.add(user_id)
    return count, len(learners)


async def compute(session: AsyncSession, now: datetime) -> Stats:
    since = now - timedelta(days=DAYS)
    today = now.date()
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    day_start = datetime.combine(days[0], datetime.min.time(), tzinfo=now.tzinfo)

    members = await session.scalar(select(func.count()).select_from(User).where(~User.is_blocked))
    profiles = await session.scalar(select(func.count()).select_from(Profile))
    published = await session.scalar(
        select(func.count()).select_from(Profile).where(Profile.published_message_id.is_not(None))
    )
    active_rows = await session.execute(
        select(FlowRun.kind, func.count()).where(FlowRun.status == ACTIVE).group_by(FlowRun.kind)
    )
    active = {kind: int(count) for kind, count in active_rows}
    grouped = await session.execute(
        select(FlowRun.kind, FlowRun.status, func.count())
        .where(FlowRun.started_at >= since)
        .group_by(FlowRun.kind, FlowRun.status)
    )
    week = bucket([(kind, status, int(count)) for kind, status, count in grouped])
    durations: dict[str, list[float]] = defaultdict(list)
    done_rows = await session.execute(
        select(FlowRun.kind, FlowRun.started_at, FlowRun.ended_at)
        .where(FlowRun.started_at >= since, FlowRun.status == COMPLETED)
        .order_by(FlowRun.started_at.desc())
        .limit(MEDIAN_SAMPLE * max(1, len(week)))
    )
    for kind, started_at, ended_at in done_rows:
        if ended_at is not None and len(durations[kind]) < MEDIAN_SAMPLE:
            durations[kind].append(max(0.0, (ended_at - started_at).total_seconds()))
    for kind, row in week.items():
        row.median_seconds = median_seconds(durations.get(kind, []))
    chart_rows = (
        await session.execute(
            select(FlowRun.started_at, FlowRun.status, FlowRun.ended_at).where(
                FlowRun.started_at >= day_start
            )
        )
    ).all()
    started_by_day = per_day([row[0] for row in chart_rows], days)
    completed_by_day = per_day(
        [row[2] for row in chart_rows if row[1] == COMPLETED and row[2] is not None], days
    )
    events_ahead = await session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.status == UPCOMING, Event.starts_at > now)
    )
    voting_open = await session.scalar(
        select(func.count()).select_from(VotingSession).where(VotingSession.status != CLOSED)
    )
    # A pair's updated_at moves with each review: only the pairs changed in the window are read.
    cards = (
        await session.execute(
            select(WordPair.user_id, WordPair.fsrs_card)
            .where(WordPair.updated_at >= since, WordPair.fsrs_card.is_not(None))
            .limit(REVIEW_SAMPLE)
        )
    ).all()
    cards_reviewed, learners = reviewed_since([(user, card) for user, card in cards], since)
    depth = await outbox.depth(session, now)
    oldest = max(0, int((now - depth.oldest).total_seconds())) if depth.oldest is not None else None
    reminders_sent = 0
    for state, at in (
        (Event.reminder_24h_state, Event.reminder_24h_at),
        (Event.reminder_1h_state, Event.reminder_1h_at),
    ):
        sent = await session.scalar(
            select(func.count()).select_from(Event).where(state == SENT, at >= since, at <= now)
        )
        reminders_sent += int(sent or 0)
    # A review reminder is the one card the training job posts through the outbox (a card of
    # /review is a direct reply); delivered rows are kept 7 days, as long as this window.
    review_reminders = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.on_sent == REVIEW_CARD_POSTED,
            OutboxMessage.status == OUTBOX_SENT,
            OutboxMessage.sent_at >= since,
        )
    )
    return Stats(
        members=int(members or 0),
        profiles=int(profiles or 0),
        published=int(published or 0),
        active=dict(sorted(active.items())),
        week=week,
        days=days,
        started_by_day=started_by_day,
        completed_by_day=completed_by_day,
        events_ahead=int(events_ahead or 0),
        voting_open=int(voting_open or 0),
        learners=learners,
        cards_reviewed=cards_reviewed,
        outbox_depth=depth.pending,
        outbox_oldest_seconds=oldest,
        reminders_sent=reminders_sent,
        review_reminders_sent=int(review_reminders or 0),
    )
