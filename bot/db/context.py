"""The session of the update being handled, and work that must wait until its transaction ends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

# Set by DbSessionMiddleware for the duration of one update. The SQL FSM storage writes
# through it, so on SQLite (one writer at a time) a handler never waits for its own lock,
# and a flow's state change commits or rolls back together with its rows.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)

# Set by DbSessionMiddleware to a list for the duration of one update: callbacks that write in a
# transaction of their own and run once the update's transaction has ended (committed or rolled
# back). On SQLite a second transaction opened while the update's one holds the write lock would
# wait for it until the busy timeout.
after_transaction: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "after_transaction", default=None
)


def run_after_transaction(callback: Callable[[], Awaitable[None]]) -> bool:
    """Defer `callback` until the update's transaction ends; False outside an update."""
    pending = after_transaction.get()
    if pending is None:
        return False
    pending.append(callback)
    return True
