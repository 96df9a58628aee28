"""Deleting an event takes its topics along, with or without foreign keys enforced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select, text

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.core.models import User
from bot.features.events.service import count_topics, create_event, delete_event
from bot.features.topics.models import Topic
from bot.features.topics.service import add_topic

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


async def _delete_with_topics(url: str, *, enforce_fks: bool) -> None:
    engine = create_engine(url)
    if not enforce_fks:
        # A database opened as older code did, without foreign keys (after the engine's own
        # connect hook, which turns them on).
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        async with factory() as session, session.begin():
            if not enforce_fks:
                assert await session.scalar(text("PRAGMA foreign_keys")) == 0
            session.add(User(id=42, first_name="Mia"))
            doomed = await create_event(
                session,
                name="Doomed",
                kind="meetup",
                starts_at=datetime(2026, 2, 1, tzinfo=UTC),
                now=NOW,
            )
            kept = await create_event(
                session,
                name="Kept",
                kind="meetup",
                starts_at=datetime(2026, 2, 2, tzinfo=UTC),
                now=NOW,
            )
            for number in range(3):
                await add_topic(
                    session, event_id=doomed.id, author_id=42, text=f"t{number}", now=NOW
                )
            await add_topic(session, event_id=kept.id, author_id=42, text="keep", now=NOW)
            assert await count_topics(session, doomed.id) == 3
            assert await delete_event(session, doomed) == 3
        async with factory() as session:
            left = (await session.scalars(select(Topic.text))).all()
            assert left == ["keep"]
            assert await session.scalar(select(func.count()).select_from(Topic)) == 1
    finally:
        await engine.dispose()


async def test_delete_event_deletes_its_topics(db_url: str) -> None:
    await _delete_with_topics(db_url, enforce_fks=True)


async def test_delete_event_deletes_its_topics_without_foreign_keys(sqlite_url: str) -> None:
    await _delete_with_topics(sqlite_url, enforce_fks=False)
