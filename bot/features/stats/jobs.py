"""Runs whose conversation expired: the FSM record went at its TTL, so nothing ended the run.

A run's `expires_at` is when its FSM record may have gone at the latest if nobody wrote to it
(start + TTL). When it has passed, the job looks at the record: still there with the run's flow
(active or paused), the run goes on and is looked at again a TTL later; gone, the run is
`expired`. Nothing is written per step of a flow.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select

from bot.db.flow_runs import ACTIVE, EXPIRED, FlowRun
from bot.fsm.frame import FramedStorage
from bot.jobs.claim import for_claim
from bot.jobs.runner import Job, JobContext, seconds_until
from bot.telegram import prompts
from bot.telegram.flows import group_of

EXPIRY_JOB = "flow-runs-expiry"
BATCH = 200


def expiry_job(storage: FramedStorage) -> Job:
    async def until_due(context: JobContext) -> float | None:
        async with context.session_factory() as session:
            earliest = await session.scalar(
                select(func.min(FlowRun.expires_at)).where(FlowRun.status == ACTIVE)
            )
        return seconds_until(earliest, context.now())

    async def run(context: JobContext) -> int:
        now = context.now()
        ttl = timedelta(seconds=context.settings.fsm_ttl_seconds)
        bot_id = context.bot.id
        done = 0
        async with context.session_factory() as session, session.begin():
            stmt = (
                select(FlowRun)
                .where(FlowRun.status == ACTIVE, FlowRun.expires_at <= now)
                .order_by(FlowRun.expires_at)
                .limit(BATCH)
            )
            for row in (await session.scalars(for_claim(session, stmt))).all():
                key = StorageKey(bot_id=bot_id, chat_id=row.chat_id, user_id=row.user_id)
                state, data = await storage.load(key)
                paused = data.get(prompts.PAUSED)
                alive = (state is not None and group_of(state) == row.kind) or (
                    isinstance(paused, dict) and row.kind in paused
                )
                if alive:
                    row.expires_at = now + ttl
                else:
                    row.status = EXPIRED
                    row.ended_at = now
                    done += 1
        return done

    return Job(EXPIRY_JOB, interval=600, run=run, until_due=until_due)
