"""`agora run` as a process: it polls the fake Telegram, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram, World

ROOT = Path(__file__).resolve().parents[2]


async def test_agora_run_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    world = World()
    async with FakeTelegram(world) as server:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_", "ADMIN_"))
        }
        env.update(
            # The process must run the code under test, wherever the package is installed from.
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            BOT_TOKEN=world.token,
            BOT_API_URL=server.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}",
            LOG_LEVEL="DEBUG",
        )
        log_path = tmp_path / "agora.log"
        with log_path.open("wb") as log:
            # Output goes to a file (a pipe nobody reads would block a chatty process), and the
            # process is waited for in a thread: no asyncio child watcher is involved.
            process = await asyncio.to_thread(
                subprocess.Popen,
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            # Start-up is done when the menus are set; the update waits for the first poll.
            started = asyncio.ensure_future(
                world.wait_for(lambda: world.calls("setMyCommands"), timeout=60)
            )
            exited = asyncio.ensure_future(asyncio.to_thread(wait_quietly, process, 60))
            await asyncio.wait({started, exited}, return_when=asyncio.FIRST_COMPLETED)
            if process.poll() is not None:
                started.cancel()
                pytest.fail(f"agora run exited early: {log_path.read_text()[-2000:]}")
            await started
            alice = world.user("Alice")
            reply = await alice.send("/start")
            assert "Hello, <b>Alice</b>" in reply.last.html
            process.send_signal(signal.SIGTERM)
            returncode = await asyncio.to_thread(process.wait, 60)
        finally:
            if process.poll() is None:
                process.kill()
                await asyncio.to_thread(process.wait, 10)
            await exited
    assert returncode == 0
    output = log_path.read_text()
    assert "Traceback" not in output
    assert "Polling stopped" in output
    assert world.token.split(":", 1)[1] not in output, "the token must never be logged"


def wait_quietly(process: subprocess.Popen[bytes], seconds: float) -> int | None:
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        return None
