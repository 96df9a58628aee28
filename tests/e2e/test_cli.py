"""`agora run` as a process: it polls the fake Telegram, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
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
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            # Start-up is done when the menus are set; the update waits for the first poll.
            started = asyncio.ensure_future(
                world.wait_for(lambda: world.calls("setMyCommands"), timeout=60)
            )
            exited = asyncio.ensure_future(process.wait())
            await asyncio.wait({started, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done():
                started.cancel()
                _, stderr = await process.communicate()
                pytest.fail(f"agora run exited early: {stderr.decode()[-2000:]}")
            exited.cancel()
            await started
            alice = world.user("Alice")
            reply = await alice.send("/start")
            assert "Hello, <b>Alice</b>" in reply.last.html
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0
    output = (stdout + stderr).decode()
    assert "Traceback" not in output
    assert "Polling stopped" in output
    assert world.token.split(":", 1)[1] not in output, "the token must never be logged"
