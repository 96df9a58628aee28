"""One AsyncSession per update: committed after the handler, rolled back on error."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import after_transaction, current_session

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        deferred: list[Callable[[], Awaitable[None]]] = []
        deferred_token = after_transaction.set(deferred)
        try:
            async with self.session_factory() as session:
                data["session"] = session
                token = current_session.set(session)
                try:
                    result = await handler(event, data)
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
                finally:
                    current_session.reset(token)
                    # The errors handler must not reuse a finished session.
                    data.pop("session", None)
            return result
        finally:
            after_transaction.reset(deferred_token)
            for callback in deferred:
                try:
                    await callback()
                except Exception:
                    log.exception("deferred work after the update's transaction failed")
