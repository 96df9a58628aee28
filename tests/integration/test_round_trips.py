"""Round trips to the database: reads begin nothing, the first write begins the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.core.models import User
from bot.metrics import REGISTRY


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


def counts() -> dict[str, float]:
    return {
        kind: REGISTRY.get_sample_value("agora_db_statements_total", {"kind": kind}) or 0.0
        for kind in ("statement", "begin", "commit", "rollback")
    }


def since(before: dict[str, float]) -> dict[str, float]:
    now = counts()
    return {kind: now[kind] - before[kind] for kind in now if now[kind] != before[kind]}


async def test_a_session_that_only_reads_sends_no_begin_and_no_commit(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    before = counts()
    async with factory() as session:
        assert await session.get(User, 1) is None
        await session.scalar(select(User.id).limit(1))
        await session.commit()
    assert since(before) == {"statement": 2}


async def test_the_first_write_begins_a_transaction_that_commits_or_rolls_back(
    engine: AsyncEngine,
) -> None:
    factory = create_session_factory(engine)
    before = counts()
    async with factory() as session:
        await session.scalar(select(User.id).limit(1))
        session.add(User(id=7, first_name="Ada"))
        await session.flush()
        await session.commit()
    assert since(before) == {"statement": 2, "begin": 1, "commit": 1}

    before = counts()
    async with factory() as session:
        session.add(User(id=8, first_name="Bob"))
        await session.flush()
        await session.rollback()
    assert since(before) == {"statement": 1, "begin": 1, "rollback": 1}
    async with factory() as session:
        ids = (await session.scalars(select(User.id).order_by(User.id))).all()
    assert ids == [7]


async def test_a_locking_read_begins_the_transaction(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    before = counts()
    async with factory() as session, session.begin():
        await session.execute(select(User).where(User.id == 1).with_for_update())
    assert since(before) == {"statement": 1, "begin": 1, "commit": 1}


async def test_reads_before_the_first_write_see_other_commits(engine: AsyncEngine) -> None:
    """Reads run on their own: nothing of the session pins a snapshot before it writes."""
    factory = create_session_factory(engine)
    async with factory() as reader:
        assert await reader.scalar(text("SELECT count(*) FROM users")) == 0
        async with factory() as writer, writer.begin():
            writer.add(User(id=9, first_name="Eve"))
        assert await reader.scalar(text("SELECT count(*) FROM users")) == 1
