"""Users: keep the row in step with Telegram's view of the sender, without needless writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import insert
from bot.features.core.models import User


async def sync_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
    unblock: bool,
) -> User:
    """Return the user's row, inserting or updating it only when Telegram's data changed."""
    fields: dict[str, Any] = {
        "first_name": first_name[:255],
        "last_name": last_name[:255] if last_name else None,
        "username": username,
        "language_code": language_code,
    }
    user = await session.get(User, user_id)
    if user is None:
        # Two processes may see a new user at once: insert-or-ignore, then read.
        stmt = insert(session, User).values(id=user_id, **fields).on_conflict_do_nothing()
        await session.execute(stmt)
        user = await session.get(User, user_id, populate_existing=True)
        assert user is not None
        return user
    for name, value in fields.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
    if unblock and user.is_blocked:
        user.is_blocked = False
    return user


async def set_language(session: AsyncSession, user: User, locale: str) -> None:
    user.language = locale


async def mark_blocked(session: AsyncSession, user_id: int, blocked: bool = True) -> None:
    await session.execute(update(User).where(User.id == user_id).values(is_blocked=blocked))
