"""The table behind the SQL FSM storage: one row per FSM key, state and data together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UtcDateTime


class FsmRecord(Base):
    """FSM state and data of one key; the row is absent when both are empty.

    ``key`` is built by aiogram's ``DefaultKeyBuilder(with_bot_id=True, with_destiny=True)``
    without a part suffix. ``expires_at`` is NULL when the storage has no TTL; a row whose
    ``expires_at`` has passed reads as absent and is removed by ``SqlStorage.purge_expired``.
    """

    __tablename__ = "fsm_records"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), nullable=False, default=dict
    )
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
