"""The events table: the community's calls and meetups, with their reminder bookkeeping."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, TimestampMixin, UtcDateTime

# Event status
UPCOMING = "upcoming"
LIVE = "live"
FINISHED = "finished"

# Reminder state: armed and waiting, posted, or not posted (moment missed, superseded, moved)
PENDING = "pending"
SENT = "sent"
SKIPPED = "skipped"


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # One of service.EVENT_TYPES (club_call, meetup, ...); shown through the catalogs.
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(
        String(16), default=UPCOMING, server_default=text("'upcoming'")
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    link: Mapped[str | None] = mapped_column(String(2048))
    announcement_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    announcement_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Reminders 24 h and 1 h before the start: when each falls due and what became of it.
    # Columns rather than SQL date arithmetic, so the due query is the same on both dialects.
    reminder_24h_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminder_24h_state: Mapped[str] = mapped_column(
        String(8), default=PENDING, server_default=text("'pending'")
    )
    reminder_1h_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminder_1h_state: Mapped[str] = mapped_column(
        String(8), default=PENDING, server_default=text("'pending'")
    )
