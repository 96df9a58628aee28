"""FSM storage in the bot's own SQL database (the embedded default when Redis is not configured).

One row per FSM key holds state and data, with one TTL for both. Inside an update, operations
join the update's own transaction (bot.db.context.current_session): on SQLite, which has one
writer at a time, a handler that wrote rows and then sets its state would otherwise wait for its
own lock; and a flow's state change now commits or rolls back together with its rows. Outside an
update every operation is one short transaction of its own; on PostgreSQL single statements run
in autocommit mode, which spares the BEGIN and ROLLBACK round trips.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from aiogram.fsm.storage.base import DefaultKeyBuilder, KeyBuilder, StorageKey
from cachetools import LRUCache
from sqlalchemy import ColumnElement, Table, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.base import utcnow
from bot.db.context import current_session, on_commit
from bot.db.engine import SOLO, create_engine
from bot.fsm.frame import FramedStorage
from bot.fsm.models import FsmRecord

# Core statements on the table: no ORM work on the hot path.
_table = cast(Table, FsmRecord.__table__)
_key, _state, _data, _expires_at = _table.c.key, _table.c.state, _table.c.data, _table.c.expires_at

# update_data retries when a row it found absent was created concurrently (PostgreSQL only:
# SQLite holds the database write lock for the whole transaction). A second attempt sees the
# committed row and locks it; more than a few attempts means rows churn pathologically.
_UPDATE_ATTEMPTS = 5

_Column = Literal["state", "data"]
_Cached = tuple[str | None, dict[str, Any], datetime | None]
# What an absent row reads as.
_EMPTY: dict[_Column, Any] = {"state": None, "data": {}}


def default_key_builder() -> DefaultKeyBuilder:
    """The key builder every FSM storage of the bot uses (Redis and SQL alike)."""
    return DefaultKeyBuilder(with_bot_id=True, with_destiny=True)


class SqlStorage(FramedStorage):
    """aiogram FSM storage on the ``fsm_records`` table (PostgreSQL or SQLite).

    ``engine`` is borrowed: ``close()`` leaves it alone unless the storage made it itself
    (``from_url``). Every write (``set_state``, ``set_data``, ``update_data``) sets
    ``expires_at = clock() + ttl``; a row past ``expires_at`` reads as absent, and a write to it
    starts from empty state and data. ``ttl=None`` keeps rows until they are cleared.
    ``update_data`` is atomic against concurrent writers of the same key.
    """

    joins_transaction = True

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        key_builder: KeyBuilder | None = None,
        ttl: timedelta | None = None,
        clock: Callable[[], datetime] = utcnow,
        cache_size: int = 0,
    ) -> None:
        if ttl is not None and ttl <= timedelta(0):
            raise ValueError(f"ttl must be positive or None, got {ttl}")
        dialect = engine.dialect.name
        if dialect not in {"postgresql", "sqlite"}:
            raise ValueError(f"SqlStorage supports PostgreSQL and SQLite, not {dialect}")
        self.engine = engine
        self.key_builder = key_builder if key_builder is not None else default_key_builder()
        self.ttl = ttl
        self.clock = clock
        self._postgres = dialect == "postgresql"
        # Single statements need no explicit transaction: on PostgreSQL autocommit saves two
        # round trips; on SQLite toggling the driver's mode costs more than it saves.
        self._single = (
            engine.execution_options(isolation_level="AUTOCOMMIT") if self._postgres else engine
        )
        self._owns_engine = False
        # Records as last written or read by this process, when it is the only one using the
        # table (the embedded default: its isolation is in-process, so one process it is): a
        # record is then read from SQL once, not at every update. key -> (state, data, expiry)
        self._cache: LRUCache[str, _Cached] | None = LRUCache(cache_size) if cache_size else None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_builder: KeyBuilder | None = None,
        ttl: timedelta | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> SqlStorage:
        """A storage with an engine of its own, disposed by ``close()``."""
        storage = cls(create_engine(url), key_builder=key_builder, ttl=ttl, clock=clock)
        storage._owns_engine = True
        return storage

    async def close(self) -> None:
        if self._owns_engine:
            await self.engine.dispose()

    # -- one record: state and data together (FramedStorage) ----------------------------------

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        row_key, now = self._key(key), self.clock()
        cached = self._cache.get(row_key) if self._cache is not None else None
        if cached is not None:
            state, data, expires_at = cached
            if expires_at is None or expires_at > now:
                return state, dict(data)  # the frame changes its own copy, never the cache's
            return None, {}
        stmt = select(_state, _data, _expires_at).where(_key == row_key, self._alive(now))
        async with self._connection(single=True) as conn:
            row = (await conn.execute(stmt)).first()
        state, data = (row.state, row.data or {}) if row is not None else (None, {})
        if self._cache is not None:
            self._cache[row_key] = (state, data, row.expires_at if row is not None else None)
        return state, dict(data)

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        """One statement: an upsert of both columns, or a delete when both are empty.

        Inside an update it joins the update's transaction; when the update wrote nothing else,
        it runs on its own (no BEGIN and COMMIT: it is the transaction).
        """
        row_key = self._key(key)
        expires_at = self._expiry(self.clock())
        if state is None and not data:
            stmt: Any = delete(_table).where(_key == row_key)
        else:
            insert = self._insert(key=row_key, state=state, data=data, expires_at=expires_at)
            stmt = insert.on_conflict_do_update(
                index_elements=[_key],
                set_={
                    "state": insert.excluded.state,
                    "data": insert.excluded.data,
                    "expires_at": insert.excluded.expires_at,
                },
            )
        async with self._connection(single=True) as conn:
            await conn.execute(stmt.execution_options(**{SOLO: True}))
        if self._cache is not None:
            self._remember(row_key, (state, data, expires_at))

    def _remember(self, row_key: str, record: _Cached) -> None:
        """Cache what was written once it is committed (not at all if it rolls back)."""
        assert self._cache is not None
        cache = self._cache
        cache.pop(row_key, None)
        session = current_session.get()
        if session is not None and session.bind is self.engine and session.in_transaction():
            on_commit(session, lambda: cache.__setitem__(row_key, record))
        else:
            cache[row_key] = record

    def _forget(self, key: StorageKey) -> None:
        if self._cache is not None:
            self._cache.pop(self._key(key), None)

    # -- one change at a time (outside an update's frame) ---------------------------------------

    async def write_state(self, key: StorageKey, state: str | None) -> None:
        self._forget(key)
        if state is None:
            await self._clear(key, self.clock(), "state")
        else:
            await self._write(key, self.clock(), "state", state)

    async def write_data(self, key: StorageKey, data: dict[str, Any]) -> None:
        self._forget(key)
        if data:
            await self._write(key, self.clock(), "data", data)
        else:
            await self._clear(key, self.clock(), "data")

    async def merge_data(self, key: StorageKey, data: dict[str, Any]) -> dict[str, Any]:
        """Atomic against concurrent writers of the same key."""
        self._forget(key)
        row_key = self._key(key)
        for _ in range(_UPDATE_ATTEMPTS):
            merged = await self._merge(row_key, data, self.clock())
            if merged is not None:
                return merged
        raise RuntimeError(f"update_data gave up on {row_key!r}: the row kept reappearing")

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete rows whose TTL has passed (at ``now``, default the clock); return how many."""
        stmt = delete(_table).where(self._expired(now if now is not None else self.clock()))
        async with self._single.begin() as conn:
            result = await conn.execute(stmt)
        return result.rowcount

    # -- helpers -------------------------------------------------------------------------------

    @asynccontextmanager
    async def _connection(self, *, single: bool) -> AsyncIterator[AsyncConnection]:
        """The update's transaction when there is one, else a transaction of our own."""
        session = current_session.get()
        if session is not None and session.bind is self.engine:
            yield await session.connection()
            return
        async with (self._single if single else self.engine).begin() as conn:
            yield conn

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    def _expiry(self, now: datetime) -> datetime | None:
        return now + self.ttl if self.ttl is not None else None

    @staticmethod
    def _alive(now: datetime) -> ColumnElement[bool]:
        return or_(_expires_at.is_(None), _expires_at > now)

    @staticmethod
    def _expired(now: datetime) -> ColumnElement[bool]:
        # NULL (no TTL) compares as unknown, which is never expired.
        return _expires_at <= now

    def _insert(self, **values: Any) -> postgresql.Insert | sqlite.Insert:
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        return dialect_insert(_table).values(**values)

    async def _write(self, key: StorageKey, now: datetime, column: _Column, value: Any) -> None:
        """Set state or data in one upsert, keeping the other unless the row has expired."""
        kept: _Column = "data" if column == "state" else "state"
        stmt = self._insert(
            key=self._key(key), **{column: value, kept: _EMPTY[kept]}, expires_at=self._expiry(now)
        )
        expired = self._expired(now)
        upsert = stmt.on_conflict_do_update(
            index_elements=[_key],
            set_={
                column: stmt.excluded[column],
                kept: case((expired, stmt.excluded[kept]), else_=_table.c[kept]),
                "expires_at": stmt.excluded.expires_at,
            },
        )
        async with self._connection(single=True) as conn:
            await conn.execute(upsert)

    async def _clear(self, key: StorageKey, now: datetime, column: _Column) -> None:
        """Empty state or data of a live row; delete the row when both are empty."""
        row_key = self._key(key)
        kept: _Column = "data" if column == "state" else "state"
        async with self._connection(single=False) as conn:
            # The UPDATE locks the row (on SQLite: the database) until commit, so nobody can
            # write to the key between it and the DELETE.
            row = (
                await conn.execute(
                    update(_table)
                    .where(_key == row_key, self._alive(now))
                    .values({column: _EMPTY[column], "expires_at": self._expiry(now)})
                    .returning(_table.c[kept])
                )
            ).one_or_none()
            if row is not None and not row[0]:
                await conn.execute(delete(_table).where(_key == row_key))

    async def _merge(
        self, row_key: str, data: Mapping[str, Any], now: datetime
    ) -> dict[str, Any] | None:
        """One attempt of ``update_data``; None when a concurrent writer created the row first."""
        # The locking read takes SQLite's write lock before it reads (bot.db.engine), so the
        # read-modify-write below holds it throughout. PostgreSQL locks the row.
        async with self._connection(single=False) as conn:
            row = (
                await conn.execute(
                    select(_state, _data, _expires_at).where(_key == row_key).with_for_update()
                )
            ).one_or_none()
            if row is None:
                if not data:
                    return {}
                # Another writer may insert the key between the SELECT and this INSERT (on
                # PostgreSQL): then nothing is inserted, and the next attempt locks its row.
                inserted = await conn.scalar(
                    self._insert(
                        key=row_key, state=None, data=dict(data), expires_at=self._expiry(now)
                    )
                    .on_conflict_do_nothing(index_elements=[_key])
                    .returning(_key)
                )
                return dict(data) if inserted is not None else None
            alive = row.expires_at is None or row.expires_at > now
            state: str | None = row.state if alive else None
            merged: dict[str, Any] = {**(row.data if alive else {}), **data}
            if merged or state is not None:
                await conn.execute(
                    update(_table)
                    .where(_key == row_key)
                    .values(state=state, data=merged, expires_at=self._expiry(now))
                )
            else:
                await conn.execute(delete(_table).where(_key == row_key))
        return merged
