"""The users row follows Telegram's data, and nothing is written when nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.core.service import mark_blocked, sync_user


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def record_writes(engine: AsyncEngine) -> list[str]:
    writes: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    return writes


ALICE: dict[str, Any] = {
    "user_id": 42,
    "first_name": "Alice",
    "last_name": None,
    "username": "alice",
    "language_code": "en",
}


async def test_insert_then_no_write_when_unchanged_then_update(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    writes = record_writes(engine)
    async with sessions() as session, session.begin():
        user = await sync_user(session, **ALICE, unblock=True)
        assert (user.id, user.first_name, user.username) == (42, "Alice", "alice")
    assert len(writes) == 1, "one INSERT for a new user"

    writes.clear()
    async with sessions() as session, session.begin():
        await sync_user(session, **ALICE, unblock=True)
    assert writes == [], "nothing written when nothing changed"

    async with sessions() as session, session.begin():
        user = await sync_user(session, **{**ALICE, "username": "alice2"}, unblock=True)
    assert len(writes) == 1
    async with sessions() as session:
        user = await sync_user(session, **{**ALICE, "username": "alice2"}, unblock=True)
        assert user.username == "alice2"


async def test_blocked_user_is_unblocked_only_by_a_private_update(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await sync_user(session, **ALICE, unblock=True)
        await mark_blocked(session, 42)
    async with sessions() as session, session.begin():
        user = await sync_user(session, **ALICE, unblock=False)  # a group message
        assert user.is_blocked
    async with sessions() as session, session.begin():
        user = await sync_user(session, **ALICE, unblock=True)  # a private message
        assert not user.is_blocked


async def test_a_very_long_name_is_stored_truncated(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        user = await sync_user(session, **{**ALICE, "first_name": "A" * 5000}, unblock=True)
    assert len(user.first_name) == 255
