"""Users: keep the row in step with Telegram's view of the sender, without needless writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.db.context import on_commit
from bot.db.dialect import insert
from bot.features.core.models import User


@dataclass(frozen=True, slots=True)
class UserInfo:
    """What the bot knows of a user while handling one update (a snapshot, not an ORM row)."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    language: str | None
    is_blocked: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


_COLUMNS = (
    User.id,
    User.first_name,
    User.last_name,
    User.username,
    User.language_code,
    User.language,
    User.is_blocked,
)
_SYNCED = ("first_name", "last_name", "username", "language_code")


class UserDirectory:
    """The users table seen through a small in-process cache (one per app).

    Every update names its sender; `sync` returns the sender's row and writes only when Telegram's
    data (or the blocked flag) changed, so a returning user costs no SQL at all. Entries live
    `ttl` seconds (another process may have changed the row meanwhile: /language there) and at
    most `size` users are kept, the least recently seen going first. The cache follows commits:
    what a rolled-back transaction wrote is never cached.
    """

    def __init__(self, *, ttl: float = 60.0, size: int = 10_000) -> None:
        self._cache: TTLCache[int, UserInfo] = TTLCache(maxsize=size, ttl=ttl)

    def __len__(self) -> int:
        return len(self._cache)

    async def sync(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        unblock: bool,
    ) -> UserInfo:
        """The user's row, inserted or updated only when Telegram's data changed."""
        fields: dict[str, Any] = {
            "first_name": first_name[:255],
            "last_name": last_name[:255] if last_name else None,
            "username": username,
            "language_code": language_code,
        }
        known = self._cache.get(user_id)
        if known is None:
            row = (await session.execute(select(*_COLUMNS).where(User.id == user_id))).first()
            if row is not None:
                known = UserInfo(*row)
                self._cache[user_id] = known
        if known is not None and not _differs(known, fields, unblock):
            return known
        stmt = insert(session, User).values(id=user_id, **fields)
        changes: dict[str, Any] = {name: stmt.excluded[name] for name in _SYNCED}
        if unblock:
            changes["is_blocked"] = False
        changes["updated_at"] = utcnow()
        stmt = stmt.on_conflict_do_update(index_elements=[User.id], set_=changes).returning(
            *_COLUMNS
        )
        info = UserInfo(*(await session.execute(stmt)).one())
        self._cache.pop(user_id, None)
        on_commit(session, lambda: self._cache.__setitem__(user_id, info))
        return info

    async def set_language(self, session: AsyncSession, user_id: int, locale: str) -> None:
        await session.execute(update(User).where(User.id == user_id).values(language=locale))
        self._forget(session, user_id)

    async def mark_blocked(self, session: AsyncSession, user_id: int, blocked: bool = True) -> None:
        await session.execute(update(User).where(User.id == user_id).values(is_blocked=blocked))
        self._forget(session, user_id)

    def _forget(self, session: AsyncSession, user_id: int) -> None:
        def forget() -> None:
            self._cache.pop(user_id, None)

        forget()
        on_commit(session, forget)


def _differs(known: UserInfo, fields: dict[str, Any], unblock: bool) -> bool:
    if unblock and known.is_blocked:
        return True
    return any(getattr(known, name) != value for name, value in fields.items())
