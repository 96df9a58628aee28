"""Voting deadlines and live cards, as jobs that claim due rows (one short transaction per row).

Each row is claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL), acted on, marked and committed in
its own transaction: with several processes every row is acted on by exactly one of them, and
a row that fell due while the bot was down is found on the first round after the start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.features.voting import publish, service
from bot.features.voting.models import VotingSession
from bot.jobs.runner import Job, JobContext

# Rows handled per round at most; the rest wait for the next round (a second or so).
ROWS_PER_ROUND = 50

Step = Callable[[AsyncSession, JobContext], Awaitable[bool]]


async def _each_row(context: JobContext, step: Step) -> int:
    """Run `step` in its own transaction until it finds nothing more to do."""
    done = 0
    for _ in range(ROWS_PER_ROUND):
        async with context.session_factory() as session, session.begin():
            if not await step(session, context):
                break
        done += 1
    return done


async def _close_join_window(session: AsyncSession, context: JobContext) -> bool:
    voting = await service.claim_due_join_window(session, context.now())
    if voting is None:
        return False
    await service.start_session(session, voting)
    await publish.announce_start(context.bot, session, voting)
    return True


async def _close_proposal(session: AsyncSession, context: JobContext) -> bool:
    now = context.now()
    proposal = await service.claim_due_proposal(session, now)
    if proposal is None:
        return False
    voting = await session.get(VotingSession, proposal.session_id)
    assert voting is not None
    counted = await service.close_proposal(session, proposal, now)
    await publish.announce_result(context.bot, session, voting, proposal, counted)
    return True


async def _refresh_session_card(session: AsyncSession, context: JobContext) -> bool:
    # The pause between edits is real time (Telegram's limits), not the domain clock.
    real_now = utcnow()
    voting = await service.claim_dirty_session_card(session, real_now - service.CARD_EDIT_GAP)
    if voting is None:
        return False
    await publish.refresh_session_card(context.bot, session, voting, context.now())
    service.mark_card_edited(voting, utcnow())  # after the (paced) edit went out
    return True


async def _refresh_proposal_card(session: AsyncSession, context: JobContext) -> bool:
    real_now = utcnow()
    proposal = await service.claim_dirty_proposal_card(session, real_now - service.CARD_EDIT_GAP)
    if proposal is None:
        return False
    voting = await session.get(VotingSession, proposal.session_id)
    assert voting is not None
    await publish.refresh_proposal_card(context.bot, session, voting, proposal, context.now())
    service.mark_card_edited(proposal, utcnow())  # after the (paced) edit went out
    return True


async def close_join_windows(context: JobContext) -> int:
    return await _each_row(context, _close_join_window)


async def close_due_proposals(context: JobContext) -> int:
    return await _each_row(context, _close_proposal)


async def refresh_cards(context: JobContext) -> int:
    return await _each_row(context, _refresh_session_card) + await _each_row(
        context, _refresh_proposal_card
    )


JOBS = (
    Job("voting-join-windows", interval=1.0, run=close_join_windows),
    Job("voting-proposal-deadlines", interval=1.0, run=close_due_proposals),
    Job("voting-live-cards", interval=1.0, run=refresh_cards),
)
