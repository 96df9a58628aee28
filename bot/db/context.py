"""The session of the update being handled, for code that must join its transaction."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

# Set by DbSessionMiddleware for the duration of one update. The SQL FSM storage writes
# through it, so on SQLite (one writer at a time) a handler never waits for its own lock,
# and a flow's state change commits or rolls back together with its rows.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)
