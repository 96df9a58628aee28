"""Posts of events in the community chat: the live announcement and the reminders job."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.events.keyboards import join_keyboard, type_label
from bot.features.events.models import Event
from bot.features.events.service import (
    ANNOUNCEMENT_POSTED,
    REMINDER_JOB,
    apply_reminder_plan,
    due_reminders_stmt,
    format_local,
    next_reminder_at,
    plan_reminders,
    reminder_hours_left,
    skip_due,
)
from bot.i18n import Html, Translator, get_translator
from bot.jobs.claim import for_claim
from bot.jobs.runner import Job, JobContext, seconds_until
from bot.outbox import sender as outbox

log = logging.getLogger(__name__)

# The job sleeps until the earliest pending reminder, and is woken when this process arms
# reminders; events written by another process are seen within this many seconds.
REMINDER_INTERVAL = 30.0
# Rows handled by one round; the next round follows at once while reminders remain due.
MAX_PER_ROUND = 50


def community_translator(settings: Settings) -> Translator:
    """Posts in the community chat are read by everyone: the configured default language."""
    return get_translator(settings.default_locale)


async def post_announcement(
    session: AsyncSession, settings: Settings, event: Event, link: str
) -> bool:
    """Queue the announcement of a live event for the announcements topic; once posted it is
    pinned with a notification (see service.record_announcement).

    False when no community chat is configured."""
    chat_id = settings.community_chat_id
    if chat_id is None:
        return False
    t = community_translator(settings)
    await outbox.post(
        session,
        chat_id,
        t("events-announcement", name=event.name, type=type_label(t, event.type)),
        thread_id=settings.announcements_topic_id,
        markup=join_keyboard(t, link),
        on_sent=ANNOUNCEMENT_POSTED,
        owner_id=event.id,
    )
    return True


async def unpin_announcement(session: AsyncSession, event: Event) -> None:
    if event.announcement_chat_id is None or event.announcement_message_id is None:
        return
    await outbox.unpin(session, event.announcement_chat_id, event.announcement_message_id)


def reminder_text(t: Translator, settings: Settings, event: Event, context: JobContext) -> str:
    hours, minutes = reminder_hours_left(event, context.now())
    when = (
        t("events-in-hours", hours=str(hours))
        if hours
        else t("events-in-minutes", minutes=str(minutes))
    )
    return t(
        "events-reminder",
        name=event.name,
        type=type_label(t, event.type),
        start=format_local(event.starts_at, settings.timezone),
        zone=settings.community_timezone,
        when=Html(when),
    )


async def send_due_reminders(context: JobContext) -> int:
    """Queue every due reminder once, skip the missed ones; returns how many were queued.

    One short transaction per event: claim the row (FOR UPDATE SKIP LOCKED on PostgreSQL, the
    write lock on SQLite), queue the post in the outbox, mark, commit. A second process skips
    the claimed row and, once it is committed, no longer finds it due; a restart finds what is
    still due.
    """
    settings = context.settings
    t = community_translator(settings)
    posted = 0
    seen: list[int] = []
    for _ in range(MAX_PER_ROUND):
        async with context.session_factory() as session, session.begin():
            now = context.now()
            event = await session.scalar(for_claim(session, due_reminders_stmt(now, seen)))
            if event is None:
                break
            seen.append(event.id)
            plan = plan_reminders(event, now)
            if plan.send is None or settings.community_chat_id is None:
                skip_due(event, plan)
                continue
            await outbox.post(
                session,
                settings.community_chat_id,
                reminder_text(t, settings, event, context),
                thread_id=settings.announcements_topic_id,
            )
            apply_reminder_plan(event, plan)
            posted += 1
    return posted


async def reminders_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        return seconds_until(await next_reminder_at(session), context.now())


reminders_job = Job(
    REMINDER_JOB, interval=REMINDER_INTERVAL, run=send_due_reminders, until_due=reminders_due
)
