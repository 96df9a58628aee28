"""Prometheus metrics of one bot process: updates, Bot API calls, the outbox and the jobs.

The series live in one registry of their own (several apps in one process, as in the tests,
share it) and are served as text on the health server's `/metrics`.
"""

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
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

if TYPE_CHECKING:
    from aiogram import Bot

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "agora_updates",
    "Updates taken by a handler, by handler and outcome (handled, failed).",
    ["handler", "outcome"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "agora_update_seconds",
    "Time to handle one update, from the dispatcher taking it to its end.",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
API_CALLS = Counter(
    "agora_bot_api_calls",
    "Bot API requests, by method and outcome (ok, error, flood = a 429).",
    ["method", "outcome"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "agora_outbox_pending", "Outbox rows waiting to be delivered.", registry=REGISTRY
)
OUTBOX_OLDEST = Gauge(
    "agora_outbox_oldest_age_seconds",
    "Age of the oldest outbox row still waiting (0 when none waits).",
    registry=REGISTRY,
)
DB_STATEMENTS = Counter(
    "agora_db_statements",
    "Round trips to the database: statements, BEGIN, COMMIT and ROLLBACK, by kind.",
    ["kind"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "agora_job_runs",
    "Rounds of the periodic jobs, by job and outcome (ok, failed).",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_LAG = Gauge(
    "agora_job_lag_seconds",
    "How late the job's latest round started, against its interval.",
    ["job"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "agora_job_seconds",
    "Duration of one round of a job.",
    ["job"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, for `/metrics`."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


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
