"""Data rights: what the bot stores about a member, their export, and /forget (no Telegram here).

What /forget does, in the update's transaction:

- deleted: the profile (its intro card is removed from the topic by the caller, through the
  outbox), the vocabulary with its schedule, the learning settings, open review and game
  sessions, game statistics, Random Coffee answers, pairs and exclusion, and the member's
  messages in the content archive (the archive's copy only: the posts in the group are theirs
  to delete in Telegram);
- anonymised (the user column set to NULL, the rows kept): the topics they proposed (the topics
  stay), voting proposals they made, sessions they created, and their votes and participation in
  CLOSED voting sessions, so closed results and counts stay right;
- withdrawn: their votes and participation in voting sessions that are not closed yet (a live
  count must not keep a vote nobody can change any more);
- the users row keeps its id, the language and the blocked flag only (names cleared): what is
  needed to not message them again. Nothing else marks them: they may come back as newcomers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.features.coffee.models import CoffeeAnswer, CoffeeExclusion, CoffeePair
from bot.features.content.models import ContentMessage
from bot.features.core.models import User
from bot.features.game.models import GameSession, GameStatistic
from bot.features.profile.models import Profile
from bot.features.profile.service import Card, remove_profile
from bot.features.topics.models import Topic
from bot.features.training.models import LearningSettings, TrainingSession, WordPair
from bot.features.voting.models import (
    CLOSED,
    Proposal,
    SessionParticipant,
    Vote,
    VotingSession,
)


@dataclass(frozen=True)
class Summary:
    """What /forget would delete or anonymise (the counts shown on the confirmation card)."""

    profile: bool
    card: bool
    word_pairs: int
    sessions: int  # open review and game sessions, and finished games (statistics)
    coffee: int  # Random Coffee answers and pairs
    archive: int  # messages in the content archive
    topics: int
    proposals: int
    votes: int

    @property
    def empty(self) -> bool:
        return not (
            self.profile
            or self.word_pairs
            or self.sessions
            or self.coffee
            or self.archive
            or self.topics
            or self.proposals
            or self.votes
        )


async def _count(session: AsyncSession, column: Any, *where: Any) -> int:
    found = await session.scalar(select(func.count()).select_from(column.table).where(*where))
    return int(found or 0)


async def summary(session: AsyncSession, user_id: int) -> Summary:
    profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    sessions = (
        await _count(session, TrainingSession.id, TrainingSession.user_id == user_id)
        + await _count(session, GameSession.id, GameSession.user_id == user_id)
        + await _count(session, GameStatistic.id, GameStatistic.user_id == user_id)
    )
    coffee = await _count(session, CoffeeAnswer.id, CoffeeAnswer.user_id == user_id) + (
        await _count(session, CoffeePair.id, CoffeePair.user_id == user_id)
    )
    return Summary(
        profile=profile is not None,
        card=profile is not None and profile.published_message_id is not None,
        word_pairs=await _count(session, WordPair.id, WordPair.user_id == user_id),
        sessions=sessions,
        coffee=coffee,
        archive=await _count(session, ContentMessage.id, ContentMessage.author_id == user_id),
        topics=await _count(session, Topic.id, Topic.author_id == user_id),
        proposals=await _count(session, Proposal.id, Proposal.author_id == user_id),
        votes=await _count(session, Vote.id, Vote.user_id == user_id),
    )


async def forget(session: AsyncSession, user_id: int) -> tuple[int | None, Card | None]:
    """Delete and anonymise what the bot stores about `user_id` (see the module's docstring);
    the id of the profile deleted, if any, and its intro card to delete, if one was published."""
    card = profile_id = None
    profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    if profile is not None:
        profile_id = profile.id
        card = await remove_profile(session, profile)
    owned: tuple[type[Base], ...] = (
        WordPair,
        LearningSettings,
        TrainingSession,
        GameSession,
        GameStatistic,
        CoffeeAnswer,
        CoffeePair,
        CoffeeExclusion,
    )
    for model in owned:
        await session.execute(delete(model).where(model.user_id == user_id))  # type: ignore[attr-defined]
    await session.execute(delete(ContentMessage).where(ContentMessage.author_id == user_id))
    await session.execute(update(Topic).where(Topic.author_id == user_id).values(author_id=None))
    await session.execute(
        update(Proposal).where(Proposal.author_id == user_id).values(author_id=None)
    )
    await session.execute(
        update(VotingSession).where(VotingSession.created_by == user_id).values(created_by=None)
    )
    closed = select(VotingSession.id).where(VotingSession.status == CLOSED)
    closed_proposals = select(Proposal.id).where(Proposal.session_id.in_(closed))
    mine = Vote.user_id == user_id
    await session.execute(
        update(Vote).where(mine, Vote.proposal_id.in_(closed_proposals)).values(user_id=None)
    )
    await session.execute(delete(Vote).where(mine))
    joined = SessionParticipant.user_id == user_id
    await session.execute(
        update(SessionParticipant)
        .where(joined, SessionParticipant.session_id.in_(closed))
        .values(user_id=None)
    )
    await session.execute(delete(SessionParticipant).where(joined))
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(first_name="", last_name=None, username=None, language_code=None)
    )
    await session.flush()
    return profile_id, card


# --- /export_me ------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _row(row: Any) -> dict[str, Any]:
    return {column.key: _value(getattr(row, column.key)) for column in row.__table__.columns}


async def _rows(session: AsyncSession, model: Any, *where: Any) -> list[dict[str, Any]]:
    order = model.__table__.primary_key
    found = await session.scalars(select(model).where(*where).order_by(*order))
    return [_row(row) for row in found.all()]


async def export(session: AsyncSession, user_id: int, now: datetime) -> dict[str, Any]:
    """Everything the bot stores about `user_id`, as JSON-ready data."""
    user = await session.get(User, user_id)
    profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    profile_data = None
    if profile is not None:
        profile_data = _row(profile)
        profile_data.pop("search", None)  # derived from the fields (a search index)
    votes = await session.execute(
        select(Vote, Proposal.text)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.user_id == user_id)
        .order_by(Vote.id)
    )
    return {
        "exported_at": now.isoformat(),
        "user": _row(user) if user is not None else None,
        "profile": profile_data,
        "word_pairs": await _rows(session, WordPair, WordPair.user_id == user_id),
        "learning_settings": await _rows(
            session, LearningSettings, LearningSettings.user_id == user_id
        ),
        "review_sessions": await _rows(
            session, TrainingSession, TrainingSession.user_id == user_id
        ),
        "game_sessions": await _rows(session, GameSession, GameSession.user_id == user_id),
        "game_statistics": await _rows(session, GameStatistic, GameStatistic.user_id == user_id),
        "topics": await _rows(session, Topic, Topic.author_id == user_id),
        "voting_sessions_created": await _rows(
            session, VotingSession, VotingSession.created_by == user_id
        ),
        "voting_participation": await _rows(
            session, SessionParticipant, SessionParticipant.user_id == user_id
        ),
        "proposals": await _rows(session, Proposal, Proposal.author_id == user_id),
        "votes": [{**_row(vote), "proposal": text} for vote, text in votes.all()],
        "coffee_answers": await _rows(session, CoffeeAnswer, CoffeeAnswer.user_id == user_id),
        "coffee_pairs": await _rows(session, CoffeePair, CoffeePair.user_id == user_id),
        "coffee_exclusion": await _rows(
            session, CoffeeExclusion, CoffeeExclusion.user_id == user_id
        ),
        "content_archive": [
            {k: v for k, v in row.items() if k != "search"}
            for row in await _rows(session, ContentMessage, ContentMessage.author_id == user_id)
        ],
    }
