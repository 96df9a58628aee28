"""card token indexes

A pressed card button names its session by the card's token (the button check looks it up
before the handler runs): index the tokens of review and game sessions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_training_sessions_token"), "training_sessions", ["token"])
    op.create_index(op.f("ix_game_sessions_token"), "game_sessions", ["token"])


def downgrade() -> None:
    op.drop_index(op.f("ix_game_sessions_token"), table_name="game_sessions")
    op.drop_index(op.f("ix_training_sessions_token"), table_name="training_sessions")
