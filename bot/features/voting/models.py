"""Voting tables: sessions, their participants, proposals and votes (deadlines are columns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import NOW, Base, TimestampMixin, UtcDateTime, utcnow

# Session status: members join until join_closes_at, then proposals go on until /close_session.
JOINING = "joining"
STARTED = "started"
CLOSED = "closed"

# Proposal status and result.
OPEN = "open"
PASSED = "passed"
REJECTED = "rejected"

YES = "yes"
NO = "no"


class VotingSession(TimestampMixin, Base):
    __tablename__ = "voting_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # The forum topic the session was opened in (None: General, or not a forum).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(256))
    # None (here and in the other user columns): a former member who used /forget.
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    # The language of the group-facing cards and posts (the creator's).
    locale: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    status: Mapped[str] = mapped_column(String(16), default=JOINING, server_default=JOINING)
    join_closes_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The live card: marked dirty by a join, edited by a job at most every few seconds.
    card_dirty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql("false"))
    card_edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        # One session that is not closed per chat, even when two admins create one at once.
        Index(
            "uq_voting_sessions_open_chat",
            "chat_id",
            unique=True,
            postgresql_where=sql("status <> 'closed'"),
            sqlite_where=sql("status <> 'closed'"),
        ),
    )


class SessionParticipant(Base):
    __tablename__ = "session_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint (session_id first).
    session_id: Mapped[int] = mapped_column(ForeignKey("voting_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=NOW, nullable=False
    )

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)


class Proposal(TimestampMixin, Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("voting_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, server_default=OPEN)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # passed / rejected, with the counts as they were at the close.
    result: Mapped[str | None] = mapped_column(String(16))
    yes_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    no_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    abstained_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    card_dirty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql("false"))
    card_edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        # One open proposal per session.
        Index(
            "uq_proposals_open_session",
            "session_id",
            unique=True,
            postgresql_where=sql("status = 'open'"),
            sqlite_where=sql("status = 'open'"),
        ),
    )


class Vote(Base):
    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique constraint (proposal_id first).
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    choice: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=NOW, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow, server_default=NOW, nullable=False
    )

    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)
