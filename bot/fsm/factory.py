"""Build the FSM storage and events isolation the Dispatcher runs with (DESIGN.md rule 1).

With a Redis URL: ``RedisFsmStorage`` (one key per user and chat) and a ``LeasedRedisIsolation``
(per-user Redis lock on a short lease that the running handler renews, so a killed process frees
its users within ``USER_LOCK_LEASE_SECONDS``) over one client whose pool *blocks* when all
connections are busy (redis-py's plain asyncio pool raises ``MaxConnectionsError`` instead, which
crashes handlers during a burst of updates). Without: ``SqlStorage`` in the bot's own database
and ``KeyedLocks``, an in-process FIFO lock per key that is forgotten when idle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from aiogram.fsm.storage.base import BaseEventIsolation
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.fsm.frame import FramedStorage
from bot.fsm.isolation import KeyedLocks, LeasedRedisIsolation
from bot.fsm.redis import RedisFsmStorage, adopt_legacy_keys
from bot.fsm.sql import SqlStorage, default_key_builder

# Lease of a user's Redis lock: renewed every third of it while the handler runs, so it only
# bounds how long a killed process keeps its users locked. Several times any Redis round trip.
USER_LOCK_LEASE_SECONDS = 5.0
# FSM records the embedded default keeps in memory (the most recently used users').
SQL_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class FsmBundle:
    """What the Dispatcher needs: ``Dispatcher(storage=..., events_isolation=...)``.

    ``ping()`` raises when the backend is unreachable (for health checks). ``prepare()`` runs
    once before updates are taken (Redis: adopts keys of the old two-key layout). ``close()``
    closes the storage and the isolation, and the Redis pool; never the SQL engine, which is
    borrowed.
    """

    storage: FramedStorage
    events_isolation: BaseEventIsolation
    ping: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    prepare: Callable[[], Awaitable[None]]


def build_fsm(
    redis_url: str | None,
    session_factory: async_sessionmaker[AsyncSession],
    ttl_seconds: int,
    *,
    max_connections: int = 512,
    pool_timeout: float = 20.0,
    lock_lease_seconds: float = USER_LOCK_LEASE_SECONDS,
) -> FsmBundle:
    """FSM storage and isolation for ``redis_url``, or in SQL when it is None or empty.

    ``ttl_seconds`` (> 0) is the lifetime of state and data alike, refreshed by every write.
    ``max_connections`` and ``pool_timeout`` size the blocking Redis pool: a call waits up to
    ``pool_timeout`` seconds for a free connection before it fails. ``lock_lease_seconds`` is the
    lease of a user's Redis lock (Redis only). ``session_factory`` must be bound to an
    ``AsyncEngine``; it is used only when there is no Redis URL.
    """
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    if redis_url:
        return _redis_fsm(redis_url, ttl_seconds, max_connections, pool_timeout, lock_lease_seconds)
    return _sql_fsm(_bound_engine(session_factory), ttl_seconds)


def _redis_fsm(
    url: str, ttl_seconds: int, max_connections: int, timeout: float, lease_seconds: float
) -> FsmBundle:
    pool = BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=timeout)
    redis = Redis(connection_pool=pool)
    key_builder = default_key_builder()
    storage = RedisFsmStorage(redis, key_builder, ttl_seconds)
    # Same key builder as the storage, so the lock sits next to the user's state and data.
    isolation = LeasedRedisIsolation(redis, key_builder=key_builder, lease_seconds=lease_seconds)

    async def ping() -> None:
        # redis-py types its commands for the sync and async clients at once.
        await cast(Awaitable[bool], redis.ping())

    async def close() -> None:
        await isolation.close()
        await storage.close()  # closes the client and its pool

    async def prepare() -> None:
        await adopt_legacy_keys(redis, ttl_seconds, prefix=key_builder.prefix)

    return FsmBundle(
        storage=storage, events_isolation=isolation, ping=ping, close=close, prepare=prepare
    )


def _sql_fsm(engine: AsyncEngine, ttl_seconds: int) -> FsmBundle:
    # One process per database (the isolation is in-process): records can be cached.
    storage = SqlStorage(engine, ttl=timedelta(seconds=ttl_seconds), cache_size=SQL_CACHE_SIZE)
    isolation = KeyedLocks()

    async def ping() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close() -> None:
        await isolation.close()
        await storage.close()

    async def prepare() -> None:
        return None

    return FsmBundle(
        storage=storage, events_isolation=isolation, ping=ping, close=close, prepare=prepare
    )


def _bound_engine(session_factory: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("session_factory must be bound to an AsyncEngine for the SQL FSM storage")
    return bind
