"""forget

/forget anonymises what a member leaves in shared things: the topics they proposed, the
proposals, votes and participations of voting sessions (counts stay), the sessions they
created. Those columns may now be NULL (a former member).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("topics", "author_id"),
    ("proposals", "author_id"),
    ("votes", "user_id"),
    ("session_participants", "user_id"),
    ("voting_sessions", "created_by"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(sa.text(f"DELETE FROM {table} WHERE {column} IS NULL"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.BigInteger(), nullable=False)
