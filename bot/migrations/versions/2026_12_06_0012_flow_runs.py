"""flow runs

One row per conversation (flow) from its start to its end, for /stats: started, completed,
cancelled, left, expired or failed, with its start and end times.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_runs")),
    )
    op.create_index("ix_flow_runs_status_kind", "flow_runs", ["status", "kind"])
    op.create_index("ix_flow_runs_started_at", "flow_runs", ["started_at"])
    op.create_index("ix_flow_runs_user_chat", "flow_runs", ["user_id", "chat_id"])


def downgrade() -> None:
    op.drop_index("ix_flow_runs_user_chat", table_name="flow_runs")
    op.drop_index("ix_flow_runs_started_at", table_name="flow_runs")
    op.drop_index("ix_flow_runs_status_kind", table_name="flow_runs")
    op.drop_table("flow_runs")
