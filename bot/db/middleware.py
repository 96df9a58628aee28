"""One AsyncSession per update, and the rule that it commits before the update's first request.

`DbSessionMiddleware` opens the update's session; `CommitBeforeRequest` (a Bot session request
middleware) commits whatever the update wrote before any request to Telegram leaves, so a reply
never announces something a crash could still lose, and no transaction (nor SQLite's write lock,
nor a pooled PostgreSQL connection) is held while a request waits for its pace or its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import after_transaction, current_session, durable_hook

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


class DbSessionMiddleware(BaseMiddleware):
    """The update's session: committed when the handler ends, rolled back when it fails."""

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
                    await commit(session)
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


async def commit(session: AsyncSession) -> None:
    """Make what the update wrote durable: its rows and its FSM record (`durable_hook`).

    No round trip when nothing was written (the engine begins transactions at the first write).
    """
    hook = durable_hook.get()
    if hook is not None and hook.joins_transaction:
        await hook.flush()
    if session.in_transaction():
        await session.commit()
    if hook is not None and not hook.joins_transaction:
        await hook.flush()


class CommitBeforeRequest(BaseRequestMiddleware):
    """Durable before reply: the update's writes commit before any of its Bot API requests.

    Registered first on the Bot session, so it runs before pacing: the commit happens before the
    request waits for its turn, never while. Outside an update (jobs) there is no current session
    and nothing to do: jobs commit their own short transactions before they send.
    """

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        session = current_session.get()
        if session is not None:
            await commit(session)
        return await make_request(bot, method)
