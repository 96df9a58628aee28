"""Quiz games: the open game of a player and the statistics of finished games."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UtcDateTime


class GameSession(Base):
    """An open game: its cards, where the player is, the score and the deadlines."""

    __tablename__ = "game_sessions"
    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # [[pair_id, direction, missed_before], ...]; direction 0 asks for the translation.
    cards: Mapped[list[list[int]]] = mapped_column(JSON, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    token: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The user's message taken as the last answer: Telegram may deliver it again after a
    # restart, and it must not answer the next card too.
    last_answer_id: Mapped[int | None] = mapped_column(BigInteger)
    pairs: Mapped[int] = mapped_column(Integer, nullable=False)
    correct: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    answered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    # last_activity_at + 15 minutes: the game ends (by a job) when nobody answered by then.
    answer_by: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)


class GameStatistic(Base):
    """One finished game."""

    __tablename__ = "game_statistics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    pairs: Mapped[int] = mapped_column(Integer, nullable=False)
    cards: Mapped[int] = mapped_column(Integer, nullable=False)
    correct: Mapped[int] = mapped_column(Integer, nullable=False)
    answered: Mapped[int] = mapped_column(Integer, nullable=False)
    # "answers" (played to the end) or "timeout" (15 minutes without an answer).
    ended_by: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
