"""The profiles table: one profile per user, with the id of its published intro card."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, TimestampMixin

# What the searches read, kept by the services: on PostgreSQL a tsvector ('simple' config, so
# Russian and English alike) under a GIN index; on SQLite the lower-cased text, matched with LIKE
# (folded in Python: SQLite's lower() folds ASCII only).
SearchText = Text().with_variant(TSVECTOR(), "postgresql")


class Profile(TimestampMixin, Base):
    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_search", "search", postgresql_using="gin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    # Empty until filled: an admin may create a profile from a Telegram id alone.
    first_name: Mapped[str] = mapped_column(String(64), default="")
    last_name: Mapped[str] = mapped_column(String(64), default="")
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    about: Mapped[str] = mapped_column(Text, default="")
    search: Mapped[str | None] = mapped_column(SearchText)
    published_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    published_message_id: Mapped[int | None] = mapped_column(BigInteger)
    link_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    @property
    def is_complete(self) -> bool:
        return bool(self.first_name and self.last_name and self.about)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
