"""The quiz game: cards from the vocabulary, answer checking, scores and statistics."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.game.models import GameSession, GameStatistic
from bot.features.training.answers import answer_matches as answer_matches
from bot.features.training.answers import normalize_answer as normalize_answer
from bot.features.training.models import WordPair
from bot.features.training.service import (
    SESSION_TTL,
    is_expired,
    new_token,
    refresh,
    touch_activity,
)
from bot.jobs.claim import for_claim
from bot.refusals import STALE, Refused

GAME_PAIRS = 5
ANSWER_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class GameCard:
    position: int  # 1-based
    total: int
    prompt: str
    expected: str
    token: int
    correct: int


@dataclass(frozen=True)
class GameScore:
    correct: int
    answered: int
    cards: int

    @property
    def accuracy(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0


async def open_game(
    session: AsyncSession, chat_id: int, user_id: int, *, lock: bool = False
) -> GameSession | None:
    stmt = select(GameSession).where(GameSession.chat_id == chat_id, GameSession.user_id == user_id)
    if lock:  # a row lock on PostgreSQL, the write lock first on SQLite (bot.db.engine)
        stmt = stmt.with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


async def start_game(
    session: AsyncSession, chat_id: int, user_id: int, now: datetime
) -> GameSession | None:
    """Up to 5 random pairs, each asked both ways, shuffled; None without any pair."""
    ids = list(
        await session.scalars(
            select(WordPair.id)
            .where(WordPair.user_id == user_id)
            .order_by(func.random())
            .limit(GAME_PAIRS)
        )
    )
    if not ids:
        return None
    old = await open_game(session, chat_id, user_id)
    if old is not None:  # an expired game (an open one is resumed instead)
        await session.delete(old)
        await session.flush()
    cards = [[pair_id, direction, 0] for pair_id in ids for direction in (0, 1)]
    random.shuffle(cards)
    row = GameSession(
        chat_id=chat_id,
        user_id=user_id,
        cards=cards,
        position=0,
        token=new_token(),
        pairs=len(ids),
        correct=0,
        answered=0,
        started_at=now,
        last_activity_at=now,
        answer_by=now + ANSWER_WITHIN,
        expires_at=now + SESSION_TTL,
    )
    session.add(row)
    await session.flush()
    return row


async def current_game_card(session: AsyncSession, row: GameSession) -> GameCard | None:
    while row.position < len(row.cards):
        pair_id, direction, _again = row.cards[row.position]
        pair = await session.get(WordPair, pair_id)
        if pair is not None:
            prompt, expected = (
                (pair.word, pair.translation) if direction == 0 else (pair.translation, pair.word)
            )
            return GameCard(
                position=row.position + 1,
                total=len(row.cards),
                prompt=prompt,
                expected=expected,
                token=row.token,
                correct=row.correct,
            )
        row.position += 1
    return None


def touch(row: GameSession, now: datetime) -> None:
    refresh(row, now)
    row.answer_by = now + ANSWER_WITHIN


@dataclass(frozen=True)
class AnswerOutcome:
    card: GameCard
    correct: bool
    message_id: int | None
    next_card: GameCard | None
    score: GameScore | None  # set when the game ended


async def pressed_game(
    session: AsyncSession, chat_id: int, user_id: int, token: int, now: datetime
) -> GameSession:
    """The open game whose current card carries `token`, locked: a press that lost a race with
    another step (the card moved on, the game ended) is stale."""
    row = await open_game(session, chat_id, user_id, lock=True)
    if row is None or row.token != token or is_expired(row, now):
        raise Refused(STALE)
    return row


async def answer_card(
    session: AsyncSession, row: GameSession, answer: str | None, now: datetime
) -> AnswerOutcome:
    """Check a typed answer (None: revealed, a miss) and move on; a miss comes back at the end.

    A game without a card left (its pairs deleted meanwhile) takes no answer."""
    card = await current_game_card(session, row)
    if card is None:
        raise Refused("game-no-card")
    correct = answer is not None and answer_matches(answer, card.expected)
    row.answered += 1
    if correct:
        row.correct += 1
    else:
        pair_id, direction, again = row.cards[row.position]
        if not again:
            row.cards = [*row.cards, [pair_id, direction, 1]]
    row.position += 1
    touch(row, now)
    await touch_activity(session, row.user_id, now)
    message_id = row.message_id
    next_card = await current_game_card(session, row)
    score = None
    if next_card is None:
        score = await finish_game(session, row, now, "answers")
    return AnswerOutcome(card, correct, message_id, next_card, score)


async def finish_game(
    session: AsyncSession, row: GameSession, now: datetime, ended_by: str
) -> GameScore:
    """Store the game's statistics and close it."""
    score = GameScore(correct=row.correct, answered=row.answered, cards=len(row.cards))
    session.add(
        GameStatistic(
            user_id=row.user_id,
            pairs=row.pairs,
            cards=len(row.cards),
            correct=row.correct,
            answered=row.answered,
            ended_by=ended_by,
            started_at=row.started_at,
            finished_at=now,
        )
    )
    await session.delete(row)
    await session.flush()
    return score


async def resume_game_card(
    session: AsyncSession, row: GameSession, now: datetime
) -> GameCard | None:
    touch(row, now)
    return await current_game_card(session, row)


# --- for the jobs --------------------------------------------------------------------------------


async def timed_out_games(session: AsyncSession, now: datetime, limit: int = 1000) -> list[int]:
    """Ids of games nobody answered in time (a read: each is claimed on its own)."""
    stmt = select(GameSession.id).where(GameSession.answer_by <= now).limit(limit)
    return list(await session.scalars(stmt))


async def claim_timed_out(session: AsyncSession, game_id: int, now: datetime) -> GameSession | None:
    """The game, locked for this process, if it still timed out (None: answered meanwhile, or
    another process has it)."""
    stmt = select(GameSession).where(GameSession.id == game_id, GameSession.answer_by <= now)
    found: GameSession | None = await session.scalar(
        for_claim(session, stmt).execution_options(populate_existing=True)
    )
    return found


async def next_timeout(session: AsyncSession) -> datetime | None:
    """When the earliest game times out (None: no game is on)."""
    return await session.scalar(select(func.min(GameSession.answer_by)))


async def delete_expired_games(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Delete game rows past their 24-hour expiry (only those); how many."""
    stmt = select(GameSession).where(GameSession.expires_at <= now).limit(limit)
    rows = list(await session.scalars(for_claim(session, stmt)))
    for row in rows:
        await session.delete(row)
    return len(rows)


async def abandon_game(session: AsyncSession, chat_id: int, user_id: int) -> None:
    """The learner left the game for another flow or /cancel: the open game ends, unscored."""
    row = await open_game(session, chat_id, user_id, lock=True)
    if row is not None:
        await session.delete(row)
