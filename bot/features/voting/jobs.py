"""Voting deadlines and live cards, as jobs that claim due rows (one short transaction per row).

Each row is claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL), acted on, marked and committed in
its own transaction, with the posts it causes written to the outbox in the same transaction (no
request to Telegram while it is open): with several processes every row is acted on by exactly
one of them, and a row that fell due while the bot was down is found on the first round after
the start. A row whose action fails is rolled back, left for the next round and skipped for the
rest of this one, so it never holds up the rows behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.features.voting import publish, service
from bot.features.voting.models import Proposal, VotingSession
from bot.jobs.runner import Job, JobContext, seconds_until

log = logging.getLogger(__name__)

# Rows handled per round at most; the next round follows at once while rows remain due.
ROWS_PER_ROUND = 50
# Each job sleeps until its earliest row falls due, and is woken by the writes of this process
# (see service.wake_on_commit); rows written by another process are seen within this many
# seconds.
POLL_SECONDS = 5.0

Row = TypeVar("Row", VotingSession, Proposal)


async def _each_row(
    context: JobContext,
    claim: Callable[[AsyncSession, JobContext, Collection[int]], Awaitable[Row | None]],
    act: Callable[[AsyncSession, JobContext, Row], Awaitable[None]],
) -> int:
    """Claim → act → mark → commit, one row per transaction, until nothing is left."""
    failed: set[int] = set()
    done = 0
    for _ in range(ROWS_PER_ROUND):
        claimed: int | None = None
        try:
            async with context.session_factory() as session, session.begin():
                row = await claim(session, context, failed)
                if row is None:
                    break
                claimed = row.id
                await act(session, context, row)
            done += 1
        except Exception:
            if claimed is None:
                raise
            log.exception("voting: %s %s failed, retried next round", act.__name__, claimed)
            failed.add(claimed)
    return done


# --- join windows ----------------------------------------------------------------------------


async def _claim_join_window(
    session: AsyncSession, context: JobContext, skip: Collection[int]
) -> VotingSession | None:
    return await service.claim_due_join_window(session, context.now(), skip)


async def _start_session(session: AsyncSession, context: JobContext, voting: VotingSession) -> None:
    await service.start_session(session, voting)
    await publish.announce_start(session, voting)


# --- proposal deadlines ----------------------------------------------------------------------


async def _claim_proposal(
    session: AsyncSession, context: JobContext, skip: Collection[int]
) -> Proposal | None:
    return await service.claim_due_proposal(session, context.now(), skip)


async def _close_proposal(session: AsyncSession, context: JobContext, proposal: Proposal) -> None:
    voting = await session.get(VotingSession, proposal.session_id)
    assert voting is not None
    counted = await service.close_proposal(session, proposal, context.now())
    await publish.announce_result(session, voting, proposal, counted)


# --- live cards ------------------------------------------------------------------------------
# The pause between two edits of a card is real time (Telegram's limits), not the domain
# clock, and counts from the moment the previous edit went out (recorded by its outbox hook):
# a card has at most one live edit on its way, and the next one is queued CARD_EDIT_GAP later.


async def _claim_session_card(
    session: AsyncSession, context: JobContext, skip: Collection[int]
) -> VotingSession | None:
    return await service.claim_dirty_session_card(session, utcnow() - service.CARD_EDIT_GAP, skip)


async def _edit_session_card(
    session: AsyncSession, context: JobContext, voting: VotingSession
) -> None:
    await publish.refresh_session_card(session, voting, context.now())
    service.mark_card_edit_queued(voting, utcnow())


async def _claim_proposal_card(
    session: AsyncSession, context: JobContext, skip: Collection[int]
) -> Proposal | None:
    return await service.claim_dirty_proposal_card(session, utcnow() - service.CARD_EDIT_GAP, skip)


async def _edit_proposal_card(
    session: AsyncSession, context: JobContext, proposal: Proposal
) -> None:
    voting = await session.get(VotingSession, proposal.session_id)
    assert voting is not None
    await publish.refresh_proposal_card(session, voting, proposal, context.now())
    service.mark_card_edit_queued(proposal, utcnow())


async def close_join_windows(context: JobContext) -> int:
    return await _each_row(context, _claim_join_window, _start_session)


async def close_due_proposals(context: JobContext) -> int:
    return await _each_row(context, _claim_proposal, _close_proposal)


async def refresh_cards(context: JobContext) -> int:
    sessions = await _each_row(context, _claim_session_card, _edit_session_card)
    return sessions + await _each_row(context, _claim_proposal_card, _edit_proposal_card)


# --- when each job has work next (one read, no lock) ---------------------------------------


async def join_windows_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        return seconds_until(await service.next_join_window_close(session), context.now())


async def proposals_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        return seconds_until(await service.next_proposal_close(session), context.now())


async def cards_due(context: JobContext) -> float | None:
    now = utcnow()  # the pause between edits is real time
    async with context.session_factory() as session:
        return seconds_until(await service.next_card_edit(session, now), now)


JOBS = (
    Job(
        service.JOIN_WINDOWS_JOB,
        interval=POLL_SECONDS,
        run=close_join_windows,
        until_due=join_windows_due,
    ),
    Job(
        service.PROPOSAL_DEADLINES_JOB,
        interval=POLL_SECONDS,
        run=close_due_proposals,
        until_due=proposals_due,
    ),
    Job(service.LIVE_CARDS_JOB, interval=POLL_SECONDS, run=refresh_cards, until_due=cards_due),
)
