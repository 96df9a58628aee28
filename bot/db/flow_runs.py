"""The flow_runs table: one row per conversation (flow), from its start to its end.

Written by bot.telegram.runs (one statement at a flow's start, one at its end), read by /stats
(bot.features.stats). No aiogram here: services and jobs import it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Index, Integer, String, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base

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


# --- durable sessions (a group's voting session): no FSM record, they end by their own close ---

# Their runs never reach the expiry job (which looks for an FSM record): they end when closed.
DURABLE_HORIZON = timedelta(days=3650)


async def durable_started(
    session: AsyncSession, user_id: int, chat_id: int, kind: str, now: datetime
) -> None:
    """One statement: a durable session of `kind` opens in `chat_id` (`user_id` opened it)."""
    await record_start(session, user_id, chat_id, kind, now, DURABLE_HORIZON)


async def durable_ended(
    session: AsyncSession, chat_id: int, kind: str, status: str, now: datetime
) -> None:
    """One statement: the open durable session of `kind` in `chat_id` ends with `status`."""
    assert status in STATUSES
    assert status != ACTIVE
    await session.execute(
        update(FlowRun)
        .where(FlowRun.chat_id == chat_id, FlowRun.kind == kind, FlowRun.status == ACTIVE)
        .values(status=status, ended_at=now)
        .execution_options(synchronize_session=False)
    )


async def durable_moved(
    session: AsyncSession, old_chat_id: int, new_chat_id: int, kind: str
) -> None:
    """The chat became a supergroup: its open durable session of `kind` moves with it."""
    await session.execute(
        update(FlowRun)
        .where(FlowRun.chat_id == old_chat_id, FlowRun.kind == kind, FlowRun.status == ACTIVE)
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )
