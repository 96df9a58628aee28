"""Builds the running bot: Bot, Dispatcher (storage, isolation, middlewares, routers), jobs.

`create_app` is the one factory used by `agora run`, `agora worker`, `agora sandbox`, the
tests and the benchmark, so what is tested is what runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import LinkPreviewOptions, Update
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.base import utcnow
from bot.db.context import run_after_transaction
from bot.db.engine import create_engine, create_session_factory
from bot.db.middleware import CommitBeforeRequest, DbSessionMiddleware
from bot.db.migrate import upgrade
from bot.features import FEATURES, build_routers
from bot.features.core.middleware import UserMiddleware
from bot.features.core.service import UserDirectory
from bot.features.registry import Feature
from bot.features.stats.jobs import expiry_job
from bot.fsm.factory import FsmBundle, build_fsm
from bot.fsm.frame import FsmMiddleware
from bot.fsm.sql import SqlStorage
from bot.jobs.runner import Job, JobContext, JobRunner
from bot.metrics import render
from bot.outbox.sender import OutboxSender
from bot.telegram.access import Access
from bot.telegram.commands import CommandRegistry
from bot.telegram.guards import RefusalAnswer
from bot.telegram.menus import publish_descriptions, publish_menus
from bot.telegram.metrics import ApiCallCounter, UpdateTimer, count_handlers
from bot.telegram.pacing import PacingLimits, SharedBuckets, TelegramIO, telegram_io
from bot.telegram.runs import RunClockMiddleware
from bot.telegram.slots import WorkSlotMiddleware, WorkSlots

log = logging.getLogger(__name__)

# Updates doing work at once in one process (bot.telegram.slots: one waiting for Telegram holds
# no slot): few enough for the DB pool and the Redis pool.
MAX_WORKING_UPDATES = 100
# Updates taken from Telegram and not yet finished (aiogram's polling tasks): working, waiting
# for their user's lock or for Telegram; the rest wait in aiogram's polling loop.
MAX_TAKEN_UPDATES = 500
SHUTDOWN_GRACE_SECONDS = 30.0


class InflightTracker:
    """Which updates are being handled, so a stop can wait for them and tests can wait for one."""

    def __init__(self, remember: int = 10_000) -> None:
        self._running: dict[int, asyncio.Task[Any] | None] = {}
        self._done: set[int] = set()
        self._done_order: deque[int] = deque()
        self._remember = remember
        self._changed = asyncio.Condition()

    async def started(self, update_id: int) -> None:
        self._running[update_id] = asyncio.current_task()

    async def finished(self, update_id: int) -> None:
        self._running.pop(update_id, None)
        self._done.add(update_id)
        self._done_order.append(update_id)
        if len(self._done_order) > self._remember:
            self._done.discard(self._done_order.popleft())
        async with self._changed:
            self._changed.notify_all()

    @property
    def running(self) -> int:
        return len(self._running)

    async def wait_processed(self, update_id: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: update_id in self._done)

    async def wait_idle(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._running)

    def cancel_all(self) -> int:
        """Cancel the updates being handled (an abrupt stop, as a crash would be)."""
        tasks = [task for task in self._running.values() if task is not None and not task.done()]
        for task in tasks:
            task.cancel()
        return len(tasks)


class AgoraDispatcher(Dispatcher):
    """aiogram's Dispatcher that knows which updates are in flight (for a graceful stop)."""

    def __init__(self, *, inflight: InflightTracker, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inflight = inflight

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        await self.inflight.started(update.update_id)
        try:
            return await super().feed_update(bot, update, **kwargs)
        finally:
            await self.inflight.finished(update.update_id)

    async def emit_shutdown(self, *args: Any, **kwargs: Any) -> None:
        # aiogram closes the FSM storage in its own shutdown handler: updates still running
        # must finish before any shutdown handler runs.
        await self.wait_idle()
        await super().emit_shutdown(*args, **kwargs)

    async def wait_idle(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        try:
            await asyncio.wait_for(self.inflight.wait_idle(), grace)
        except TimeoutError:
            log.warning("stopping with %d updates still running", self.inflight.running)


@dataclass
class App:
    settings: Settings
    bot: Bot
    dispatcher: AgoraDispatcher
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    fsm: FsmBundle
    access: Access
    registry: CommandRegistry
    jobs: JobRunner
    sender: OutboxSender
    inflight: InflightTracker
    # Set when start-up (menus, jobs) is done and updates are being taken.
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    _closed: bool = field(default=False, repr=False)

    async def ping(self) -> dict[str, bool]:
        """Reachability of the database and the FSM storage (for /healthz)."""
        result = {"database": False, "fsm": False}
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            result["database"] = True
        except Exception as error:  # one line per probe; the traceback at DEBUG
            log.warning("database unreachable: %s", error, exc_info=log.isEnabledFor(logging.DEBUG))
        try:
            await self.fsm.ping()
            result["fsm"] = True
        except Exception as error:
            log.warning(
                "FSM storage unreachable: %s", error, exc_info=log.isEnabledFor(logging.DEBUG)
            )
        return result

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.jobs.stop()
        await self.sender.stop()
        io = telegram_io(self.bot)
        if io is not None:
            await io.close()
        await self.fsm.close()
        await self.bot.session.close()
        await self.engine.dispose()


def purge_job(storage: SqlStorage) -> Job:
    async def purge_expired_fsm(context: JobContext) -> int:
        return await storage.purge_expired(context.now())

    return Job("fsm-purge", interval=3600, run=purge_expired_fsm)


_RESPONSE_TYPES: list[type[Any]] = []


def keep_response_types() -> None:
    """Build aiogram's Response[T] models once and keep them alive.

    aiogram parses every API answer with `Response[method.__returning__]`; pydantic holds such
    parametrised models only weakly, so each garbage collection dropped them and the next call
    rebuilt one (~1-3 ms each, dozens of times a minute under load; see bench/README.md).
    """
    if _RESPONSE_TYPES:
        return
    import aiogram.methods
    from aiogram.methods.base import Response, TelegramMethod

    returning = {
        cls.__returning__
        for cls in vars(aiogram.methods).values()
        if isinstance(cls, type) and issubclass(cls, TelegramMethod) and cls is not TelegramMethod
    }
    _RESPONSE_TYPES.extend(Response[result] for result in returning)  # type: ignore[valid-type]


def create_bot(
    settings: Settings,
    *,
    token: str | None = None,
    pacing: PacingLimits | None = None,
    on_blocked: Callable[[int], Any] | None = None,
) -> Bot:
    keep_response_types()
    api = (
        TelegramAPIServer.from_base(str(settings.bot_api_url).rstrip("/"))
        if settings.bot_api_url
        else None
    )
    session = AiohttpSession(api=api) if api else AiohttpSession()
    bot = Bot(
        token or settings.require_token(),
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )
    # Shared by every instance through Redis when there is one; per process otherwise.
    shared = (
        SharedBuckets(Redis.from_url(settings.redis_url), prefix=f"agora:pace:{bot.id}")
        if settings.redis_url
        else None
    )
    # First, so that the update's writes commit before the request waits for its pace.
    bot.session.middleware(CommitBeforeRequest())
    bot.session.middleware(
        TelegramIO(limits=pacing or PacingLimits(), on_blocked=on_blocked, shared=shared)
    )
    # Innermost: every attempt is counted, a 429 before TelegramIO waits it out.
    bot.session.middleware(ApiCallCounter())
    return bot


async def create_app(
    settings: Settings,
    *,
    features: Sequence[Feature] = FEATURES,
    token: str | None = None,
    pacing: PacingLimits | None = None,
    clock: Callable[[], datetime] = utcnow,
    migrate: bool | None = None,
) -> App:
    """Everything `agora run` runs, ready to poll or to serve a webhook.

    The embedded default (SQLite) migrates itself; PostgreSQL is migrated by `agora migrate`
    (`migrate=True` forces it, as the tests do).
    """
    engine = create_engine(settings.database_url)
    if migrate if migrate is not None else settings.is_sqlite:
        await upgrade(engine)
    session_factory = create_session_factory(engine)
    users = UserDirectory()

    async def on_blocked(user_id: int) -> None:
        async def mark() -> None:
            async with session_factory() as session, session.begin():
                await users.mark_blocked(session, user_id)

        # Inside an update its transaction may hold SQLite's write lock: mark after it ends.
        if not run_after_transaction(mark):
            await mark()

    bot = create_bot(settings, token=token, pacing=pacing, on_blocked=on_blocked)
    fsm = build_fsm(settings.redis_url, session_factory, settings.fsm_ttl_seconds)
    await fsm.prepare()
    inflight = InflightTracker()
    dispatcher = AgoraDispatcher(
        storage=fsm.storage,
        events_isolation=fsm.events_isolation,
        inflight=inflight,
        # aiogram's FSM middleware is replaced by ours (one read, one write per update), first
        # among the outer middlewares as aiogram's would be.
        disable_fsm=True,
    )
    dispatcher.update.outer_middleware(FsmMiddleware(dispatcher.fsm))
    # Inside the user's lock: waiting for it holds no slot (bot.telegram.slots).
    dispatcher.update.outer_middleware(WorkSlotMiddleware(WorkSlots(MAX_WORKING_UPDATES)))
    access = Access(bot, admin_ids=settings.admin_ids, community_chat_id=settings.community_chat_id)
    registry = CommandRegistry.of(feature.commands for feature in features)
    dispatcher.update.outer_middleware(UpdateTimer())
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(RunClockMiddleware())  # the clock of flow runs
    dispatcher.update.outer_middleware(UserMiddleware(users, settings.default_locale))
    dispatcher.update.outer_middleware(RefusalAnswer())  # a service's Refused, answered once
    routers = build_routers(features)
    count_handlers(routers)
    dispatcher.include_routers(*routers)
    dispatcher.workflow_data.update(
        settings=settings,
        access=access,
        registry=registry,
        session_factory=session_factory,
        clock=clock,
        users=users,
    )

    sender = OutboxSender(bot, session_factory)
    sender.start()
    jobs: list[Job] = [job for feature in features for job in feature.jobs]
    jobs.extend(sender.jobs())
    if isinstance(fsm.storage, SqlStorage):
        jobs.append(purge_job(fsm.storage))
    jobs.append(expiry_job(fsm.storage))
    context = JobContext(bot=bot, session_factory=session_factory, settings=settings, clock=clock)
    runner = JobRunner(jobs, context)

    app = App(
        settings=settings,
        bot=bot,
        dispatcher=dispatcher,
        engine=engine,
        session_factory=session_factory,
        fsm=fsm,
        access=access,
        registry=registry,
        jobs=runner,
        sender=sender,
        inflight=inflight,
    )

    async def on_startup() -> None:
        await publish_menus(bot, registry, access)
        await publish_descriptions(bot)
        runner.start()

    async def on_shutdown() -> None:
        await runner.stop()

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    return app


# --- run modes ------------------------------------------------------------------------------


async def run_polling(app: App, *, handle_signals: bool = True) -> None:
    """Long polling; SIGTERM/SIGINT stop it after in-flight updates finish."""
    await app.bot.delete_webhook(drop_pending_updates=False)

    async def mark_ready() -> None:
        app.ready.set()

    app.dispatcher.startup.register(mark_ready)  # after create_app's start-up handlers
    try:
        async with health_server(app):
            await app.dispatcher.start_polling(
                app.bot,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
                tasks_concurrency_limit=MAX_TAKEN_UPDATES,
                handle_signals=handle_signals,
                close_bot_session=False,
            )
    finally:
        await app.close()


def add_health_routes(web_app: Any, app: App) -> None:
    """GET /healthz (the database and the FSM storage answer) and GET /metrics (Prometheus)."""
    from aiohttp import web

    async def healthz(_request: web.Request) -> web.Response:
        status = await app.ping()
        ok = all(status.values())
        return web.json_response({"ok": ok, **status}, status=200 if ok else 503)

    async def metrics(_request: web.Request) -> web.Response:
        body, content_type = render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)


@contextlib.asynccontextmanager
async def health_server(app: App) -> AsyncIterator[None]:
    """The health server of polling mode and of the worker, while the block runs."""
    from aiohttp import web

    if not app.settings.health_port:
        yield
        return
    web_app = web.Application()
    add_health_routes(web_app, app)
    runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, app.settings.health_host, app.settings.health_port).start()
    log.info("health server on %s:%s", app.settings.health_host, app.settings.health_port)
    try:
        yield
    finally:
        await runner.cleanup()


def build_webhook_app(app: App) -> Any:
    """The aiohttp application of webhook mode: the update endpoint and /healthz."""
    from urllib.parse import urlsplit

    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    settings = app.settings
    assert settings.webhook_url is not None
    path = urlsplit(str(settings.webhook_url)).path or "/webhook"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None

    async def on_startup() -> None:
        await app.bot.set_webhook(
            str(settings.webhook_url),
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        app.ready.set()

    web_app = web.Application()
    add_health_routes(web_app, app)
    SimpleRequestHandler(
        dispatcher=app.dispatcher, bot=app.bot, secret_token=secret, handle_in_background=True
    ).register(web_app, path=path)
    app.dispatcher.startup.register(on_startup)
    setup_application(web_app, app.dispatcher, bot=app.bot)
    return web_app


async def run_webhook(app: App) -> None:
    """Serve the webhook until SIGTERM/SIGINT; several instances may run side by side."""
    import signal

    from aiohttp import web

    web_app = build_webhook_app(app)
    runner = web.AppRunner(web_app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.webhook_host, app.settings.webhook_port)
    await site.start()
    log.info("webhook server on %s:%s", app.settings.webhook_host, app.settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # emits the dispatcher's shutdown: in-flight updates finish
        await app.close()


async def run_worker(app: App) -> None:
    """Only the periodic jobs (`agora worker`), e.g. beside webhook instances."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    app.jobs.start()
    try:
        async with health_server(app):
            await stop.wait()
    finally:
        await app.close()
