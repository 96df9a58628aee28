"""Engine and session factory for PostgreSQL (asyncpg) or the embedded SQLite default."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.metrics import DB_STATEMENTS

# How long a statement waits for SQLite's write lock, or a session for a pooled connection,
# before it fails. Transactions are short (none is open while Telegram is asked anything), so
# only a burst on a starved machine queues this long; failing sooner would lose its updates.
BUSY_TIMEOUT = 60.0


def create_engine(url: str, *, echo: bool = False, pool_size: int = 20) -> AsyncEngine:
    """An engine whose transactions begin lazily, at the first write (see `_before_execute`).

    An update that only reads sends no BEGIN and no COMMIT (on SQLite it takes no lock). There is
    no ping on every checkout: a pooled PostgreSQL connection is pinged only after it sat idle
    for `IDLE_PING_SECONDS`, and a dead one is replaced before anyone uses it.
    """
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT})
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
    else:
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=BUSY_TIMEOUT,
        )
        event.listen(engine.sync_engine, "checkin", _checked_in)
        event.listen(engine.sync_engine, "checkout", _idle_ping(engine.sync_engine.dialect))
    for name, listener in (
        ("begin", _begin),
        ("before_cursor_execute", _before_execute),
        ("commit", _commit),
        ("rollback", _rollback),
    ):
        event.listen(engine.sync_engine, name, listener)
    return engine


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


# Whether the connection's transaction has really begun (BEGIN sent) since the last end.
_WRITING = "agora_writing"
# When a pooled connection went back to the pool (time.monotonic()).
_CHECKED_IN = "agora_checked_in"
# A connection idle for longer is pinged before use (PostgreSQL closes nothing that soon on
# its own, but a restart or a proxy may have): busy connections are never pinged.
IDLE_PING_SECONDS = 30.0
# Execution option of a write that may run on its own when its session has begun no transaction
# yet (autocommit: the statement is its own transaction). Inside a begun transaction it joins it.
SOLO = "agora_solo"

_STATEMENTS, _BEGINS, _COMMITS, _ROLLBACKS = (
    DB_STATEMENTS.labels(kind) for kind in ("statement", "begin", "commit", "rollback")
)


def _begin(conn: Any) -> None:
    # No BEGIN yet: reads run on their own (autocommit), an update that only reads costs no
    # BEGIN/COMMIT round trips and, on SQLite, takes no lock. The first write (or locking read)
    # begins the real transaction; see _before_execute.
    conn.info[_WRITING] = False
    dbapi = conn.connection.dbapi_connection
    if not _is_sqlite(conn):
        # asyncpg's adapter sends BEGIN before its first statement unless it is in autocommit.
        dbapi.isolation_level = "autocommit"


def _before_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    _STATEMENTS.inc()
    if conn.info.get(_WRITING, True) or not _takes_write_lock(statement, context):
        return
    if context is not None and context.execution_options.get(SOLO):
        return
    conn.info[_WRITING] = True
    _BEGINS.inc()
    if _is_sqlite(conn):
        # A deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT)
        # when another writer committed in between, and busy_timeout cannot help it. Taking the
        # write lock at the first write, before anything of the transaction was read, makes
        # concurrent writers queue instead (busy_timeout) and never fail.
        cursor.execute("BEGIN IMMEDIATE")
    else:
        # Back to the connection's own level: the adapter sends BEGIN with this statement.
        dbapi = conn.connection.dbapi_connection
        dbapi.isolation_level = dbapi._isolation_setting


def _commit(conn: Any) -> None:
    _end(conn, _COMMITS)


def _rollback(conn: Any) -> None:
    _end(conn, _ROLLBACKS)


def _end(conn: Any, counter: Any) -> None:
    if conn.info.get(_WRITING):
        counter.inc()  # a real COMMIT or ROLLBACK; without a BEGIN the driver sends nothing
    conn.info[_WRITING] = False
    if not _is_sqlite(conn):
        dbapi = conn.connection.dbapi_connection
        dbapi.isolation_level = dbapi._isolation_setting


def _is_sqlite(conn: Any) -> bool:
    return bool(conn.dialect.name == "sqlite")


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _idle_ping(dialect: Any) -> Any:
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        DB_STATEMENTS.labels("ping").inc()
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise DisconnectionError("idle connection is gone") from exc

    return checkout


def _takes_write_lock(statement: str, context: Any) -> bool:
    """Writes, DDL, and reads that claim rows (`with_for_update()`; SQLite cannot express it:
    there the claim is the write lock itself, so two claimers never see the same row free)."""
    head = statement.lstrip()[:6].upper()
    if head not in ("SELECT", "PRAGMA"):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None
