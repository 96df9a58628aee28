"""A removed profile takes its intro card along, even when the card is still in the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.profile import service
from bot.features.profile.cards import publish, remove_card
from bot.outbox.models import OutboxMessage
from bot.outbox.service import DELETE, EDIT

CHAT = -100123


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    await upgrade(engine, "head")
    async with create_session_factory(engine)() as session:
        yield session
    await engine.dispose()


async def rows(session: AsyncSession) -> list[tuple[str, dict[str, object]]]:
    found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(row.action, row.payload) for row in found.all()]


async def test_a_card_not_posted_yet_is_withdrawn(session: AsyncSession) -> None:
    settings = Settings(_env_file=None, community_chat_id=CHAT)  # type: ignore[call-arg]
    await service.ensure_user(session, 1, first_name="Mia")
    profile = await service.save_profile(
        session, 1, first_name="Mia", last_name="Wallace", about="Sharks", username=None
    )
    assert await publish(session, settings, profile)
    await session.flush()
    assert [action for action, _ in await rows(session)] == [EDIT]
    profile_id = profile.id
    await remove_card(session, profile_id, await service.remove_profile(session, profile))
    await session.flush()
    assert await rows(session) == []  # nothing to post, nothing to delete


async def test_a_card_posted_after_its_profile_went_is_deleted(session: AsyncSession) -> None:
    # The sender's hook records the card of a profile removed while the card was in flight.
    await service.record_card(session, 4242, CHAT, 77)
    await session.flush()
    assert await rows(session) == [(DELETE, {"message_ids": [77], "quiet": True})]
