"""Feedback to admins: who can be reached, and whether a prompt is too old (no aiogram)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User

# A /feedback prompt takes a message for this long; later the member sends /feedback again.
TIMEOUT = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    language: str | None
    language_code: str | None


async def reachable(session: AsyncSession, user_ids: Iterable[int]) -> list[Recipient]:
    """The users among `user_ids` the bot can write to: known to it and not blocked by them."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = await session.execute(
        select(User.id, User.language, User.language_code)
        .where(User.id.in_(ids), User.is_blocked.is_(False))
        .order_by(User.id)
    )
    return [Recipient(*row) for row in rows.all()]


def expired(since: object, now: datetime, timeout: timedelta = TIMEOUT) -> bool:
    """Whether a prompt shown at `since` (ISO time kept in FSM data) is too old to answer.

    A prompt without a readable time (written by an older version) counts as expired.
    """
    if not isinstance(since, str):
        return True
    try:
        shown = datetime.fromisoformat(since)
    except ValueError:
        return True
    return now - shown > timeout
