"""Engine and session factory for PostgreSQL (asyncpg) or the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# How long a statement waits for SQLite's write lock, or a session for a pooled connection,
# before it fails. Transactions are short (none is open while Telegram is asked anything), so
# only a burst on a starved machine queues this long; failing sooner would lose its updates.
BUSY_TIMEOUT = 60.0


def create_engine(url: str, *, echo: bool = False, pool_size: int = 20) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT})
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        event.listen(engine.sync_engine, "before_cursor_execute", _sqlite_before_execute)
        event.listen(engine.sync_engine, "commit", _sqlite_end)
        event.listen(engine.sync_engine, "rollback", _sqlite_end)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=BUSY_TIMEOUT,
    )


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # We emit BEGIN ourselves (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    # WAL lets readers go on while one transaction writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# Whether the connection's transaction has taken SQLite's write lock (BEGIN IMMEDIATE issued).
_WRITING = "agora_sqlite_writing"


def _sqlite_begin(conn: Any) -> None:
    # No BEGIN yet: reads run on their own (WAL readers never wait and never block the writer),
    # and an update that only reads takes no lock at all. The first write (or locking read)
    # begins the real transaction; see _sqlite_before_execute.
    conn.info[_WRITING] = False


def _sqlite_before_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    if conn.info.get(_WRITING, True) or not _takes_write_lock(statement, context):
        return
    # A deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT)
    # when another writer committed in between, and busy_timeout cannot help it. Taking the
    # write lock at the first write, before anything of the transaction was read, makes
    # concurrent writers queue instead (busy_timeout) and never fail.
    cursor.execute("BEGIN IMMEDIATE")
    conn.info[_WRITING] = True


def _sqlite_end(conn: Any) -> None:
    conn.info[_WRITING] = False


def _takes_write_lock(statement: str, context: Any) -> bool:
    """Writes, DDL, and reads that claim rows (`with_for_update()`, which SQLite cannot express:
    on SQLite the claim is the write lock itself, so two claimers never see the same row free)."""
    head = statement.lstrip()[:6].upper()
    if head not in ("SELECT", "PRAGMA"):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
