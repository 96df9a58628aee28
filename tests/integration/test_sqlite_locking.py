"""SQLite (embedded default): reads take no lock; the first write or claim takes the write lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory

metadata = MetaData()
things = Table("things", metadata, Column("id", Integer, primary_key=True))


async def make_engine(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'lock.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine


async def in_write_transaction(session: object) -> bool:
    connection = await session.connection()  # type: ignore[attr-defined]
    raw = await connection.get_raw_connection()
    return bool(raw.driver_connection._conn.in_transaction)


async def test_a_read_takes_no_lock_and_a_write_does(tmp_path: Path) -> None:
    engine = await make_engine(tmp_path)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as reader:
            await reader.execute(select(things))
            assert not await in_write_transaction(reader)
            # Another writer is not held up by a reader whose session is still open.
            async with sessions() as writer, writer.begin():
                await asyncio.wait_for(writer.execute(insert(things).values(id=1)), 20)
            await reader.execute(insert(things).values(id=2))
            assert await in_write_transaction(reader)
            await reader.commit()
            assert not await in_write_transaction(reader)
    finally:
        await engine.dispose()


async def test_a_claim_takes_the_write_lock_before_it_reads(tmp_path: Path) -> None:
    engine = await make_engine(tmp_path)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as claimer, claimer.begin():
            await claimer.execute(select(things).with_for_update())
            assert await in_write_transaction(claimer)
    finally:
        await engine.dispose()
