"""Where the test PostgreSQL and Redis are, and what to do when one is missing.

Outside CI a missing service skips the tests that need it, with the reason shown.
With CI=true a missing service is a failure: those tests must run there.
"""

from __future__ import annotations

import contextlib
import os
import socket
from urllib.parse import urlsplit

import pytest

PG_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/agora_test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    if _reachable(url, default_port):
        return
    message = f"{name} is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the service must run)", pytrace=False)
    pytest.skip(message)


async def ensure_pg_database(url: str) -> None:
    """Create the test database if it does not exist yet."""
    import asyncpg

    parts = urlsplit(url.replace("+asyncpg", ""))
    dbname = parts.path.lstrip("/")
    admin_dsn = parts._replace(path="/postgres").geturl()
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
        if not exists:
            # Another test process may create it at the same moment.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        await conn.close()


async def pg_tables(url: str) -> set[str]:
    """The tables of a PostgreSQL database's public schema."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    return {row["table_name"] for row in rows}
