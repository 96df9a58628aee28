"""voting

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
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
    ]


def upgrade() -> None:
    op.create_table(
        "voting_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="joining", nullable=False),
        sa.Column("join_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_dirty", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("card_edited_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_voting_sessions_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_sessions")),
    )
    op.create_index(
        op.f("ix_voting_sessions_chat_id"), "voting_sessions", ["chat_id"], unique=False
    )
    op.create_index(
        op.f("ix_voting_sessions_join_closes_at"),
        "voting_sessions",
        ["join_closes_at"],
        unique=False,
    )
    # One session that is not closed per chat.
    op.create_index(
        "uq_voting_sessions_open_chat",
        "voting_sessions",
        ["chat_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'closed'"),
        sqlite_where=sa.text("status <> 'closed'"),
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("yes_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("no_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("abstained_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("card_dirty", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("card_edited_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_proposals_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["voting_sessions.id"],
            name=op.f("fk_proposals_session_id_voting_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_closes_at"), "proposals", ["closes_at"], unique=False)
    op.create_index(op.f("ix_proposals_session_id"), "proposals", ["session_id"], unique=False)
    # One open proposal per session.
    op.create_index(
        "uq_proposals_open_session",
        "proposals",
        ["session_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "session_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "joined_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["voting_sessions.id"],
            name=op.f("fk_session_participants_session_id_voting_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_session_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_participants")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_session_participants_session_id_user_id")
        ),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_votes_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_votes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("proposal_id", "user_id", name=op.f("uq_votes_proposal_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_table("session_participants")
    op.drop_index(
        "uq_proposals_open_session",
        table_name="proposals",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.drop_index(op.f("ix_proposals_session_id"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_closes_at"), table_name="proposals")
    op.drop_table("proposals")
    op.drop_index(
        "uq_voting_sessions_open_chat",
        table_name="voting_sessions",
        postgresql_where=sa.text("status <> 'closed'"),
        sqlite_where=sa.text("status <> 'closed'"),
    )
    op.drop_index(op.f("ix_voting_sessions_join_closes_at"), table_name="voting_sessions")
    op.drop_index(op.f("ix_voting_sessions_chat_id"), table_name="voting_sessions")
    op.drop_table("voting_sessions")
