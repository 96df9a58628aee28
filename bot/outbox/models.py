"""The outbox table: one row per Bot API action on a group or channel, delivered by the sender."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import NOW, Base, UtcDateTime, utcnow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class OutboxMessage(Base):
    """What to do in a chat (`action` + `payload`), and what became of it.

    Rows of one chat are delivered one at a time, in `id` order. `key` names the message a row
    is about (e.g. ``profile:42``): a pending row with the same key takes a newer text instead
    of a second row (coalescing), and an edit without a message id edits the message the last
    delivered row of that key created. `on_sent` names a hook that records the sent message id
    on the owning row (`owner_id`), in the transaction that marks this row sent.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), nullable=False, default=dict
    )
    key: Mapped[str | None] = mapped_column(String(64))
    on_sent: Mapped[str | None] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Not delivered before this moment (back-off after a failure, Telegram's retry_after).
    not_before: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, default=utcnow, server_default=NOW
    )
    # A sender is delivering the row until then; past it, another sender may take it over.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, default=utcnow, server_default=NOW
    )
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        # The sender's question: the oldest pending row of each chat.
        Index("ix_outbox_pending", "status", "chat_id", "id"),
        Index("ix_outbox_key", "key", "status"),
    )
