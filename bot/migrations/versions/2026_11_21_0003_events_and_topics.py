"""events and topics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'upcoming'"), nullable=False
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("announcement_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("announcement_message_id", sa.BigInteger(), nullable=True),
        sa.Column("reminder_24h_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reminder_24h_state",
            sa.String(length=8),
            server_default=sa.text("'pending'"),
            nullable=False,
        ),
        sa.Column("reminder_1h_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reminder_1h_state",
            sa.String(length=8),
            server_default=sa.text("'pending'"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_status_starts_at", "events", ["status", "starts_at"], unique=False)
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_topics_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_topics_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    op.create_index(op.f("ix_topics_author_id"), "topics", ["author_id"], unique=False)
    op.create_index(op.f("ix_topics_event_id"), "topics", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_topics_event_id"), table_name="topics")
    op.drop_index(op.f("ix_topics_author_id"), table_name="topics")
    op.drop_table("topics")
    op.drop_index("ix_events_status_starts_at", table_name="events")
    op.drop_table("events")
