"""Frames: one read and one write of a user's FSM record per update, on every backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.context import current_session
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.core.models import User
from bot.fsm import FramedStorage, FsmRecord, SqlStorage, build_fsm, default_key_builder
from bot.fsm.frame import open_frame
from bot.fsm.redis import adopt_legacy_keys

KEY = StorageKey(bot_id=42, chat_id=7, user_id=7)


class Counting:
    """Counts the record reads and writes of a storage."""

    def __init__(self, storage: FramedStorage) -> None:
        self.loads = self.stores = 0
        load, store = storage.load, storage.store

        async def counted_load(*args: Any) -> Any:
            self.loads += 1
            return await load(*args)

        async def counted_store(*args: Any) -> None:
            self.stores += 1
            await store(*args)

        storage.load, storage.store = counted_load, counted_store  # type: ignore[method-assign]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def backend_url(request: pytest.FixtureRequest) -> str:
    """A database URL (the SQL storage) or a Redis URL (the Redis storage)."""
    fixture = {"sqlite": "sqlite_url", "postgres": "pg_url", "redis": "redis_url"}[request.param]
    return str(request.getfixturevalue(fixture))


@pytest.fixture
async def storage(backend_url: str) -> AsyncIterator[FramedStorage]:
    if backend_url.startswith("redis"):
        bundle = build_fsm(backend_url, async_sessionmaker(), 3600)
        try:
            yield bundle.storage
        finally:
            await bundle.close()
        return
    engine = create_engine(backend_url)
    await upgrade(engine)
    bundle = build_fsm(None, create_session_factory(engine), 3600)
    try:
        yield bundle.storage
    finally:
        await bundle.close()
        await engine.dispose()


async def test_a_frame_reads_once_and_writes_once(storage: FramedStorage) -> None:
    counting = Counting(storage)
    context = FSMContext(storage, KEY)
    async with open_frame(storage):
        assert await context.get_state() is None
        await context.set_state("Form:name")
        await context.update_data(name="Ada")
        await context.update_data(step=2)
        assert await context.get_data() == {"name": "Ada", "step": 2}
        data = await context.get_data()
        data["mutated"] = True  # a copy: the frame is not changed behind its back
        assert await context.get_data() == {"name": "Ada", "step": 2}
        assert (counting.loads, counting.stores) == (1, 0)
    assert (counting.loads, counting.stores) == (1, 1)
    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == {"name": "Ada", "step": 2}


async def test_a_frame_that_fails_writes_nothing(storage: FramedStorage) -> None:
    context = FSMContext(storage, KEY)
    await context.set_state("Form:name")

    async def failing_update() -> None:
        async with open_frame(storage):
            await context.set_state("Form:about")
            await context.update_data(about="lost")
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        await failing_update()
    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == {}


async def test_clearing_in_a_frame_removes_the_record(storage: FramedStorage) -> None:
    context = FSMContext(storage, KEY)
    await context.set_state("Form:name")
    await context.update_data(name="Ada")
    async with open_frame(storage) as frame:
        await context.clear()
        assert frame is not None
        await frame.flush()
        assert await storage.load(KEY) == (None, {})
    assert await storage.get_state(KEY) is None


@pytest.mark.redis
async def test_keys_of_the_old_two_key_layout_are_adopted(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    builder = default_key_builder()
    other = StorageKey(bot_id=42, chat_id=8, user_id=8)
    try:
        await redis.set(builder.build(KEY, "state"), "Intro:waiting_for_about")
        await redis.set(builder.build(KEY, "data"), json.dumps({"first_name": "Ada"}))
        await redis.set(builder.build(other, "state"), "Old:state")
        await redis.set(builder.build(other), json.dumps({"state": "New:state", "data": {}}))
        assert await adopt_legacy_keys(redis, 3600) == 1
        bundle = build_fsm(redis_url, async_sessionmaker(), 3600)
        try:
            assert await bundle.storage.load(KEY) == (
                "Intro:waiting_for_about",
                {"first_name": "Ada"},
            )
            assert await bundle.storage.load(other) == ("New:state", {})  # the new one wins
        finally:
            await bundle.close()
        assert await redis.exists(builder.build(KEY, "state"), builder.build(KEY, "data")) == 0
        assert 0 < await redis.ttl(builder.build(KEY)) <= 3600
    finally:
        await redis.aclose()


async def test_the_embedded_cache_keeps_only_what_committed(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    storage = SqlStorage(engine, ttl=timedelta(hours=1), cache_size=10)
    sessions = create_session_factory(engine)
    try:
        await storage.store(KEY, "Form:name", {"a": 1})
        for commit in (False, True):
            async with sessions() as session:
                token = current_session.set(session)
                try:
                    session.add(User(id=int(commit) + 1, first_name="Ada"))
                    await session.flush()  # the update wrote a row: the record joins it
                    await storage.store(KEY, "Form:about", {"a": 2})
                    await (session.commit() if commit else session.rollback())
                finally:
                    current_session.reset(token)
            expected = ("Form:about", {"a": 2}) if commit else ("Form:name", {"a": 1})
            assert await storage.load(KEY) == expected
            async with engine.connect() as conn:  # what the table holds agrees
                row = (await conn.execute(select(FsmRecord.state))).one()
            assert row.state == expected[0]
    finally:
        await engine.dispose()
