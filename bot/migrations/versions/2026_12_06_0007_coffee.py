"""coffee

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.TextClause:
    return sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "coffee_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pairs_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("poll_message_id", sa.BigInteger(), nullable=True),
        sa.Column("poll_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_rounds")),
        sa.UniqueConstraint("chat_id", "week", name=op.f("uq_coffee_rounds_chat_id_week")),
        sa.UniqueConstraint("poll_id", name=op.f("uq_coffee_rounds_poll_id")),
    )
    op.create_index(op.f("ix_coffee_rounds_pairs_at"), "coffee_rounds", ["pairs_at"], unique=False)
    # One open round per chat.
    op.create_index(
        "uq_coffee_rounds_open_chat",
        "coffee_rounds",
        ["chat_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "coffee_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("yes", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["coffee_rounds.id"],
            name=op.f("fk_coffee_answers_round_id_coffee_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_coffee_answers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_answers")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_coffee_answers_round_id_user_id")),
    )
    op.create_table(
        "coffee_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_no", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["coffee_rounds.id"],
            name=op.f("fk_coffee_pairs_round_id_coffee_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_coffee_pairs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_pairs")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_coffee_pairs_round_id_user_id")),
    )
    op.create_index(op.f("ix_coffee_pairs_user_id"), "coffee_pairs", ["user_id"], unique=False)
    op.create_table(
        "coffee_exclusions",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("excluded_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_coffee_exclusions")),
    )


def downgrade() -> None:
    op.drop_table("coffee_exclusions")
    op.drop_index(op.f("ix_coffee_pairs_user_id"), table_name="coffee_pairs")
    op.drop_table("coffee_pairs")
    op.drop_table("coffee_answers")
    op.drop_index("uq_coffee_rounds_open_chat", table_name="coffee_rounds")
    op.drop_index(op.f("ix_coffee_rounds_pairs_at"), table_name="coffee_rounds")
    op.drop_table("coffee_rounds")
