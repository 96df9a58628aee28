"""Game jobs: end the games nobody answered in time, delete the expired ones.

A timed-out game is claimed (FOR UPDATE SKIP LOCKED on PostgreSQL), its score stored and the
player's messages queued in the outbox, in one short transaction: with several processes each
game ends once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.features.game import service
from bot.features.game.models import GameSession
from bot.features.game.views import score_text
from bot.features.training.views import translator_for
from bot.i18n import Translator
from bot.jobs.runner import Job, JobContext, seconds_until
from bot.outbox import sender as outbox
from bot.outbox.service import message_key

log = logging.getLogger(__name__)

TIMEOUT_JOB = "game-timeout"
CLEANUP_JOB = "game-cleanup"
# The job sleeps until the earliest game times out; a game always has ANSWER_WITHIN (15 min)
# when it starts or moves on, so a look every 30 s sees every game before it is due.
TIMEOUT_INTERVAL = 30.0


@dataclass(frozen=True)
class TimeoutNotice:
    """What the player is told when a game ended by timeout: the card's new text, the score."""

    chat_id: int
    card_message_id: int | None
    card_text: str
    score_text: str


async def end_by_timeout(
    session: AsyncSession, row: GameSession, t: Translator, now: datetime
) -> TimeoutNotice:
    """15 minutes without an answer: the score is stored; returns what to tell the player."""
    notice = TimeoutNotice(row.chat_id, row.message_id, t("game-card-timeout"), "")
    score = await service.finish_game(session, row, now, "timeout")
    return replace(notice, score_text=score_text(t, score, timeout=True))


async def queue_timeout(session: AsyncSession, notice: TimeoutNotice) -> None:
    """In the timeout job: through the outbox, in the transaction that ends the game."""
    if notice.card_message_id is not None:
        await outbox.edit(
            session,
            notice.chat_id,
            notice.card_text,
            key=message_key("game", notice.card_message_id),
            message_id=notice.card_message_id,
        )
    await outbox.post(session, notice.chat_id, notice.score_text)


async def run_timeouts(context: JobContext) -> int:
    """End each game nobody answered for 15 minutes: claim it, store its score, tell the player."""
    now = context.now()
    async with context.session_factory() as session:
        ids = await service.timed_out_games(session, now)
    ended = 0
    for game_id in ids:
        try:
            async with context.session_factory() as session, session.begin():
                row = await service.claim_timed_out(session, game_id, now)
                if row is None:
                    continue  # answered meanwhile, or another process has it
                user = await session.get(User, row.user_id)
                t = translator_for(user, context.settings.default_locale)
                await queue_timeout(session, await end_by_timeout(session, row, t, now))
                ended += 1
        except Exception:
            log.exception("ending game %s by timeout failed; retried next round", game_id)
    return ended


async def timeouts_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        return seconds_until(await service.next_timeout(session), context.now())


async def run_cleanup(context: JobContext) -> int:
    """Delete game rows past their 24-hour expiry (only those)."""
    async with context.session_factory() as session, session.begin():
        return await service.delete_expired_games(session, context.now())


JOBS = (
    Job(TIMEOUT_JOB, interval=TIMEOUT_INTERVAL, run=run_timeouts, until_due=timeouts_due),
    Job(CLEANUP_JOB, interval=3600, run=run_cleanup),
)
