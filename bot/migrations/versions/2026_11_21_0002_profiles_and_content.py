"""profiles and content

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _search() -> sa.Column[str]:
    # tsvector under a GIN index on PostgreSQL; lower-cased text for LIKE on SQLite.
    return sa.Column(
        "search", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
    )


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "content_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("author_name", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _search(),
        sa.Column("link", sa.String(length=255), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_messages")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name=op.f("uq_content_messages_chat_id_message_id")
        ),
    )
    op.create_index(
        "ix_content_messages_search", "content_messages", ["search"], postgresql_using="gin"
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("first_name", sa.String(length=64), nullable=False),
        sa.Column("last_name", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("about", sa.Text(), nullable=False),
        _search(),
        sa.Column("published_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("published_message_id", sa.BigInteger(), nullable=True),
        sa.Column("link_preview", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_profiles_user_id")),
    )
    op.create_index("ix_profiles_search", "profiles", ["search"], postgresql_using="gin")
    op.create_index(op.f("ix_profiles_username"), "profiles", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_profiles_username"), table_name="profiles")
    op.drop_index("ix_profiles_search", table_name="profiles")
    op.drop_table("profiles")
    op.drop_index("ix_content_messages_search", table_name="content_messages")
    op.drop_table("content_messages")
