"""The real bot against the fake Telegram: used by flow tests, `agora sandbox` and benchmarks.

`Sandbox` owns a World and its FakeTelegram server and runs the app built by the same
`create_app()` as `agora run`, by long polling or through a webhook, and can stop it gracefully
or abruptly and start a new one over the same database and FSM storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aiohttp import web

from bot.app import App, build_webhook_app, create_app, run_polling
from bot.config import Settings
from bot.db.base import utcnow
from bot.features import FEATURES
from bot.features.registry import Feature
from bot.sandbox.limits import Limits, Rate
from bot.sandbox.server import FakeTelegram
from bot.sandbox.world import World
from bot.telegram.pacing import PacingLimits

log = logging.getLogger(__name__)

Mode = Literal["polling", "webhook"]


@dataclass(frozen=True)
class Speed:
    """Telegram's limits, scaled: the fake server enforces them, the bot's pacer stays below.

    factor=1 is Telegram as documented; flow tests run faster with a larger factor, and the
    relation that matters (the pacer never exceeds what the server allows) holds at any factor.
    """

    factor: float = 1.0

    def server_limits(self) -> Limits:
        f = self.factor
        return Limits(
            private_chat=Rate(capacity=4 * f, refill=1 * f, per=1),
            group_chat=Rate(capacity=20 * f, refill=20 * f, per=60),
            overall=Rate(capacity=30 * f, refill=30 * f, per=1),
        )

    def pacing(self) -> PacingLimits:
        f = self.factor
        return PacingLimits(
            chat_rate=1 * f,
            chat_burst=max(1, int(3 * f)),
            group_rate=15 / 60 * f,
            group_burst=max(1, int(5 * f)),
            global_rate=28 * f,
            global_burst=max(1, int(10 * f)),
        )


REAL_SPEED = Speed(1)
TEST_SPEED = Speed(10)


class SettableClock:
    """A wall clock for tests: aware UTC, moved only by `set` and `advance`.

    Passed to the app (handlers get it as `clock`, jobs as `context.clock`), it makes deadlines,
    countdowns and reminders testable without waiting.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sandbox:
    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str | None = None,
        speed: Speed = TEST_SPEED,
        world: World | None = None,
        features: Sequence[Feature] = FEATURES,
        pacing: PacingLimits | None = None,
        clock: Callable[[], datetime] = utcnow,
        settle_outbox: bool = True,
        **settings: Any,
    ) -> None:
        self.features = features
        self.clock = clock
        self.pacing = pacing or speed.pacing()
        self.world = world or World(limits=speed.server_limits())
        self.server = FakeTelegram(self.world)
        self.speed = speed
        self.database_url = database_url
        self.redis_url = redis_url
        self.settings_overrides = settings
        # Whether "the bot handled this update" includes delivering the posts it queued
        # (what a flow test usually means); a burst test turns it off to watch the queue.
        self.settle_outbox = settle_outbox
        self.app: App | None = None
        self.mode: Mode = "polling"
        self._polling: asyncio.Task[None] | None = None
        self._webhook: web.AppRunner | None = None

    async def __aenter__(self) -> Sandbox:
        await self.server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
        await self.server.stop()

    def settings(self, **extra: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_api_url": self.server.base_url,
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "health_port": 0,  # many sandboxes may run at once: no fixed port
            **self.settings_overrides,
            **extra,
        }
        return Settings(_env_file=None, **values)

    async def start(self, mode: Mode = "polling", **settings: Any) -> App:
        """Build the app exactly as `agora run` does and let it take updates."""
        if self.app is not None:
            raise RuntimeError("the bot is already running")
        self.mode = mode
        port = free_port()
        if mode == "webhook":
            settings.setdefault("webhook_url", f"http://127.0.0.1:{port}/telegram/webhook")
            settings.setdefault("webhook_secret", "sandbox-secret")
        app = await create_app(
            self.settings(**settings),
            features=self.features,
            token=self.world.token,
            pacing=self.pacing,
            clock=self.clock,
            migrate=True,
        )
        self.app = app
        self.world.processed_waiter = self._processed_waiter(app)
        if mode == "polling":
            self._polling = asyncio.create_task(run_polling(app, handle_signals=False))
        else:
            runner = web.AppRunner(build_webhook_app(app), handle_signals=False)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            self._webhook = runner
        await asyncio.wait_for(app.ready.wait(), timeout=30)
        return app

    def _processed_waiter(self, app: App) -> Callable[[int], Awaitable[None]]:
        async def processed(update_id: int) -> None:
            await app.inflight.wait_processed(update_id)
            if self.settle_outbox:
                await app.sender.wait_settled()

        return processed

    async def stop(self, *, graceful: bool = True) -> None:
        """Stop the bot: gracefully (in-flight updates finish) or abruptly (they are cancelled)."""
        app, self.app = self.app, None
        if app is None:
            return
        self.world.processed_waiter = None
        if not graceful:
            app.inflight.cancel_all()
        if self._polling is not None:
            polling, self._polling = self._polling, None
            # Cancelling the polling task itself would leave aiogram's inner poller running
            # (it is a task of its own): stop it through the dispatcher either way. Abruptly,
            # the updates in flight were cancelled above, as a crash would lose them.
            await app.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
        if self._webhook is not None:
            runner, self._webhook = self._webhook, None
            await runner.cleanup()
        await app.close()

    async def worker(self, **settings: Any) -> App:
        """Another process over the same database and storage that takes no updates
        (as `agora worker` does): for running its jobs beside the bot. Close it when done."""
        return await create_app(
            self.settings(**settings),
            features=self.features,
            token=self.world.token,
            pacing=self.pacing,
            clock=self.clock,
            migrate=False,
        )

    async def restart(self, *, graceful: bool = True, **settings: Any) -> App:
        mode = self.mode
        await self.stop(graceful=graceful)
        return await self.start(mode, **settings)
