"""The middlewares that count updates, handlers and Bot API calls (series in bot.metrics)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware, Router
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update

from bot.metrics import API_CALLS, UPDATE_SECONDS, UPDATES

if TYPE_CHECKING:
    from aiogram import Bot


class UpdateTimer(BaseMiddleware):
    """Outer update middleware: how long each update takes, by its kind."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            UPDATE_SECONDS.labels(kind).observe(time.perf_counter() - started)


class HandlerCounter(BaseMiddleware):
    """Inner middleware of every observer: which handler took the update, and how it ended."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        found = data.get("handler")
        name = _handler_name(found) if isinstance(found, HandlerObject) else "unknown"
        try:
            result = await handler(event, data)
        except Exception:
            UPDATES.labels(name, "failed").inc()
            raise
        UPDATES.labels(name, "handled").inc()
        return result


def _handler_name(handler: HandlerObject) -> str:
    callback = handler.callback
    module = getattr(callback, "__module__", "") or ""
    feature = module.removeprefix("bot.features.").removesuffix(".router")
    return f"{feature}.{getattr(callback, '__name__', type(callback).__name__)}"


def count_handlers(routers: list[Router]) -> None:
    """Attach HandlerCounter to every observer of these routers and of their sub-routers."""
    counter = HandlerCounter()
    for router in routers:
        for each in router.chain_tail:
            for name, observer in each.observers.items():
                if name not in ("update", "error"):
                    observer.middleware(counter)


class ApiCallCounter(BaseRequestMiddleware):
    """Bot session middleware: every Bot API call and its outcome, 429s apart."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            API_CALLS.labels(name, "flood").inc()
            raise
        except Exception:
            API_CALLS.labels(name, "error").inc()
            raise
        API_CALLS.labels(name, "ok").inc()
        return response
