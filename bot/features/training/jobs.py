"""Training jobs: review reminders at the learners' slots, and the cleanup of expired sessions.

Each reminder is decided and queued in one short transaction that claims the learner's
settings row (FOR UPDATE SKIP LOCKED on PostgreSQL) and marks the slot: with several processes,
or after a crash and a rerun, a slot fires once. Messages go out through the outbox once the
transaction commits.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.features.core.models import User
from bot.features.training import service
from bot.features.training.keyboards import card_keyboard
from bot.features.training.views import card_text, translator_for
from bot.jobs.runner import Job, JobContext
from bot.outbox import sender as outbox
from bot.outbox.service import message_key

log = logging.getLogger(__name__)

REMINDERS_JOB = "training-reminders"
CLEANUP_JOB = "training-cleanup"


async def claim_reminder(context: JobContext, user_id: int, now: datetime) -> bool:
    """Claim the learner's slot, mark it, set up the session and queue its messages, in one short
    transaction (the messages go out through the outbox once it commits).

    The slot is marked in the transaction that queues the reminder: a second process (or a rerun
    after a crash) finds it taken, so a reminder is never sent twice."""
    async with context.session_factory() as session, session.begin():
        settings = await service.claim_learner(session, user_id)
        slot = service.slot_to_fire(settings, now) if settings is not None else None
        if settings is None or slot is None:
            return False  # another process took it, or there is no slot now
        settings.last_slot_at = slot
        old = await service.open_session(session, user_id, user_id, lock=True)
        recent = [settings.last_activity_at]
        if old is not None and not service.is_expired(old, now):
            recent.append(old.last_activity_at)
        if any(at is not None and now - at < service.ACTIVE_WINDOW for at in recent):
            return False  # busy learning: this slot is skipped
        due = await service.due_count(session, user_id, now)
        if due == 0:
            return False
        user = await session.get(User, user_id)
        t = translator_for(user, context.settings.default_locale)
        if old is not None and old.message_id is not None:
            await outbox.edit(
                session,
                user_id,
                t("training-card-expired"),
                key=message_key(service.REVIEW_CARD, old.id),
                message_id=old.message_id,
            )
        limit = settings.cards_per_session
        row = await service.start_session(
            session, user_id, user_id, now, limit, offer_snooze=due > limit
        )
        card = await service.current_card(session, row) if row is not None else None
        if row is None or card is None:
            return False
        await outbox.post(
            session,
            user_id,
            card_text(t, card, t("training-card-reminder", due=str(due))),
            markup=card_keyboard(t, card.token, snooze=card.offer_snooze),
            key=message_key(service.REVIEW_CARD, row.id),
            on_sent=service.REVIEW_CARD_POSTED,
            owner_id=row.id,
        )
        settings.unanswered += 1
        if settings.unanswered >= service.PAUSE_AFTER:
            settings.paused = True
            await outbox.post(
                session, user_id, t("training-reminders-paused", count=str(settings.unanswered))
            )
        return True


async def run_reminders(context: JobContext) -> int:
    """At each enabled slot of a learner's day: a review session of the cards that are due."""
    now = context.now()
    async with context.session_factory() as session:
        candidates = await service.reminder_candidates(session, now)
    sent = 0
    for user_id in candidates:
        try:
            sent += await claim_reminder(context, user_id, now)
        except Exception:
            log.exception("reminder for %s failed", user_id)
    return sent


async def run_cleanup(context: JobContext) -> int:
    """Delete expired review sessions; their card messages say so and lose their buttons."""
    now = context.now()
    async with context.session_factory() as session, session.begin():
        rows = await service.claim_expired_sessions(session, now)
        users = await service.users_by_id(session, {row.user_id for row in rows})
        for row in rows:
            if row.message_id is not None:
                t = translator_for(users.get(row.user_id), context.settings.default_locale)
                await outbox.edit(
                    session,
                    row.chat_id,
                    t("training-card-expired"),
                    key=message_key(service.REVIEW_CARD, row.id),
                    message_id=row.message_id,
                )
            await session.delete(row)
    return len(rows)


# Slots are on whole hours of the learners' days: a minute's poll is punctual enough.
JOBS = (
    Job(REMINDERS_JOB, interval=60, run=run_reminders),
    Job(CLEANUP_JOB, interval=3600, run=run_cleanup),
)
