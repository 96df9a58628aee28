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
from sqlalchemy import BigInteger, Index, Integer, String, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, utcnow
from bot.db.context import current_session

ACTIVE = "active"
COMPLETED = "completed"
CANCELLED = "cancelled"
LEFT = "left"
EXPIRED = "expired"
FAILED = "failed"
STATUSES = (ACTIVE, COMPLETED, CANCELLED, LEFT, EXPIRED, FAILED)


class FlowRun(Base):
    __tablename__ = "flow_runs"
    __table_args__ = (
        Index("ix_flow_runs_status_kind", "status", "kind"),
        Index("ix_flow_runs_started_at", "started_at"),
        Index("ix_flow_runs_user_chat", "user_id", "chat_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # When the FSM record may have gone at the latest (start + TTL); the expiry job looks then
    # and moves it on while the record is still there.
    expires_at: Mapped[datetime] = mapped_column(nullable=False)


async def record_start(
    session: AsyncSession, user_id: int, chat_id: int, kind: str, now: datetime, ttl: timedelta
) -> None:
    """One statement: the run of `kind` begins."""
    await session.execute(
        insert(FlowRun).values(
            user_id=user_id,
            chat_id=chat_id,
            kind=kind,
            status=ACTIVE,
            started_at=now,
            expires_at=now + ttl,
        )
    )


async def record_end(
    session: AsyncSession, user_id: int, chat_id: int, kind: str, status: str, now: datetime
) -> None:
    """One statement: the active run of `kind` of this user and chat ends with `status`."""
    assert status in STATUSES
    assert status != ACTIVE
    await session.execute(
        update(FlowRun)
        .where(
            FlowRun.user_id == user_id,
            FlowRun.chat_id == chat_id,
            FlowRun.kind == kind,
            FlowRun.status == ACTIVE,
        )
        .values(status=status, ended_at=now)
        .execution_options(synchronize_session=False)
    )


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
