"""`agora sandbox`: the terminal chat, driven by scripted input, and how it shows the world."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import IO

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.sandbox import Limits, World
from bot.sandbox.harness import TEST_SPEED
from bot.sandbox.models import CallbackAnswer
from bot.sandbox.terminal import Input, Terminal, choose_storage, run_sandbox
from tests.cli import clean_env, run_agora
from tests.services import pg_tables


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A configured SQLite database in tmp_path, which the sandbox must leave alone; its own
    data/ (database and log) lands in tmp_path too."""
    monkeypatch.chdir(tmp_path)
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")


async def chat(settings: Settings, stdin: Input) -> str:
    out = io.StringIO()
    await asyncio.wait_for(run_sandbox(settings, stdin=stdin, stdout=out, speed=TEST_SPEED), 60)
    return out.getvalue()


def scripted(*lines: str) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data("".join(line + "\n" for line in lines).encode())
    reader.feed_eof()
    return reader


def piped(*lines: str) -> IO[bytes]:
    """The read end of an OS pipe holding these lines, its write end closed (as `cmd | agora`)."""
    read_end, write_end = os.pipe()
    os.write(write_end, "".join(line + "\n" for line in lines).encode())
    os.close(write_end)
    return open(read_end, "rb", buffering=0)


async def test_a_scripted_session(settings: Settings, tmp_path: Path) -> None:
    transcript = await chat(
        settings,
        scripted(
            "/start",
            ":1",
            "/help",
            "/language",
            ":2",
            ":as admin",
            ":group",
            "/help",
            ":private",
            ":quit",
            "never read",
        ),
    )
    assert ":group [TOPIC]" in transcript  # the banner has the help
    assert "Alice (private)> /start\n[private] #2 Hello, Alice! I am Agora" in transcript
    # Alice has no profile yet: after the greeting, the introduction begins.
    assert "[private] #4 What is your first name? (up to 30 characters)\n" in transcript
    assert "  [1] ✖ Cancel\nAlice (private)> :1\n" in transcript
    assert '(pressed "✖ Cancel" on #4)' in transcript
    assert "[private] #5 Cancelled: the introduction.\n" in transcript
    assert "    /cancel — cancel the current action" in transcript
    assert "  [1] 🇬🇧 English  [2] 🇷🇺 Русский\n" in transcript
    assert "[private] (edited #9) Язык: русский.\n" in transcript
    assert "Admin (Agora Community)> /help\n[Agora Community] #5 What you can do here" in transcript
    assert "Admin (private)> :quit\n" in transcript
    assert "never read" not in transcript
    assert "(!)" not in transcript
    assert transcript.endswith("Stopping the bot…\nBye.\n")
    assert not (tmp_path / "chat.db").exists(), "the configured database is never used"
    assert (tmp_path / "data" / "sandbox.db").exists()
    assert (tmp_path / "data" / "sandbox.log").exists()


async def test_bad_input_is_explained_and_the_end_of_a_pipe_quits(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "words.csv").write_text("word,translation\nhello,привет\n")
    script = [
        "/start",
        ":7",
        ":upload missing.csv",
        ":upload words.csv",
        ":nope",
        ":group zzz",
        ":group intr",
        "::hi",
        ":who",
    ]
    with piped(*script) as stdin:
        transcript = await chat(settings, stdin)
    assert "(!) no button 7 on #4: [1] ✖ Cancel\n" in transcript
    assert "(!) cannot read missing.csv: No such file or directory\n" in transcript
    size = (tmp_path / "words.csv").stat().st_size
    assert f"(sending words.csv, {size} bytes)\n" in transcript
    assert "(!) unknown command :nope (:help lists the commands)\n" in transcript
    assert '(!) no topic "zzz" in Agora Community' in transcript
    assert "(now in Agora Community › Intros)\n" in transcript
    assert "Alice (Agora Community › Intros)> ::hi\n" in transcript
    assert "You are Alice, id 100000001, in Agora Community › Intros." in transcript
    assert transcript.endswith("Stopping the bot…\nBye.\n")


def test_how_the_world_is_shown() -> None:
    world = World(limits=Limits.off())
    out = io.StringIO()
    terminal = Terminal(world, out, "Alice")
    world.on_event(terminal.on_event)
    bot = world.bot_user
    keyboard = {
        "inline_keyboard": [
            [{"text": "Edit", "callback_data": "e"}, {"text": "Cancel", "callback_data": "c"}],
            [{"text": "Docs", "url": "https://example.org/docs"}],
        ]
    }
    menu = world.add_message(
        terminal.player.chat, bot, {"text": "Your card\nline two"}, inline_markup=keyboard
    )
    menu.inline_markup = None
    world.emit("edited", menu)
    menu.content = {"text": "Saved."}
    world.emit("edited", menu)
    menu.deleted = True
    world.emit("deleted", menu)
    stored = world.store_file(b"a,b\n1,2\n", file_name="words.csv")
    world.add_message(
        terminal.player.chat, bot, {"document": stored.to_api(), "caption": "Export"}, file=stored
    )
    world.add_message(
        terminal.group.record, bot, {"text": "Meet Alice"}, thread_id=terminal.topics["Intros"]
    )
    world.add_message(terminal.admin.chat, bot, {"text": "New card to check"})
    world.emit(
        "answer", answer=CallbackAnswer("1", terminal.player.id, "x", None, True, "Gone", True)
    )
    assert out.getvalue().splitlines() == [
        "[private] #1 Your card",
        "    line two",
        "  [1] Edit  [2] Cancel",
        "  [3] Docs → https://example.org/docs",
        "[private] (edited #1) buttons removed",
        "[private] (edited #1) Saved.",
        "[private] (deleted #1)",
        "[private] #2 (document words.csv, 8 bytes) Export",
        "[Agora Community › Intros] #4 Meet Alice",
        "[private · Admin] #1 New card to check",
        "(alert) Gone",
    ]


def test_storage_is_always_a_fresh_sandbox_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "sandbox.db").write_bytes(b"left over from the last run")
    chosen = choose_storage(data)
    assert chosen.database_url == f"sqlite+aiosqlite:///{data / 'sandbox.db'}"
    assert not (data / "sandbox.db").exists(), "every run starts from a fresh database"


@pytest.mark.postgres
@pytest.mark.redis
async def test_the_sandbox_leaves_a_configured_database_and_redis_alone(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    """`agora sandbox` with a real DATABASE_URL in the environment and REDIS_URL (and a token
    that is not even well-formed) in .env: the chat works, and neither is touched."""
    (tmp_path / ".env").write_text(f"REDIS_URL={redis_url}\nBOT_TOKEN=not-a-token\n")
    env = clean_env(DATABASE_URL=pg_url)
    done = await run_agora(["sandbox"], cwd=tmp_path, env=env, stdin=b"/start\n:quit\n")
    assert done.returncode == 0, done.output
    assert "[private] #2 Hello, Alice! I am Agora" in done.stdout
    assert "The bot did not start" not in done.stdout
    assert "Traceback" not in done.output
    assert await pg_tables(pg_url) == set()
    client = Redis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
    finally:
        await client.aclose()
    assert (tmp_path / "data" / "sandbox.db").exists()
