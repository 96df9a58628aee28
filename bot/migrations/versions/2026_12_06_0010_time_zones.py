"""time zones

Learning settings keep an IANA time zone instead of a fixed UTC offset, so that reminders
follow daylight saving time. An offset of N hours becomes the fixed zone of the same offset
(Etc/GMT-N for UTC+N: the Etc zones' signs are inverted), 0 becomes UTC; the learner can pick
their city's zone in /settings. The downgrade keeps each zone's current offset, in hours.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OFFSET_MIN, OFFSET_MAX = -12, 14

settings = sa.table(
    "learning_settings",
    sa.column("utc_offset", sa.SmallInteger()),
    sa.column("time_zone", sa.String(64)),
)


def zone_for_offset(offset: int) -> str:
    """The fixed zone of a whole-hour offset: UTC+3 is Etc/GMT-3."""
    if offset == 0:
        return "UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def offset_for_zone(name: str, now: datetime) -> int:
    """The zone's offset at `now`, rounded to hours (an unknown zone: 0)."""
    try:
        offset = now.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    hours = round(offset.total_seconds() / 3600) if offset is not None else 0
    return min(max(hours, OFFSET_MIN), OFFSET_MAX)


def upgrade() -> None:
    with op.batch_alter_table("learning_settings") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False)
        )
    connection = op.get_bind()
    offsets = connection.execute(sa.select(settings.c.utc_offset).distinct()).scalars().all()
    for offset in offsets:
        if offset:
            connection.execute(
                settings.update()
                .where(settings.c.utc_offset == offset)
                .values(time_zone=zone_for_offset(int(offset)))
            )
    with op.batch_alter_table("learning_settings") as batch:
        batch.drop_column("utc_offset")


def downgrade() -> None:
    with op.batch_alter_table("learning_settings") as batch:
        batch.add_column(
            sa.Column("utc_offset", sa.SmallInteger(), server_default=sa.text("0"), nullable=False)
        )
    connection = op.get_bind()
    now = datetime.now(UTC)
    zones = connection.execute(sa.select(settings.c.time_zone).distinct()).scalars().all()
    for zone in zones:
        offset = offset_for_zone(str(zone), now)
        if offset:
            connection.execute(
                settings.update().where(settings.c.time_zone == zone).values(utc_offset=offset)
            )
    with op.batch_alter_table("learning_settings") as batch:
        batch.drop_column("time_zone")
