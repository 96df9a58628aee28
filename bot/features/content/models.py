"""The content_messages table: the archive of the community chat's content topic."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, TimestampMixin
from bot.features.profile.models import SearchText


class ContentMessage(TimestampMixin, Base):
    __tablename__ = "content_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        Index("ix_content_messages_search", "search", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    author_name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    search: Mapped[str | None] = mapped_column(SearchText)
    link: Mapped[str | None] = mapped_column(String(255))
