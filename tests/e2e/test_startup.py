"""Start-up checks of `agora run`, `worker` and `migrate`: one line, its exit code, no traceback."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade
from bot.exits import ExitCode
from bot.sandbox import FakeTelegram, World
from tests.cli import AgoraRun, Finished, clean_env, greeted, run_agora
from tests.services import PG_URL, ensure_pg_database, pg_tables, require_service

# Well-formed, but not the sandbox's token.
WRONG_TOKEN = "123456:AAwrong-token-not-the-sandbox-one"
NOWHERE = "http://127.0.0.1:1"  # nothing listens on port 1


def head() -> str:
    (revision,) = ScriptDirectory.from_config(alembic_config()).get_heads()
    return revision


def previous(revision: str) -> str:
    down = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def assert_one_line(done: Finished, code: ExitCode, line: str) -> None:
    """Exit `code`, and `line` (or a line starting with it when it ends with "…") is the one
    answer, printed last, with no traceback and no aiohttp warning around it."""
    assert done.returncode == code, done.output
    assert "Traceback" not in done.output
    assert "Unclosed" not in done.output, "an aiohttp session was left open"
    answers = [text for text in done.stderr.splitlines() if text.startswith("agora:")]
    assert answers == [done.last_error_line], done.stderr
    if line.endswith("…"):
        assert done.last_error_line.startswith(line[:-1]), done.last_error_line
    else:
        assert done.last_error_line == line


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["run", "worker"])
async def test_an_unmigrated_postgres_database_is_refused(
    pg_url: str, tmp_path: Path, command: str
) -> None:
    env = clean_env(DATABASE_URL=pg_url, BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=NOWHERE)
    done = await run_agora([command], cwd=tmp_path, env=env)
    assert_one_line(
        done,
        ExitCode.SCHEMA,
        f"agora: the database is at revision none (never migrated), this version needs "
        f"{head()}: run agora migrate",
    )
    assert await pg_tables(pg_url) == set(), "PostgreSQL is never migrated behind one's back"


@pytest.mark.postgres
async def test_a_database_one_revision_behind_names_both_and_migrate_fixes_it(
    pg_url: str, tmp_path: Path
) -> None:
    engine = create_engine(pg_url)
    try:
        await upgrade(engine, previous(head()))
    finally:
        await engine.dispose()
    env = clean_env(DATABASE_URL=pg_url, BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=NOWHERE)
    done = await run_agora(["run"], cwd=tmp_path, env=env)
    assert_one_line(
        done,
        ExitCode.SCHEMA,
        f"agora: the database is at revision {previous(head())}, this version needs {head()}: "
        "run agora migrate",
    )
    migrated = await run_agora(["migrate"], cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.output
    assert migrated.stdout == "database is up to date\n"
    # Past the database now: the next check is Telegram, which is nowhere.
    done = await run_agora(["run"], cwd=tmp_path, env=env)
    assert_one_line(done, ExitCode.TELEGRAM, f"agora: cannot reach Telegram at {NOWHERE}: …")


@pytest.mark.parametrize("command", ["run", "migrate"])
async def test_a_database_migrated_by_a_newer_version_is_refused(
    tmp_path: Path, command: str
) -> None:
    url = sqlite_url(tmp_path)
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    with sqlite3.connect(tmp_path / "agora.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    env = clean_env(DATABASE_URL=url, BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=NOWHERE)
    done = await run_agora([command], cwd=tmp_path, env=env)
    assert_one_line(
        done,
        ExitCode.SCHEMA,
        f"agora: the database is at revision 9999, which this version does not know (it needs "
        f"{head()}): a newer Agora migrated it",
    )


@pytest.mark.parametrize("command", ["run", "migrate"])
async def test_an_unreachable_database(tmp_path: Path, command: str) -> None:
    url = "postgresql+asyncpg://agora:hunter2@127.0.0.1:1/agora"
    env = clean_env(DATABASE_URL=url, BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=NOWHERE)
    done = await run_agora([command], cwd=tmp_path, env=env)
    assert_one_line(
        done,
        ExitCode.DATABASE,
        "agora: cannot reach the database at postgresql+asyncpg://agora:***@127.0.0.1:1/agora: …",
    )
    assert "hunter2" not in done.output


@pytest.mark.postgres
async def test_migrate_against_a_database_that_does_not_exist(tmp_path: Path) -> None:
    require_service("PostgreSQL", PG_URL, 5432)
    await ensure_pg_database(PG_URL)  # the server answers; only the database is missing
    parts = urlsplit(PG_URL)
    missing = parts.path.lstrip("/") + "_missing"
    conn = await asyncpg.connect(parts._replace(path="/postgres").geturl().replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{missing}"')
    finally:
        await conn.close()
    url = parts._replace(path=f"/{missing}").geturl()
    done = await run_agora(["migrate"], cwd=tmp_path, env=clean_env(DATABASE_URL=url))
    assert_one_line(
        done,
        ExitCode.DATABASE,
        f'agora: cannot reach the database at {url}: database "{missing}" does not exist',
    )


async def test_an_unreachable_redis(tmp_path: Path) -> None:
    env = clean_env(
        DATABASE_URL=sqlite_url(tmp_path),
        REDIS_URL="redis://:hunter2@127.0.0.1:1/0",
        BOT_TOKEN=WRONG_TOKEN,
        BOT_API_URL=NOWHERE,
    )
    done = await run_agora(["run"], cwd=tmp_path, env=env)
    assert_one_line(
        done, ExitCode.REDIS, "agora: cannot reach Redis at redis://:***@127.0.0.1:1/0: …"
    )
    assert "hunter2" not in done.output


@pytest.mark.parametrize("command", ["run", "worker"])
async def test_a_rejected_token(tmp_path: Path, command: str) -> None:
    world = World()
    async with FakeTelegram(world) as server:
        env = clean_env(
            DATABASE_URL=sqlite_url(tmp_path), BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=server.base_url
        )
        done = await run_agora([command], cwd=tmp_path, env=env)
    assert_one_line(
        done,
        ExitCode.TOKEN,
        "agora: Telegram rejected the token (BOT_TOKEN): getMe answered Unauthorized",
    )
    assert WRONG_TOKEN.split(":", 1)[1] not in done.output, "the token must never be printed"


async def test_an_unreachable_telegram(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path), BOT_TOKEN=WRONG_TOKEN, BOT_API_URL=NOWHERE)
    done = await run_agora(["run"], cwd=tmp_path, env=env)
    assert_one_line(done, ExitCode.TELEGRAM, f"agora: cannot reach Telegram at {NOWHERE}: …")


@pytest.mark.parametrize("debug", ["--debug", "LOG_LEVEL=DEBUG"])
async def test_debug_shows_the_traceback(tmp_path: Path, debug: str) -> None:
    env = clean_env(
        DATABASE_URL=sqlite_url(tmp_path),
        REDIS_URL="redis://127.0.0.1:1/0",
        BOT_TOKEN=WRONG_TOKEN,
        BOT_API_URL=NOWHERE,
    )
    args = ["run"]
    if debug == "--debug":
        args.append("--debug")
    else:
        env["LOG_LEVEL"] = "DEBUG"
    done = await run_agora(args, cwd=tmp_path, env=env)
    assert done.returncode == ExitCode.REDIS
    assert "Traceback (most recent call last)" in done.stderr
    assert "ConnectionRefusedError" in done.stderr
    assert done.last_error_line.startswith("agora: cannot reach Redis at redis://127.0.0.1:1/0: ")


async def test_network_loss_after_the_start_is_waited_out(tmp_path: Path) -> None:
    """The checks run before the start only: a Telegram that goes away later is retried with
    aiogram's back-off, and the bot answers again once it is back."""
    world = World()
    server = FakeTelegram(world)
    await server.start()
    port = urlsplit(server.base_url).port
    assert port is not None
    env = clean_env(
        DATABASE_URL=sqlite_url(tmp_path), BOT_TOKEN=world.token, BOT_API_URL=server.base_url
    )
    try:
        async with AgoraRun(world, server, cwd=tmp_path, env=env) as agora:
            await agora.start()
            await server.stop()
            # Down long enough for a retry after a back-off, not just one failed request.
            await wait_for_log(agora, "Failed to fetch updates", times=2)
            assert agora.running
            await server.start(port=port)
            await greeted(world)
            assert await agora.stop() == 0
    finally:
        await server.stop()
    assert "Traceback" not in agora.log()


async def wait_for_log(agora: AgoraRun, text: str, *, times: int = 1) -> None:
    # The bot makes no request the fake server could see while it is down: watch its log.
    for _ in range(1200):
        if agora.log().count(text) >= times:
            return
        if not agora.running:
            pytest.fail(f"agora run exited:\n{agora.log()[-3000:]}")
        await asyncio.sleep(0.1)
    pytest.fail(f"{text!r} never appeared in the log:\n{agora.log()[-3000:]}")
