"""`agora run` as a real process against the fake Telegram, for crash tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

from bot.sandbox import FakeTelegram, World
from bot.sandbox.models import RequestRecord
from tests.cli import clean_env, python_agora


class BotProcess:
    """One `python -m bot run` at a time over the same database and Redis; its log is kept."""

    def __init__(self, world: World, server: FakeTelegram, workdir: Path, **env: str) -> None:
        self.world = world
        self.server = server
        self.workdir = workdir
        self.extra_env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.workdir / f"agora-{self.runs}.log"

    def logs(self) -> str:
        return "\n".join(
            (self.workdir / f"agora-{run}.log").read_text() for run in range(1, self.runs + 1)
        )

    async def start(self) -> None:
        env = clean_env(
            BOT_TOKEN=self.world.token,
            BOT_API_URL=self.server.base_url,
            LOG_LEVEL="INFO",
            **self.extra_env,
        )
        self.runs += 1
        commands_before = len(self.world.calls("setMyCommands"))
        with self.log_path.open("wb") as log:
            self.process = await asyncio.to_thread(
                subprocess.Popen,
                [*python_agora(), "run"],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        # Started once it has set its menus (the last start-up step before polling).
        await self.world.wait_for(
            lambda: (
                len(self.world.calls("setMyCommands")) > commands_before
                or self.process is None
                or self.process.poll() is not None
            )
        )
        if self.process.poll() is not None:
            raise AssertionError(f"agora run exited at start:\n{self.log_path.read_text()}")
        await self.world.wait_for(lambda: self.world.active_polls > 0)

    def kill_on(self, matches: object) -> None:
        """SIGKILL the process right after the server handled the first request that `matches`
        (a callable taking the RequestRecord): Telegram did it, the bot never hears back."""
        assert callable(matches)

        def trip(entry: RequestRecord) -> None:
            if self.process is not None and matches(entry):
                self.world.on_request = None
                os.kill(self.process.pid, signal.SIGKILL)

        self.world.on_request = trip

    async def wait_dead(self) -> None:
        assert self.process is not None
        await asyncio.to_thread(self.process.wait, 60)

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 10)
