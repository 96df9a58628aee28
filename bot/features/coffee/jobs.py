"""Random Coffee's jobs: open the week's poll, and pair the rounds whose time has come.

Opening: the round row is created once per chat and week (a unique constraint), with the poll
queued in the outbox in the same transaction, so two processes post one poll. Pairing: each due
round is claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL), paired, announced (outbox) and marked
in one transaction, so it is paired exactly once, before or after a restart.
"""

from __future__ import annotations

import logging

from bot.features.coffee import publish, service
from bot.features.coffee.service import PAIRS_JOB, POLLS_JOB, Schedule
from bot.jobs.runner import Job, JobContext, seconds_until

log = logging.getLogger(__name__)

# Both jobs sleep until their next due moment; a change made by another process (an admin's
# /coffee_now there) is seen within this many seconds.
POLLS_INTERVAL = 60.0
PAIRS_INTERVAL = 30.0
# Rounds paired per run at most (there is one chat: one is the usual number).
ROUNDS_PER_RUN = 10


async def open_weekly_poll(context: JobContext) -> int:
    """Open this week's round and queue its poll, once (1 when this run opened it)."""
    settings = context.settings
    schedule = Schedule.of(settings)
    if schedule is None or settings.community_chat_id is None:
        return 0  # Random Coffee is off
    now = context.now()
    week = schedule.scheduled(now)
    if now >= week.pairs_at:
        return 0  # the bot was down for the whole poll: no poll that closes at once
    async with context.session_factory() as session, session.begin():
        coffee = await service.create_round(
            session,
            chat_id=settings.community_chat_id,
            thread_id=settings.coffee_topic_id,
            week=week,
            locale=settings.default_locale,
        )
        if coffee is None:
            return 0  # opened already (here, by another process, or by /coffee_now)
        await publish.post_poll(session, coffee)
    log.info("coffee: round %s (%s) opened", coffee.id, week.key)
    return 1


async def polls_due(context: JobContext) -> float | None:
    settings = context.settings
    schedule = Schedule.of(settings)
    if schedule is None or settings.community_chat_id is None:
        return None
    now = context.now()
    week = schedule.scheduled(now)
    if now < week.pairs_at:
        async with context.session_factory() as session:
            if await service.needs_round(session, settings.community_chat_id, week.key):
                return 0.0
    return seconds_until(schedule.following(schedule.poll, now), now)


async def pair_due_rounds(context: JobContext) -> int:
    """Pair every open round whose pairing time has come; how many were paired."""
    failed: set[int] = set()
    done = 0
    for _ in range(ROUNDS_PER_RUN):
        claimed: int | None = None
        try:
            async with context.session_factory() as session, session.begin():
                coffee = await service.claim_due_round(session, context.now(), failed)
                if coffee is None:
                    break
                claimed = coffee.id
                pairing = await publish.pair_and_announce(
                    session, context.settings, coffee, context.now()
                )
            log.info("coffee: round %s paired (%s groups)", claimed, len(pairing.groups))
            done += 1
        except Exception:
            if claimed is None:
                raise
            log.exception("coffee: pairing round %s failed, retried next run", claimed)
            failed.add(claimed)
    return done


async def pairs_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        return seconds_until(await service.next_pairs_at(session), context.now())


JOBS = (
    Job(POLLS_JOB, interval=POLLS_INTERVAL, run=open_weekly_poll, until_due=polls_due),
    Job(PAIRS_JOB, interval=PAIRS_INTERVAL, run=pair_due_rounds, until_due=pairs_due),
)
