"""The `agora` command as a process in tests: a clean environment, output kept in files."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram, World
from bot.telegram.text import escape

ROOT = Path(__file__).resolve().parents[1]
# Settings a developer's shell may hold; a test sets the ones it means.
OWN_PREFIXES = ("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_", "ADMIN_", "LOG_", "COMMUNITY_")
# Enough for a slow machine; a process that needs longer is stuck.
PROCESS_TIMEOUT = 180.0


def clean_env(*, repo_on_path: bool = True, **values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(OWN_PREFIXES) and key not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    if repo_on_path:
        # The process must run the code under test, wherever the package is installed from.
        env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


def python_agora() -> list[str]:
    return [sys.executable, "-m", "bot"]


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def last_error_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""


async def run_agora(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    stdin: bytes | None = None,
    command: Sequence[str] | None = None,
) -> Finished:
    """Run `agora ARGS` to its end; the test's event loop stays free (a fake Telegram may be
    answering it), and the output goes to files (a pipe nobody reads could block it)."""
    out, err = cwd / "agora.out", cwd / "agora.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        done = await asyncio.to_thread(
            subprocess.run,
            [*(command or python_agora()), *args],
            cwd=cwd, env=env, input=stdin, stdout=stdout, stderr=stderr,
            timeout=PROCESS_TIMEOUT,
        )  # fmt: skip
    return Finished(done.returncode, out.read_text(), err.read_text())


class AgoraRun:
    """A long-running `agora run` against a fake Telegram, started and stopped by the test."""

    def __init__(
        self, world: World, server: FakeTelegram, *, cwd: Path, env: dict[str, str]
    ) -> None:
        self.world = world
        self.server = server
        self.cwd = cwd
        self.env = env
        self.log_path = cwd / "agora-run.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._exited: asyncio.Future[int] | None = None

    async def __aenter__(self) -> AgoraRun:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.kill()

    def log(self) -> str:
        return self.log_path.read_text()

    async def start(self, command: Sequence[str] | None = None) -> None:
        with self.log_path.open("wb") as log:
            self.process = await asyncio.to_thread(
                subprocess.Popen,
                [*(command or python_agora()), "run"],
                cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        process = self.process
        # A process that exits makes no request: its exit must wake the wait below too.
        self._exited = asyncio.ensure_future(asyncio.to_thread(process.wait))
        self._exited.add_done_callback(lambda _: self.world.requests_pulse.fire())
        # Started once it has set its menus (the last start-up step) and polls.
        await self.world.wait_for(
            lambda: (
                (self.world.calls("setMyCommands") and self.world.active_polls > 0)
                or process.poll() is not None
            ),
            timeout=PROCESS_TIMEOUT,
        )
        if process.poll() is not None:
            pytest.fail(f"agora run exited at start:\n{self.log()[-3000:]}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def stop(self) -> int:
        """SIGTERM, and the exit code."""
        assert self.process is not None
        assert self._exited is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(asyncio.shield(self._exited), PROCESS_TIMEOUT)
        finally:
            await self.kill()

    async def kill(self) -> None:
        """SIGKILL if still running (a test that failed half-way), and wait for the end."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self._exited is not None:
            await self._exited


async def greeted(world: World, name: str = "Alice") -> None:
    """`name` sends /start to a bot running in a process of its own and gets the greeting.

    Waited for by its text: such a bot has no "processed" hook, and its first answer may take
    longer than the client's quiet period on a busy machine.
    """
    user = world.user(name)
    await user.send("/start")
    expected = f"Hello, <b>{escape(name)}</b>"
    await world.wait_for(
        lambda: any(expected in message.html for message in user.messages),
        timeout=PROCESS_TIMEOUT,
    )
