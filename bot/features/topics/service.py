"""Topics: what members propose for an event, listed page by page, deleted by admins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.features.topics.models import Topic

TEXT_LIMIT = 1000
PAGE_SIZE = 5


async def add_topic(
    session: AsyncSession, *, event_id: int, author_id: int, text: str, now: datetime
) -> Topic:
    topic = Topic(event_id=event_id, author_id=author_id, text=text, created_at=now)
    session.add(topic)
    await session.flush()
    return topic


async def count_topics(session: AsyncSession, event_id: int) -> int:
    stmt = select(func.count()).select_from(Topic).where(Topic.event_id == event_id)
    return int((await session.scalar(stmt)) or 0)


async def topics_page(
    session: AsyncSession, event_id: int, *, offset: int, limit: int = PAGE_SIZE
) -> Sequence[tuple[Topic, User | None]]:
    """Topics of an event with their authors (None: a former member), oldest first."""
    stmt = (
        select(Topic, User)
        .outerjoin(User, User.id == Topic.author_id)
        .where(Topic.event_id == event_id)
        .order_by(Topic.created_at, Topic.id)
        .offset(offset)
        .limit(limit)
    )
    return [(topic, user) for topic, user in (await session.execute(stmt)).all()]


async def get_topic(session: AsyncSession, topic_id: int) -> Topic | None:
    return await session.get(Topic, topic_id)


async def delete_topic(session: AsyncSession, topic: Topic) -> None:
    await session.delete(topic)
    await session.flush()


async def reachable_users(session: AsyncSession, user_ids: Iterable[int]) -> Sequence[User]:
    """Of these users, those who have talked to the bot and not blocked it (a users row)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    stmt = select(User).where(User.id.in_(ids), User.is_blocked.is_(False)).order_by(User.id)
    return (await session.scalars(stmt)).all()
