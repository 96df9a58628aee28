"""Fixtures shared by every test: service URLs and clean databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.services import PG_URL, REDIS_URL, ensure_pg_database, require_service


@pytest.fixture
async def pg_url() -> str:
    """URL of an empty PostgreSQL test database (schema public dropped and recreated)."""
    require_service("PostgreSQL", PG_URL, 5432)
    await ensure_pg_database(PG_URL)
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("+asyncpg", ""))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    return PG_URL


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """URL of an empty Redis database (flushed before and after)."""
    require_service("Redis", REDIS_URL, 6379)
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    try:
        yield REDIS_URL
    finally:
        await client.flushdb()
        await client.aclose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on the embedded SQLite default and on PostgreSQL."""
    name = "pg_url" if request.param == "postgres" else "sqlite_url"
    return str(request.getfixturevalue(name))
