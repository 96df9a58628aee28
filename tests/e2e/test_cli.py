"""The `agora` command: `agora run` answers and stops on SIGTERM; --version and --help."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import SANDBOX_OWN_SETTINGS, Settings
from bot.exits import MEANING, ExitCode
from bot.sandbox import FakeTelegram, World
from tests.cli import greeted

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
            await greeted(world)
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


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def environment_keys(help_text: str) -> set[str]:
    """The keys listed in a --help's "environment" paragraph."""
    paragraph = help_text.split("environment (or .env in the current folder):", 1)[1]
    paragraph = paragraph.split("\n\n", 1)[0]
    return {key.strip() for key in paragraph.replace("\n", " ").split(",")}


def test_version_is_the_installed_release_and_where_it_runs_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = help_of(["--version"], capsys)
    expected = f"agora {metadata.version('agora')} from {ROOT / 'bot'}"
    assert out == f"{expected} (Python {platform.python_version()})\n"


ALL_KEYS = {name.upper() for name in Settings.model_fields}
WEBHOOK_KEYS = {"WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT"}


@pytest.mark.parametrize(
    ("command", "says", "keys", "codes"),
    [
        ("run", "Run the bot: long polling", ALL_KEYS, range(8)),
        ("worker", "Run only the periodic jobs", ALL_KEYS - WEBHOOK_KEYS, range(8)),
        ("migrate", "Upgrade the database", {"DATABASE_URL", "LOG_LEVEL", "LOG_FORMAT"}, range(5)),
        (
            "sandbox",
            "Chat with the whole bot in the terminal",
            ALL_KEYS - {name.upper() for name in SANDBOX_OWN_SETTINGS},
            range(3),
        ),
    ],
)
def test_each_command_says_what_it_does_what_it_reads_and_how_it_exits(
    capsys: pytest.CaptureFixture[str], command: str, says: str, keys: set[str], codes: range
) -> None:
    out = help_of([command, "--help"], capsys)
    assert says in " ".join(out.split())
    assert environment_keys(out) == keys
    if command == "sandbox":  # what it must never read, and what it still does
        assert not {"BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "WEBHOOK_URL"} & keys
        assert {"LOG_LEVEL", "DEFAULT_LOCALE"} <= keys
    exits = out.split("exit codes:\n", 1)[1]
    assert [int(line.split()[0]) for line in exits.strip().splitlines()] == list(codes)
    assert "--debug" in out


def test_the_exit_codes_are_in_the_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    out = help_of(["--help"], capsys)
    for code in ExitCode:
        assert f"  {int(code)}  {MEANING[code]}" in out
    assert "--version" in out


async def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    from tests.cli import clean_env, run_agora

    env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}", LOG_FORMAT="json")
    done = await run_agora(["migrate"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.output
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, "migrate logged nothing"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any("upgrade" in record["message"].lower() for record in records)
