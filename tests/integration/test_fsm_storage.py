"""One behavioural suite for the FSM storages the bot can run on.

Every case in the shared part runs against the Redis storage as ``build_fsm`` configures it,
and against ``SqlStorage`` on SQLite and on PostgreSQL. Cases that only one kind of storage
promises (atomic ``update_data``, ``purge_expired``, the Redis pool) run where they apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.fsm import FsmRecord, RedisFsmStorage, SqlStorage, build_fsm, default_key_builder
from bot.fsm.isolation import KeyedLocks, LeasedRedisIsolation

KEY = StorageKey(bot_id=42, chat_id=-1001, user_id=7)
HOUR = 3600


class Form(StatesGroup):
    name = State()
    about = State()


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Fsm:
    """One backend under test: makes storages on it and looks at what it holds."""

    kind: str  # "redis", "sqlite" or "postgres"
    url: str
    stack: AsyncExitStack
    clock: FakeClock = field(default_factory=FakeClock)
    engine: AsyncEngine | None = None
    redis: Redis | None = None  # a client of its own, to inspect keys

    @property
    def is_sql(self) -> bool:
        return self.engine is not None

    async def make(self, ttl_seconds: int = HOUR) -> BaseStorage:
        if self.engine is not None:
            return self.make_sql(ttl_seconds)
        bundle = build_fsm(self.url, async_sessionmaker(), ttl_seconds)
        self.stack.push_async_callback(bundle.close)
        return bundle.storage

    def make_sql(self, ttl_seconds: int | None = HOUR) -> SqlStorage:
        assert self.engine is not None
        ttl = timedelta(seconds=ttl_seconds) if ttl_seconds is not None else None
        return SqlStorage(self.engine, ttl=ttl, clock=self.clock)

    async def stored_keys(self) -> set[str]:
        """Every key the backend holds, expired or not."""
        if self.engine is not None:
            async with self.engine.connect() as conn:
                return set((await conn.scalars(select(FsmRecord.key))).all())
        assert self.redis is not None
        return {key async for key in self.redis.scan_iter("*")}


REDIS = pytest.param("redis", marks=pytest.mark.redis, id="redis")
SQLITE = pytest.param("sqlite", id="sqlite")
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres, id="postgres")
URL_FIXTURE = {"redis": "redis_url", "sqlite": "sqlite_url", "postgres": "pg_url"}


def _url(request: pytest.FixtureRequest) -> tuple[str, str]:
    kind = cast(str, request.param)
    # Only the services this parameter needs are pulled in (and skipped when absent).
    return kind, cast(str, request.getfixturevalue(URL_FIXTURE[kind]))


@pytest.fixture(params=[REDIS, SQLITE, POSTGRES])
def backend(request: pytest.FixtureRequest) -> tuple[str, str]:
    return _url(request)


@pytest.fixture(params=[SQLITE, POSTGRES])
def sql_backend(request: pytest.FixtureRequest) -> tuple[str, str]:
    return _url(request)


async def _open(kind: str, url: str) -> AsyncIterator[Fsm]:
    async with AsyncExitStack() as stack:
        fsm = Fsm(kind=kind, url=url, stack=stack)
        if kind == "redis":
            fsm.redis = Redis.from_url(url, decode_responses=True)
            stack.push_async_callback(fsm.redis.aclose)
        else:
            fsm.engine = create_engine(url)
            stack.push_async_callback(fsm.engine.dispose)
            table = cast(Table, FsmRecord.__table__)
            async with fsm.engine.begin() as conn:
                await conn.run_sync(lambda sync: Base.metadata.create_all(sync, tables=[table]))
        yield fsm


@pytest.fixture
async def fsm(backend: tuple[str, str]) -> AsyncIterator[Fsm]:
    async for opened in _open(*backend):
        yield opened


@pytest.fixture
async def sql_fsm(sql_backend: tuple[str, str]) -> AsyncIterator[Fsm]:
    async for opened in _open(*sql_backend):
        yield opened


# -- every storage ---------------------------------------------------------------------------

NESTED: dict[str, Any] = {
    "name": "Анна 🌍 «ёж» 名前",
    "ids": [1, 2, 3],
    "profile": {"tags": ["a", "b"], "age": 31, "score": 1.5, "ok": True, "none": None},
    "deep": [{"x": [{"y": "z"}]}],
}


async def test_state_and_data_round_trip(fsm: Fsm) -> None:
    ctx = FSMContext(await fsm.make(), KEY)
    assert await ctx.get_state() is None
    assert await ctx.get_data() == {}

    await ctx.set_state(Form.name)
    await ctx.set_data(NESTED)
    assert await ctx.get_state() == "Form:name"
    assert await ctx.get_data() == NESTED
    assert await ctx.get_value("profile") == NESTED["profile"]
    assert await ctx.get_value("missing", "dflt") == "dflt"

    await ctx.set_state("Form:about")
    assert await ctx.get_state() == "Form:about"
    assert await ctx.get_data() == NESTED, "setting the state must keep the data"
    await ctx.set_data({"only": "this"})
    assert await ctx.get_data() == {"only": "this"}, "set_data replaces"
    assert await ctx.get_state() == "Form:about", "setting the data must keep the state"


async def test_update_data_merges_and_returns_the_new_dict(fsm: Fsm) -> None:
    ctx = FSMContext(await fsm.make(), KEY)
    assert await ctx.update_data({"a": 1}) == {"a": 1}, "update of an absent key creates it"
    await ctx.set_state(Form.name)

    result = await ctx.update_data({"b": {"n": [1]}}, c="ц")
    assert result == {"a": 1, "b": {"n": [1]}, "c": "ц"}
    assert await ctx.update_data({"a": 2}) == {"a": 2, "b": {"n": [1]}, "c": "ц"}
    assert await ctx.get_data() == {"a": 2, "b": {"n": [1]}, "c": "ц"}
    assert await ctx.get_state() == "Form:name", "update_data must keep the state"


async def test_clear_removes_state_and_data(fsm: Fsm) -> None:
    ctx = FSMContext(await fsm.make(), KEY)
    await ctx.set_state(Form.name)
    await ctx.update_data(x=1)
    assert await fsm.stored_keys()

    await ctx.clear()

    assert await ctx.get_state() is None
    assert await ctx.get_data() == {}
    assert await fsm.stored_keys() == set(), "nothing may be left behind"


async def test_emptying_state_or_data_keeps_the_other(fsm: Fsm) -> None:
    ctx = FSMContext(await fsm.make(), KEY)
    await ctx.set_state(Form.name)
    await ctx.set_data({"x": 1})

    await ctx.set_data({})
    assert await ctx.get_state() == "Form:name"
    assert await ctx.get_data() == {}
    await ctx.set_data({"y": 2})
    await ctx.set_state(None)
    assert await ctx.get_state() is None
    assert await ctx.get_data() == {"y": 2}
    await ctx.set_data({})
    assert await fsm.stored_keys() == set(), "no state and no data: nothing stored"


async def test_data_must_be_a_dict(fsm: Fsm) -> None:
    storage = await fsm.make()
    with pytest.raises(DataNotDictLikeError):
        await storage.set_data(KEY, [("a", 1)])  # type: ignore[arg-type]
    assert await storage.get_data(KEY) == {}


async def test_keys_are_separated_by_bot_chat_user_thread_and_destiny(fsm: Fsm) -> None:
    storage = await fsm.make()
    keys = [
        KEY,
        StorageKey(bot_id=43, chat_id=KEY.chat_id, user_id=KEY.user_id),
        StorageKey(bot_id=KEY.bot_id, chat_id=-1002, user_id=KEY.user_id),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=8),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=KEY.user_id, thread_id=5),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=KEY.user_id, destiny="game"),
    ]
    for i, key in enumerate(keys):
        await storage.set_state(key, f"S:{i}")
        await storage.set_data(key, {"i": i})
    for i, key in enumerate(keys):
        assert await storage.get_state(key) == f"S:{i}", key
        assert await storage.get_data(key) == {"i": i}, key
    assert len(await fsm.stored_keys()) == len(keys)  # one record per key, on every backend


async def test_state_and_data_share_a_ttl_refreshed_by_every_write(fsm: Fsm) -> None:
    if not fsm.is_sql:
        # Expiry itself is Redis' job; check that the record (state and data in one key)
        # carries the configured TTL after every kind of write (no sleeping in tests).
        assert fsm.redis is not None
        storage = await fsm.make(ttl_seconds=1)
        name = default_key_builder().build(KEY)
        for write in (
            storage.set_state(KEY, Form.name),
            storage.set_data(KEY, {"a": 1}),
            storage.update_data(KEY, {"b": 2}),
        ):
            await fsm.redis.persist(name)
            await write
            assert await fsm.redis.ttl(name) == 1, "every write sets the TTL again"
        return

    ttl = 60
    storage = await fsm.make(ttl_seconds=ttl)
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, {"a": 1})
    # Each write happens just before the previous one's TTL runs out and must extend it.
    writes = [
        storage.set_state(KEY, Form.about),
        storage.set_data(KEY, {"a": 2}),
        storage.update_data(KEY, {"b": 3}),
    ]
    for write in writes:
        fsm.clock.advance(ttl - 1)
        await write
        assert await storage.get_state(KEY) is not None
    assert await storage.get_state(KEY) == "Form:about"
    assert await storage.get_data(KEY) == {"a": 2, "b": 3}

    fsm.clock.advance(ttl - 1)
    assert await storage.get_data(KEY) == {"a": 2, "b": 3}, "a read does not expire a row early"
    fsm.clock.advance(1)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


# -- the SQL storage -------------------------------------------------------------------------


async def test_writes_after_expiry_start_from_nothing(sql_fsm: Fsm) -> None:
    storage = sql_fsm.make_sql(ttl_seconds=60)

    async def expired_key(n: int) -> StorageKey:
        key = StorageKey(bot_id=1, chat_id=n, user_id=n)
        await storage.set_state(key, Form.name)
        await storage.set_data(key, {"old": True})
        return key

    key_a, key_b, key_c, key_d, _untouched = [await expired_key(n) for n in range(5)]
    sql_fsm.clock.advance(61)

    await storage.set_state(key_a, Form.about)
    assert (await storage.get_state(key_a), await storage.get_data(key_a)) == ("Form:about", {})
    await storage.set_data(key_b, {"new": 1})
    assert (await storage.get_state(key_b), await storage.get_data(key_b)) == (None, {"new": 1})
    assert await storage.update_data(key_c, {"new": 2}) == {"new": 2}
    assert (await storage.get_state(key_c), await storage.get_data(key_c)) == (None, {"new": 2})
    await storage.set_state(key_d, None)
    assert await storage.update_data(key_d, {}) == {}
    assert (await storage.get_state(key_d), await storage.get_data(key_d)) == (None, {})
    await storage.purge_expired()
    rewritten = {storage.key_builder.build(key) for key in (key_a, key_b, key_c)}
    assert await sql_fsm.stored_keys() == rewritten, "rewritten rows are alive again"


async def test_update_data_is_atomic_under_concurrency(sql_fsm: Fsm) -> None:
    # Only the SQL storage promises this: the Redis storage's update_data is a GET followed
    # by a SET, so concurrent updates of one key lose writes there. The bot never relies on it:
    # events isolation runs one update per user at a time.
    storage = sql_fsm.make_sql()

    async def add(name: str) -> None:
        await storage.update_data(KEY, {name: True})

    # Open the pool's connections first, so that the writers really run side by side.
    await asyncio.gather(*(storage.get_state(StorageKey(0, 0, 0)) for _ in range(15)))
    # First on an absent key (writers race to create the row), then on an existing one.
    await asyncio.gather(*(add(f"a{i}") for i in range(50)))
    await storage.set_state(KEY, Form.name)
    await asyncio.gather(*(add(f"b{i}") for i in range(50)))

    data = await storage.get_data(KEY)
    assert sorted(data) == sorted([f"a{i}" for i in range(50)] + [f"b{i}" for i in range(50)])
    assert await storage.get_state(KEY) == "Form:name"


async def test_inside_an_update_writes_join_its_transaction(sql_fsm: Fsm) -> None:
    """A flow's state commits with the update's rows, and an error rolls both back."""
    from bot.db.context import current_session
    from bot.db.engine import create_session_factory

    storage = sql_fsm.make_sql()
    sessions = create_session_factory(sql_fsm.engine)  # type: ignore[arg-type]
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)

    async with sessions() as session:
        token = current_session.set(session)
        try:
            await storage.set_state(key, "Form:name")
            await storage.update_data(key, {"name": "Ann"})
            assert await storage.get_state(key) == "Form:name"  # visible inside the update
            await session.rollback()
        finally:
            current_session.reset(token)
    assert await storage.get_state(key) is None
    assert await storage.get_data(key) == {}

    async with sessions() as session:
        token = current_session.set(session)
        try:
            await storage.set_state(key, "Form:age")
            await storage.set_data(key, {"name": "Bo"})
            await session.commit()
        finally:
            current_session.reset(token)
    assert await storage.get_state(key) == "Form:age"
    assert await storage.get_data(key) == {"name": "Bo"}


async def test_update_data_rejects_a_non_dict(sql_fsm: Fsm) -> None:
    storage = sql_fsm.make_sql()
    with pytest.raises(DataNotDictLikeError):
        await storage.update_data(KEY, [("a", 1)])  # type: ignore[arg-type]


async def test_purge_expired_removes_only_expired_rows(sql_fsm: Fsm) -> None:
    storage = sql_fsm.make_sql(ttl_seconds=60)
    forever = sql_fsm.make_sql(ttl_seconds=None)
    old, fresh, kept = (StorageKey(bot_id=1, chat_id=n, user_id=n) for n in (1, 2, 3))
    start = sql_fsm.clock.now
    await storage.set_state(old, Form.name)
    sql_fsm.clock.advance(30)
    await storage.update_data(fresh, {"x": 1})
    await forever.set_state(kept, Form.name)
    assert len(await sql_fsm.stored_keys()) == 3

    sql_fsm.clock.advance(30)  # old expires exactly now
    assert await storage.purge_expired() == 1
    assert await sql_fsm.stored_keys() == {storage.key_builder.build(k) for k in (fresh, kept)}
    assert await storage.get_data(fresh) == {"x": 1}

    assert await storage.purge_expired(now=start + timedelta(seconds=89)) == 0
    assert await storage.purge_expired(now=start + timedelta(seconds=90)) == 1
    assert await sql_fsm.stored_keys() == {storage.key_builder.build(kept)}
    assert await storage.get_state(kept) == "Form:name"


async def test_close_disposes_only_an_engine_of_its_own(sql_fsm: Fsm) -> None:
    assert sql_fsm.engine is not None
    pool = sql_fsm.engine.pool
    borrowed = SqlStorage(sql_fsm.engine)
    await borrowed.set_state(KEY, Form.name)
    await borrowed.close()
    assert sql_fsm.engine.pool is pool, "a borrowed engine must not be disposed"

    owned = SqlStorage.from_url(sql_fsm.url)
    sql_fsm.stack.push_async_callback(owned.engine.dispose)
    assert await owned.get_state(KEY) == "Form:name"
    owned_pool = owned.engine.pool
    await owned.close()
    assert owned.engine.pool is not owned_pool, "from_url's engine is the storage's to dispose"


async def test_factory_without_redis_builds_the_sql_storage(sql_fsm: Fsm) -> None:
    assert sql_fsm.engine is not None
    pool = sql_fsm.engine.pool
    bundle = build_fsm(None, async_sessionmaker(sql_fsm.engine), 90)
    assert isinstance(bundle.storage, SqlStorage)
    assert bundle.storage.ttl == timedelta(seconds=90)
    assert isinstance(bundle.events_isolation, KeyedLocks)
    await bundle.ping()
    await bundle.storage.set_state(KEY, Form.name)
    assert await bundle.storage.get_state(KEY) == "Form:name"
    await bundle.close()
    assert sql_fsm.engine.pool is pool


def test_factory_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        build_fsm(None, async_sessionmaker(), 0)
    with pytest.raises(TypeError, match="AsyncEngine"):
        build_fsm(None, async_sessionmaker(), 60)


# -- the Redis factory -----------------------------------------------------------------------


@pytest.mark.redis
async def test_redis_factory_survives_a_burst_with_a_small_blocking_pool(redis_url: str) -> None:
    bundle = build_fsm(redis_url, async_sessionmaker(), HOUR, max_connections=20)
    try:
        storage = bundle.storage
        assert isinstance(storage, RedisFsmStorage)
        pool = storage.redis.connection_pool
        assert isinstance(pool, BlockingConnectionPool)
        assert pool.max_connections == 20
        await bundle.ping()

        async def round_trip(i: int) -> str | None:
            key = StorageKey(bot_id=1, chat_id=i, user_id=i)
            await storage.set_state(key, f"S:{i}")
            return await storage.get_state(key)

        # A plain redis-py pool raises MaxConnectionsError here; the blocking one waits.
        results = await asyncio.gather(*(round_trip(i) for i in range(500)))
        assert results == [f"S:{i}" for i in range(500)]
    finally:
        await bundle.close()


@pytest.mark.redis
async def test_redis_isolation_locks_the_key_of_the_storage(redis_url: str) -> None:
    bundle = build_fsm(redis_url, async_sessionmaker(), HOUR)
    inspect = Redis.from_url(redis_url, decode_responses=True)
    try:
        assert isinstance(bundle.events_isolation, LeasedRedisIsolation)
        lock_name = default_key_builder().build(KEY, "lock")
        assert lock_name == "fsm:42:-1001:7:default:lock"
        async with bundle.events_isolation.lock(KEY):
            assert await inspect.exists(lock_name) == 1
        assert await inspect.exists(lock_name) == 0
    finally:
        await inspect.aclose()
        await bundle.close()
