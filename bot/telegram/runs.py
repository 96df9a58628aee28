"""Flow runs: one row per conversation, from its start to its end (for /stats).

A row is inserted with status `active` when a flow starts (`prompts.start_flow`) and updated once
when it ends: `completed` (its save), `cancelled` (/cancel, Cancel), `left` (pushed aside by
another flow or a command that is not resumable: counted apart from cancelled), `expired` (the
FSM record went at its TTL: found by the `flow-runs-expiry` job, see bot.features.stats.jobs)
or `failed`. Paused flows stay `active` and a resumed one goes on with the same row. Steps
inside a flow write nothing here: one statement at the start, one at the end, both in the
update's transaction (`bot.db.context.current_session`), never a commit of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram.dispatcher.middlewares.base import BaseMiddleware
from aiogram.types import TelegramObject

from bot.db.base import utcnow
from bot.db.context import current_session
from bot.db.flow_runs import (
    ACTIVE,
    CANCELLED,
    COMPLETED,
    EXPIRED,
    FAILED,
    LEFT,
    STATUSES,
    FlowRun,
    record_end,
    record_start,
)

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "COMPLETED",
    "EXPIRED",
    "FAILED",
    "LEFT",
    "STATUSES",
    "FlowRun",
    "RunClockMiddleware",
    "flow_ended",
    "flow_started",
]


# --- the clock and TTL of the update being handled ------------------------------------------


@dataclass(frozen=True)
class RunClock:
    clock: Callable[[], datetime]
    ttl: timedelta


_run_clock: ContextVar[RunClock | None] = ContextVar("flow_run_clock", default=None)


class RunClockMiddleware(BaseMiddleware):
    """Outer update middleware: the app's clock and FSM TTL for the runs this update records."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        settings = data.get("settings")
        clock = data.get("clock") or utcnow
        ttl = timedelta(seconds=settings.fsm_ttl_seconds if settings is not None else 86400)
        token = _run_clock.set(RunClock(clock, ttl))
        try:
            return await handler(event, data)
        finally:
            _run_clock.reset(token)


def _now_and_ttl() -> tuple[datetime, timedelta]:
    current = _run_clock.get()
    if current is None:
        return utcnow(), timedelta(days=1)
    return current.clock(), current.ttl


async def flow_started(user_id: int, chat_id: int, kind: str) -> None:
    """Record the start of a flow in the update's transaction (nothing outside an update)."""
    session = current_session.get()
    if session is None:
        return
    now, ttl = _now_and_ttl()
    await record_start(session, user_id, chat_id, kind, now, ttl)


async def flow_ended(user_id: int, chat_id: int, kind: str, status: str) -> None:
    """Record the end of a flow in the update's transaction (nothing outside an update)."""
    session = current_session.get()
    if session is None:
        return
    now, _ = _now_and_ttl()
    await record_end(session, user_id, chat_id, kind, status, now)
