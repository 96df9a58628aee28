"""Vocabulary, learning settings and review sessions: the tables of the training feature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, TimestampMixin, UtcDateTime

WORD_LIMIT = 255
ZONE_NAME_LIMIT = 64


class WordPair(TimestampMixin, Base):
    """One word and its translation, with its spaced-repetition state."""

    __tablename__ = "word_pairs"
    __table_args__ = (
        UniqueConstraint("user_id", "word_key"),
        Index("ix_word_pairs_user_id_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    word: Mapped[str] = mapped_column(String(WORD_LIMIT), nullable=False)
    # The word case-folded: one pair per word and user, whatever the case it was typed in.
    word_key: Mapped[str] = mapped_column(String(WORD_LIMIT), nullable=False)
    translation: Mapped[str] = mapped_column(String(WORD_LIMIT), nullable=False)
    # fsrs.Card.to_dict() once reviewed; None while the pair is new.
    fsrs_card: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # How many times the pair was graded (0: a new pair).
    reps: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    # When the pair is next due (new pairs: when they were added). Queried, so a column.
    due: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class LearningSettings(Base):
    """A learner's choices and the reminder bookkeeping."""

    __tablename__ = "learning_settings"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    cards_per_session: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, default=10, server_default=text("10")
    )
    remind_morning: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    remind_afternoon: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    remind_evening: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    # An IANA zone name (Europe/Berlin): the reminder slots are its local hours, DST included.
    time_zone: Mapped[str] = mapped_column(
        String(ZONE_NAME_LIMIT), nullable=False, default="UTC", server_default="UTC"
    )
    # Reminders sent in a row without any activity in between; at 9 reminders pause.
    unanswered: Mapped[int] = mapped_column(
        SmallInteger, nullable=False, default=0, server_default=text("0")
    )
    paused: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    # The UTC start of the last reminder slot handled: each slot fires once, in any process.
    last_slot_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The last answer in a review or a game (reminders leave a busy learner alone).
    last_activity_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TrainingSession(Base):
    """An open review session: the cards to go through and where the learner is."""

    __tablename__ = "training_sessions"
    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # [[pair_id, direction], ...]; direction 0 shows the word, 1 the translation.
    cards: Mapped[list[list[int]]] = mapped_column(JSON, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Changes at every step: the buttons of the current card carry it.
    token: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Grades given so far, by rating (1 Again … 4 Easy): {"1": n, ...}.
    grades: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False)
    # The first card offers Snooze (a reminder found more overdue cards than fit).
    offer_snooze: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)
