"""training and game

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "word_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("word", sa.String(length=255), nullable=False),
        sa.Column("word_key", sa.String(length=255), nullable=False),
        sa.Column("translation", sa.String(length=255), nullable=False),
        sa.Column("fsrs_card", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("reps", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
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
        _user_fk("word_pairs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_word_pairs")),
        sa.UniqueConstraint("user_id", "word_key", name=op.f("uq_word_pairs_user_id_word_key")),
    )
    op.create_index("ix_word_pairs_user_id_due", "word_pairs", ["user_id", "due"], unique=False)
    op.create_table(
        "learning_settings",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "cards_per_session", sa.SmallInteger(), server_default=sa.text("10"), nullable=False
        ),
        sa.Column("remind_morning", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("remind_afternoon", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("remind_evening", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("utc_offset", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("unanswered", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_slot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("learning_settings"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learning_settings")),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("offer_snooze", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("training_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
        sa.UniqueConstraint(
            "chat_id", "user_id", name=op.f("uq_training_sessions_chat_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_training_sessions_expires_at"), "training_sessions", ["expires_at"], unique=False
    )
    op.create_table(
        "game_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_answer_id", sa.BigInteger(), nullable=True),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("game_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_game_sessions")),
        sa.UniqueConstraint("chat_id", "user_id", name=op.f("uq_game_sessions_chat_id_user_id")),
    )
    op.create_index(
        op.f("ix_game_sessions_answer_by"), "game_sessions", ["answer_by"], unique=False
    )
    op.create_index(
        op.f("ix_game_sessions_expires_at"), "game_sessions", ["expires_at"], unique=False
    )
    op.create_table(
        "game_statistics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("game_statistics"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_game_statistics")),
    )
    op.create_index(
        op.f("ix_game_statistics_user_id"), "game_statistics", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_game_statistics_user_id"), table_name="game_statistics")
    op.drop_table("game_statistics")
    op.drop_index(op.f("ix_game_sessions_expires_at"), table_name="game_sessions")
    op.drop_index(op.f("ix_game_sessions_answer_by"), table_name="game_sessions")
    op.drop_table("game_sessions")
    op.drop_index(op.f("ix_training_sessions_expires_at"), table_name="training_sessions")
    op.drop_table("training_sessions")
    op.drop_table("learning_settings")
    op.drop_index("ix_word_pairs_user_id_due", table_name="word_pairs")
    op.drop_table("word_pairs")
