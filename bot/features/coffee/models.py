"""Random Coffee tables: weekly rounds (one poll each), answers, the pairs made, exclusions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import NOW, Base, TimestampMixin, UtcDateTime, utcnow

# Round status: the poll takes answers until pairs_at (or /coffee_pair), then pairs are made.
OPEN = "open"
PAIRED = "paired"


class CoffeeRound(TimestampMixin, Base):
    """One week of Random Coffee in the community chat: its poll, and the pairing deadline."""

    __tablename__ = "coffee_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The forum topic of the poll and the announcement (None: General, or not a forum).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # ISO year and week of the opening, in the community's time zone: "2026-W02".
    week: Mapped[str] = mapped_column(String(10))
    # The language of the poll and the announcement (the community's default).
    locale: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    status: Mapped[str] = mapped_column(String(16), default=OPEN, server_default=OPEN)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The deadline the pairing job claims.
    pairs_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    paired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Recorded once the poll is out (outbox hook): poll_answer updates name the poll by id.
    poll_message_id: Mapped[int | None] = mapped_column(BigInteger)
    poll_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    __table_args__ = (
        # One round a week, even when two processes open it at once.
        UniqueConstraint("chat_id", "week"),
        # One open round per chat: /coffee_now and the weekly job never run two polls at once.
        Index(
            "uq_coffee_rounds_open_chat",
            "chat_id",
            unique=True,
            postgresql_where=sql("status = 'open'"),
            sqlite_where=sql("status = 'open'"),
        ),
    )


class CoffeeAnswer(Base):
    """A member's current answer in a round's poll (a withdrawn answer has no row)."""

    __tablename__ = "coffee_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint (round_id first).
    round_id: Mapped[int] = mapped_column(ForeignKey("coffee_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    yes: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow, server_default=NOW, nullable=False
    )

    __table_args__ = (UniqueConstraint("round_id", "user_id"),)


class CoffeePair(Base):
    """History: who met whom in which round. Members of one pair (or trio) share `group_no`."""

    __tablename__ = "coffee_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("coffee_rounds.id", ondelete="CASCADE"))
    group_no: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)

    __table_args__ = (UniqueConstraint("round_id", "user_id"),)


class CoffeeExclusion(Base):
    """A member an admin excluded from Random Coffee (/coffee_exclude, /coffee_include)."""

    __tablename__ = "coffee_exclusions"

    # Any Telegram id: an admin may exclude someone the bot has not seen yet.
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    excluded_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=NOW, nullable=False
    )
