"""The users row follows Telegram's data, and nothing is written when nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.core.models import User
from bot.features.core.service import UserDirectory


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
    users = UserDirectory()
    writes = record_writes(engine)
    async with sessions() as session, session.begin():
        user = await users.sync(session, **ALICE, unblock=True)
        assert (user.id, user.first_name, user.username) == (42, "Alice", "alice")
    assert len(writes) == 1, "one INSERT for a new user"

    writes.clear()
    async with sessions() as session, session.begin():
        await users.sync(session, **ALICE, unblock=True)
    assert writes == [], "nothing written when nothing changed"

    async with sessions() as session, session.begin():
        user = await users.sync(session, **{**ALICE, "username": "alice2"}, unblock=True)
    assert len(writes) == 1
    async with sessions() as session:
        user = await users.sync(session, **{**ALICE, "username": "alice2"}, unblock=True)
        assert user.username == "alice2"


async def test_blocked_user_is_unblocked_only_by_a_private_update(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    users = UserDirectory()
    async with sessions() as session, session.begin():
        await users.sync(session, **ALICE, unblock=True)
        await users.mark_blocked(session, 42)
    async with sessions() as session, session.begin():
        user = await users.sync(session, **ALICE, unblock=False)  # a group message
        assert user.is_blocked
    async with sessions() as session, session.begin():
        user = await users.sync(session, **ALICE, unblock=True)  # a private message
        assert not user.is_blocked


async def test_a_very_long_name_is_stored_truncated(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    users = UserDirectory()
    async with sessions() as session, session.begin():
        user = await users.sync(session, **{**ALICE, "first_name": "A" * 5000}, unblock=True)
    assert len(user.first_name) == 255


def record_statements(engine: AsyncEngine) -> list[str]:
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    return statements


async def test_a_returning_user_costs_no_sql_and_another_process_one_read(
    engine: AsyncEngine,
) -> None:
    sessions = create_session_factory(engine)
    users = UserDirectory()
    async with sessions() as session, session.begin():
        await users.sync(session, **ALICE, unblock=True)
    statements = record_statements(engine)
    async with sessions() as session, session.begin():
        user = await users.sync(session, **ALICE, unblock=True)
    assert (user.id, user.username, statements) == (42, "alice", [])

    elsewhere = UserDirectory()  # another process: it reads the row once, and writes nothing
    async with sessions() as session, session.begin():
        await elsewhere.sync(session, **ALICE, unblock=True)
        await elsewhere.sync(session, **ALICE, unblock=True)
    assert [s.split()[0] for s in statements] == ["SELECT"]


async def test_what_a_rolled_back_update_wrote_is_not_remembered(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    users = UserDirectory()
    async with sessions() as session, session.begin():
        await users.sync(session, **ALICE, unblock=True)
    async with sessions() as session:
        await users.sync(session, **{**ALICE, "username": "alice2"}, unblock=True)
        await session.rollback()
    async with sessions() as session, session.begin():
        user = await users.sync(session, **{**ALICE, "username": "alice2"}, unblock=True)
    async with sessions() as session:
        stored = await session.get(User, 42)
    assert user.username == "alice2"
    assert stored is not None
    assert stored.username == "alice2"


async def test_language_and_blocked_flag_changes_are_seen_at_once(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    users = UserDirectory()
    async with sessions() as session, session.begin():
        await users.sync(session, **ALICE, unblock=True)
        await users.set_language(session, 42, "ru")
    async with sessions() as session, session.begin():
        user = await users.sync(session, **ALICE, unblock=False)
    assert user.language == "ru"
    async with sessions() as session, session.begin():
        await users.mark_blocked(session, 42)
    async with sessions() as session, session.begin():
        assert (await users.sync(session, **ALICE, unblock=False)).is_blocked
        assert not (await users.sync(session, **ALICE, unblock=True)).is_blocked
