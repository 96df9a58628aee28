"""The session of the update being handled, and work that must wait until its transaction ends."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class DurableHook:
    """Other state the update keeps (its FSM record), written when the update's rows commit.

    `flush` runs before the commit when it writes into the update's transaction
    (`joins_transaction`: the SQL FSM storage), else right after it (Redis): rows first.
    """

    flush: Callable[[], Awaitable[None]]
    joins_transaction: bool


# Set by the FSM middleware for the duration of one update (bot.fsm.frame).
durable_hook: ContextVar[DurableHook | None] = ContextVar("durable_hook", default=None)


def run_after_transaction(callback: Callable[[], Awaitable[None]]) -> bool:
    """Defer `callback` until the update's transaction ends; False outside an update."""
    pending = after_transaction.get()
    if pending is None:
        return False
    pending.append(callback)
    return True


_ON_COMMIT = "agora_on_commit"


def on_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call `callback` once the session's current transaction has committed (not on rollback).

    For in-process signals about committed rows, e.g. waking the outbox sender at once.
    """
    callbacks: list[Callable[[], None]] = session.info.setdefault(_ON_COMMIT, [])
    if callback not in callbacks:
        callbacks.append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for callback in session.info.pop(_ON_COMMIT, ()):
        try:
            callback()
        except Exception:
            log.exception("on-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_on_commit(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)
