"""A fair benchmark: the real Agora process against a bare aiogram bot doing the same work.

Mode `fair` (default): the intro flow (/start, first name, last name, about, Confirm) of `--users`
newcomers, `--concurrency` of them at a time, each step sent once the reply to the previous one
is complete, against two separate processes talking HTTP to the sandbox's fake Telegram (long
polling, Telegram's limits off on the server):

- agora: `python -m bench.agora_nopace`, i.e. `agora run` with the bot's pacing off (nothing else
  changed; `--agora-pacing production` runs `python -m bot run` itself);
- bare: `python -m bench.bare_bot`, one aiogram router making the same Bot API calls, aiogram's
  RedisStorage + RedisEventIsolation (pg) or MemoryStorage + SimpleEventIsolation (sqlite),
  and one SQLAlchemy insert of the profile at Confirm.

The variants agora-pg, bare-pg, agora-sqlite, bare-sqlite alternate (A B A B, then B A B A) for
`--rounds` rounds. Per variant: updates/s, reply latency p50/p99, CPU ms of the bot process per
update (/proc/<pid>/stat around the measured phase, after warm-up users), SQL round trips per
update (`agora_db_statements_total` on the process's /metrics) and Redis commands per update
(INFO commandstats of a private redis-server started for the run).

Mode `pacing`: `python -m bot run` as in production (pacing on, Telegram's limits on the
server); a voting session in a group, `--voters` members join it, one proposal, then every
voter presses Yes or No within `--press-seconds`: press -> answerCallbackQuery latency, answers,
and the votes in the database.

    python -m bench.fair --quick                      # 10 users, 1 round
    python -m bench.fair                              # 50 users, 2 rounds, 4 variants
    python -m bench.fair --mode pacing --quick        # 100 voters
    python -m bench.fair --mode pacing --json /tmp/pacing.json

PostgreSQL variants drop and recreate the schema of the database `agora_fairbench` (created if
missing). No timing is asserted: the script prints figures. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

if not __package__:  # run as `python bench/fair.py`: make `bench` and `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import asyncpg  # type: ignore[import-untyped]
from redis.asyncio import Redis

from bench.burst import (
    ABOUT,
    ASK_ABOUT,
    ASK_FIRST_NAME,
    ASK_LAST_NAME,
    CONFIRM_LABEL,
    LAST_NAME,
    PROCESS_CHECK_SECONDS,
    ChatLog,
    Newcomer,
    Seen,
    bot_env,
    button_data,
    has_button,
    is_error,
    live_prompts,
    migrate,
    percentile,
    press_button,
    prompt_ready,
    read_log,
    reset_pg,
    send_text,
    stop,
    text_has,
    wait_polling,
)
from bot.sandbox.client import ChatMessage, GroupActor, UserActor
from bot.sandbox.limits import Limits
from bot.sandbox.models import CallbackAnswer
from bot.sandbox.server import FakeTelegram
from bot.sandbox.world import Pulse, SandboxEvent, World

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/agora_fairbench"
VARIANTS = ("agora-pg", "bare-pg", "agora-sqlite", "bare-sqlite")
STEPS = ("start", "first_name", "last_name", "about", "confirm")
TALLY = "Yes: {yes} · No: {no} ·"  # on the live proposal card (English catalog)
SQL_KINDS = ("statement", "begin", "commit", "rollback", "ping")
QUIET_WINDOW = 0.5  # the process is quiet when it used at most one clock tick in this window
QUIET_LIMIT = 20.0  # ... or after this long anyway (background jobs never let it be quiet)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_METRIC = re.compile(r'^agora_db_statements_total\{kind="(\w+)"\}\s+([0-9.eE+-]+)$', re.MULTILINE)


# --- processes and counters --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(
    command: Sequence[str],
    log_path: Path,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start a process whose output goes to the log (a file: a pipe could fill up)."""
    with log_path.open("ab") as out:
        return subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C does not reach it; we stop it ourselves
        )


def spawn_bot(
    module: str, env: dict[str, str], cwd: str, log_path: Path
) -> subprocess.Popen[bytes]:
    """`python -m <module> [args]` in `cwd` (an empty directory: no .env is read)."""
    return spawn([sys.executable, "-m", *module.split()], log_path, env, cwd)


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # fields from the 3rd (state) on
    return int(fields[11]) + int(fields[12])


async def sql_counts(port: int) -> dict[str, float] | None:
    """The process's `agora_db_statements_total` by kind, or None when it exposes none."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics", timeout=aiohttp.ClientTimeout(10)) as r,
        ):
            text = await r.text()
    except (aiohttp.ClientError, TimeoutError):
        return None
    counts = {kind: float(value) for kind, value in _METRIC.findall(text)}
    return counts or None


async def redis_calls(redis: Redis | None) -> dict[str, int] | None:
    """Commands the Redis server executed so far, by command (INFO commandstats; INFO and ECHO,
    the bench's own, are left out)."""
    if redis is None:
        return None
    stats = await redis.info("commandstats")
    calls = {}
    for name, value in stats.items():
        command = name.removeprefix("cmdstat_")
        if command not in ("info", "echo") and isinstance(value, dict):  # ours
            calls[command] = int(value.get("calls", 0))
    return calls


async def quiet(process: subprocess.Popen[bytes]) -> None:
    """Until the process is (nearly) idle: start-up jobs, late writes of the previous phase
    (outbox bookkeeping) are over. At most QUIET_LIMIT seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + QUIET_LIMIT
    last = cpu_ticks(process.pid)
    while loop.time() < deadline and process.poll() is None:
        await asyncio.sleep(QUIET_WINDOW)
        now = cpu_ticks(process.pid)
        if now - last <= 1:
            return
        last = now


@dataclass
class Snapshot:
    at: float
    ticks: int
    sql: dict[str, float] | None
    redis: dict[str, int] | None
    round_trips: dict[str, int] | None = None  # Redis, since the window began (end only)


async def snapshot(
    process: subprocess.Popen[bytes], port: int, probe: RedisProbe | None
) -> Snapshot:
    """The start of a window. Metrics first and CPU last on the way in (the reverse on the way
    out), so that serving /metrics is not counted as the bot's work."""
    sql = await sql_counts(port)
    redis_total = await redis_calls(probe.client) if probe is not None else None
    if probe is not None:
        await probe.begin()
    return Snapshot(asyncio.get_running_loop().time(), cpu_ticks(process.pid), sql, redis_total)


async def snapshot_after(
    process: subprocess.Popen[bytes], port: int, probe: RedisProbe | None
) -> Snapshot:
    ticks = cpu_ticks(process.pid)
    at = asyncio.get_running_loop().time()
    round_trips = await probe.end() if probe is not None else None
    redis_total = await redis_calls(probe.client) if probe is not None else None
    return Snapshot(at, ticks, await sql_counts(port), redis_total, round_trips)


@dataclass
class Costs:
    """What the bot process spent between two snapshots."""

    cpu_ms: float
    sql: dict[str, float] | None  # round trips by kind
    redis: int | None  # commands executed, those of scripts included (INFO commandstats)
    redis_commands: dict[str, int] | None  # the same, by command
    redis_round_trips: dict[str, int] | None = None  # commands sent by clients (MONITOR)

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> Costs:
        sql = None
        if before.sql is not None and after.sql is not None:
            sql = {k: after.sql.get(k, 0.0) - before.sql.get(k, 0.0) for k in after.sql}
        commands = None
        if before.redis is not None and after.redis is not None:
            old = before.redis
            commands = {k: n - old.get(k, 0) for k, n in after.redis.items() if n > old.get(k, 0)}
        redis = sum(commands.values()) if commands is not None else None
        cpu_ms = (after.ticks - before.ticks) * 1000 / CLOCK_TICKS
        return cls(cpu_ms, sql, redis, commands, after.round_trips)


class PrivateRedis:
    """`redis-server --port <free> --save "" --appendonly no`, for the run only."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / "redis-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: the run needs its own server")
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no"]
        self.process = spawn(command, self.log_path)
        client = Redis.from_url(self.url)
        try:
            for _ in range(100):
                with contextlib.suppress(Exception):
                    if await client.ping():
                        return
                await asyncio.sleep(0.1)
        finally:
            await client.aclose()
        raise RuntimeError(f"redis-server did not answer on port {self.port}, see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RedisProbe:
    """A client of the run's Redis server, and a MONITOR connection that counts the commands
    clients send (round trips) between two markers, apart from those that scripts run inside
    the server (INFO commandstats counts both)."""

    MARK = "fair-bench:"

    def __init__(self, url: str) -> None:
        self.client = Redis.from_url(url)
        self._monitor = Redis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._counting = False
        self._ended = Pulse()
        self._end_seen = ""
        self.round_trips: Counter[str] = Counter()  # command -> calls sent by clients

    async def start(self) -> None:
        self._task = asyncio.create_task(self._watch())
        await asyncio.wait_for(self._ready.wait(), 10)

    async def _watch(self) -> None:
        async with self._monitor.monitor() as monitor:
            self._ready.set()
            while True:
                line = await monitor.connection.read_response()
                self._take(line.decode(errors="replace") if isinstance(line, bytes) else str(line))

    def _take(self, line: str) -> None:
        # 1764460000.123456 [0 127.0.0.1:51234] "SET" "key" ...   ([0 lua] inside a script)
        head, _, command = line.partition("] ")
        client = head.rpartition(" ")[2]
        name, _, rest = command.partition(" ")
        name = name.strip('"').lower()
        if name == "echo" and rest.strip('"').startswith(self.MARK):
            marker = rest.strip('"').removeprefix(self.MARK)
            self._counting = marker.startswith("begin")
            if not self._counting:
                self._end_seen = marker
                self._ended.fire()
            return
        if self._counting and client != "lua" and name not in ("info", "echo"):
            self.round_trips[name] += 1

    async def begin(self) -> None:
        self.round_trips.clear()
        await self.client.echo(f"{self.MARK}begin")

    async def end(self) -> dict[str, int]:
        """Round trips by command since begin(), once the monitor has seen them all."""
        marker = f"end-{time.monotonic()}"
        await self.client.echo(f"{self.MARK}{marker}")
        await self._ended.wait_until(lambda: self._end_seen == marker, 10)
        return dict(self.round_trips.most_common())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.aclose()
        await self._monitor.aclose()


async def count_rows(database_url: str, sqlite_path: Path | None, query: str) -> Any:
    """One value of a query, on the variant's database (SQLite: once the bot has stopped)."""
    try:
        if sqlite_path is not None:
            with contextlib.closing(sqlite3.connect(sqlite_path)) as conn:
                return conn.execute(query).fetchone()
        conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            return tuple(await conn.fetchrow(query))
        finally:
            await conn.close()
    except Exception as exc:  # a figure, not a failure of the bench
        return f"{type(exc).__name__}: {exc}"


# --- the world as the users see it -------------------------------------------------------------


class Watcher:
    """Files every bot action under its chat (ChatLog), and new posts of one group."""

    def __init__(self, world: World, group_id: int) -> None:
        self.logs: dict[int, ChatLog] = {}
        self.group_id = group_id
        self.posts: list[tuple[float, ChatMessage]] = []
        self.posts_pulse = Pulse()
        self.answers: dict[str, float] = {}  # callback query id -> first answer time
        self.answers_pulse = Pulse()
        self._texts: dict[tuple[int, int], str | None] = {}
        self._loop = asyncio.get_running_loop()
        self.unsubscribe = world.on_event(self.on_event)

    def log(self, chat_id: int) -> ChatLog:
        return self.logs.setdefault(chat_id, ChatLog())

    def on_event(self, event: SandboxEvent) -> None:
        now = self._loop.time()
        if event.kind == "answer" and event.answer is not None:
            answer = event.answer
            self.answers.setdefault(answer.query_id, now)
            self.answers_pulse.fire()
            chat_id = answer.message.chat.id if answer.message is not None else answer.user_id
            if chat_id in self.logs:
                self.logs[chat_id].add(Seen(now, "answer", None, answer.text, False))
            return
        message = event.message
        if message is None:
            return
        key = (message.chat_id, message.message_id)
        changed = event.kind == "new" or (
            event.kind == "edited" and self._texts.get(key) != message.text
        )
        self._texts[key] = message.text
        if message.chat_id == self.group_id:
            if event.kind == "new":
                self.posts.append((now, message))
                self.posts_pulse.fire()
            return
        if message.chat_id in self.logs:
            self.logs[message.chat_id].add(Seen(now, event.kind, message, message.text, changed))


def remaining(deadline: float) -> float:
    return max(deadline - asyncio.get_running_loop().time(), 0.0)


@dataclass
class IntroResult:
    latencies: dict[str, float] = field(default_factory=dict)  # step -> s, to a complete reply
    stalled_at: str | None = None
    finished_at: float | None = None
    error_replies: int = 0


def any_of(*predicates: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: any(predicate() for predicate in predicates)


def failed_since(log: ChatLog, mark: int) -> Callable[[], bool]:
    """The bot answered "Something went wrong" after `mark`: no point in waiting on."""
    return lambda: any(is_error(seen) for seen in log.since(mark))


async def intro(world: World, user: UserActor, log: ChatLog, deadline: float) -> IntroResult:
    """One newcomer's intro; each step waits for the complete reply to the previous one.

    A step's latency runs from queueing the update to the bot action that completed the reply
    (its new prompt is the chat's only live one; for Confirm: the private reply to it).
    """
    result = IntroResult()
    loop = asyncio.get_running_loop()
    newcomer = Newcomer(
        actor=user, first_name=user.record.first_name, log=log, pattern=re.compile("")
    )
    steps: list[tuple[str, str, Callable[[ChatMessage], bool]]] = [
        ("start", "/start", text_has(ASK_FIRST_NAME)),
        ("first_name", newcomer.first_name, text_has(ASK_LAST_NAME)),
        ("last_name", LAST_NAME, text_has(ASK_ABOUT)),
        ("about", ABOUT, lambda m: has_button(m, CONFIRM_LABEL)),
    ]
    for step, text, wanted in steps:
        mark, sent = len(log.seen), loop.time()
        send_text(world, user, text)
        ready = prompt_ready(newcomer, mark, wanted)
        await log.wait(any_of(ready, failed_since(log, mark)), deadline)
        if not ready():
            result.stalled_at = step
            result.error_replies = sum(1 for s in log.seen if is_error(s))
            return result
        result.latencies[step] = log.seen[-1].at - sent
    preview = live_prompts(user)[0]
    data = button_data(preview, CONFIRM_LABEL)
    if data is None:
        result.stalled_at = "confirm"
        return result
    mark, sent = len(log.seen), loop.time()
    press_button(world, user, preview, data)

    def final() -> Seen | None:
        return next((s for s in log.since(mark) if s.text_changed and not is_error(s)), None)

    await log.wait(any_of(lambda: final() is not None, failed_since(log, mark)), deadline)
    reply = final()
    result.error_replies = sum(1 for s in log.seen if is_error(s))
    if reply is None:
        result.stalled_at = "confirm"
        return result
    result.latencies["confirm"] = reply.at - sent
    result.finished_at = reply.at
    return result


class BotExited(Exception):
    """The bot process ended during a phase."""


async def until_exit(process: subprocess.Popen[bytes], work: Awaitable[T]) -> T:
    """The result of `work`, unless the bot process exits first (then BotExited)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        await asyncio.wait({task}, timeout=PROCESS_CHECK_SECONDS)
        if not task.done() and process.poll() is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise BotExited(f"the bot exited ({process.returncode})")
    return task.result()


async def intros(
    world: World,
    watcher: Watcher,
    process: subprocess.Popen[bytes],
    users: Sequence[UserActor],
    concurrency: int,
    deadline: float,
) -> list[IntroResult]:
    """Every user's intro, `concurrency` users at a time; then until each finished user's card
    is in the group (or the deadline)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user: UserActor) -> IntroResult:
        async with gate:
            return await intro(world, user, watcher.log(user.id), deadline)

    results = await until_exit(process, asyncio.gather(*(one(user) for user in users)))
    patterns = [
        re.compile(rf"\b{re.escape(u.record.first_name)}\b")
        for u, r in zip(users, results, strict=True)
        if r.finished_at is not None
    ]

    def all_cards() -> bool:
        texts = [message.text or "" for _, message in watcher.posts]
        return all(any(p.search(text) for text in texts) for p in patterns)

    await until_exit(process, watcher.posts_pulse.wait_until(all_cards, remaining(deadline)))
    return list(results)


# --- fair mode ---------------------------------------------------------------------------------


@dataclass
class Sample:
    """One variant in one round."""

    variant: str
    round: int
    users: int
    error: str | None = None
    finished: int = 0
    stalled: dict[str, int] = field(default_factory=dict)
    cards: int = 0
    updates: int = 0
    seconds: float = 0.0
    updates_per_second: float | None = None
    latencies: list[float] = field(default_factory=list)  # seconds, every measured update
    by_step: dict[str, list[float]] = field(default_factory=dict)  # the same, by intro step
    idle_seconds: float = 0.0
    idle: dict[str, Any] = field(default_factory=dict)  # Costs of an idle window before
    cpu_ms: float | None = None
    sql: dict[str, float] | None = None
    redis: int | None = None
    redis_commands: dict[str, int] | None = None  # executed, by command (scripts' included)
    redis_round_trips: dict[str, int] | None = None  # sent by the bot, by command
    profiles: Any = None  # rows in the database after the run (warm-up users included)
    error_replies: int = 0
    too_many_requests: int = 0
    violations: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # Bot API calls, measured phase
    log: dict[str, Any] = field(default_factory=dict)
    log_path: str = ""
    stop: str = ""

    def per_update(self, value: float | None) -> float | None:
        return None if value is None or not self.updates else value / self.updates


def make_community(people: int) -> tuple[World, list[UserActor], UserActor, GroupActor, int]:
    world = World(limits=Limits.off())  # pacing off on both sides: the bots are measured
    admin = world.user("Ada", last_name="Admin")
    group = world.group("Agora Community", forum=True)
    group.add(admin, creator=True)
    topic = group.topic("Intros")
    width = len(str(people))
    users = [world.user(f"Nova{i:0{width}d}") for i in range(1, people + 1)]
    for user in users:
        group.add(user)
    return world, users, admin, group, topic


def module_of(variant: str, args: argparse.Namespace) -> str:
    if variant.startswith("bare"):
        return "bench.bare_bot"
    return "bot run" if args.agora_pacing == "production" else "bench.agora_nopace"


async def run_variant(
    variant: str, number: int, args: argparse.Namespace, redis: PrivateRedis, log_dir: Path
) -> Sample:
    kind, backend = variant.split("-")
    sample = Sample(variant=variant, round=number, users=args.users)
    log_path = log_dir / f"{variant}-{number}.log"
    log_path.unlink(missing_ok=True)
    sample.log_path = str(log_path)
    world, users, admin, group, topic = make_community(args.warmup + args.users)
    server = FakeTelegram(world)
    await server.start()
    process: subprocess.Popen[bytes] | None = None
    probe: RedisProbe | None = None
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"agora-fair-{variant}-") as workdir:
        sqlite_path = Path(workdir) / "bot.db" if backend == "sqlite" else None
        try:
            settings = {
                "BOT_TOKEN": world.token,
                "BOT_API_URL": server.base_url,
                "COMMUNITY_CHAT_ID": str(group.id),
                "INTRO_TOPIC_ID": str(topic),
                "ADMIN_IDS": str(admin.id),
                "LOG_LEVEL": "INFO",
                "HEALTH_PORT": str(port),
            }
            if sqlite_path is None:
                await reset_pg(args.database_url, redis.url)
                settings["DATABASE_URL"] = args.database_url
                settings["REDIS_URL"] = redis.url
                probe = RedisProbe(redis.url)
                await probe.start()
            else:
                settings["DATABASE_URL"] = f"sqlite+aiosqlite:///{sqlite_path}"
            env = bot_env(settings)
            if kind == "agora" and sqlite_path is None:
                code = await asyncio.to_thread(migrate, env, workdir, log_path)
                if code != 0:
                    sample.error = f"migrate failed ({code}), see {log_path}"
                    return sample
            process = spawn_bot(module_of(variant, args), env, workdir, log_path)
            if not await wait_polling(world, process):
                sample.error = f"the bot did not start polling, see {log_path}"
                return sample
            try:
                await measure(world, users, group.id, process, port, probe, args, sample)
            except BotExited as exc:
                sample.error = f"{exc}, see {log_path}"
        finally:
            if process is not None:
                sample.stop = await asyncio.to_thread(stop, process)
            await server.stop()
            if probe is not None:
                await probe.close()
        table = "profiles" if kind == "agora" else "bare_profiles"
        sample.profiles = await count_rows(
            args.database_url, sqlite_path, f"SELECT count(*) FROM {table}"
        )
    sample.log = read_log(log_path)
    return sample


async def measure(
    world: World,
    users: list[UserActor],
    group_id: int,
    process: subprocess.Popen[bytes],
    port: int,
    probe: RedisProbe | None,
    args: argparse.Namespace,
    sample: Sample,
) -> None:
    loop = asyncio.get_running_loop()
    watcher = Watcher(world, group_id)
    try:
        warm, measured = users[: args.warmup], users[args.warmup :]
        await quiet(process)  # start-up jobs
        deadline = loop.time() + args.budget
        if warm:
            warmed = await intros(world, watcher, process, warm, args.concurrency, deadline)
            done = sum(1 for r in warmed if r.finished_at is not None)
            if done < len(warm):
                sample.error = f"warm-up: {done}/{len(warm)} users finished, see {sample.log_path}"
                return
        await quiet(process)
        # Idle: what the process spends with nothing to do (its periodic jobs), for reference.
        idle_start = await snapshot(process, port, probe)
        await asyncio.sleep(args.idle_seconds)
        idle_end = await snapshot_after(process, port, probe)
        first_request = len(world.requests)
        before = await snapshot(process, port, probe)
        deadline = loop.time() + args.budget
        results = await intros(world, watcher, process, measured, args.concurrency, deadline)
        ended = loop.time()
        await quiet(process)
        after = await snapshot_after(process, port, probe)
    finally:
        watcher.unsubscribe()
    idle = Costs.between(idle_start, idle_end)
    sample.idle_seconds = idle_end.at - idle_start.at
    sample.idle = asdict(idle)
    costs = Costs.between(before, after)
    sample.cpu_ms, sample.sql, sample.redis = costs.cpu_ms, costs.sql, costs.redis
    sample.redis_commands = costs.redis_commands
    sample.redis_round_trips = costs.redis_round_trips
    sample.seconds = ended - before.at
    sample.finished = sum(1 for r in results if r.finished_at is not None)
    stalled = Counter(r.stalled_at for r in results if r.stalled_at is not None)
    sample.stalled = {step: stalled[step] for step in STEPS if stalled[step]}
    sample.latencies = [v for r in results for v in r.latencies.values()]
    sample.by_step = {
        step: [r.latencies[step] for r in results if step in r.latencies] for step in STEPS
    }
    # Updates sent in the measured phase: a stalled step's update was sent too.
    sample.updates = sum(len(r.latencies) + (r.stalled_at is not None) for r in results)
    if sample.seconds > 0:
        sample.updates_per_second = sample.updates / sample.seconds
    names = [re.compile(rf"\b{re.escape(u.record.first_name)}\b") for u in measured]
    texts = [m.text or "" for _, m in watcher.posts]
    sample.cards = sum(1 for p in names if any(p.search(t) for t in texts))
    sample.error_replies = sum(r.error_replies for r in results)
    requests = world.requests[first_request:]
    sample.requests = dict(Counter(r.method for r in requests if r.method != "getUpdates"))
    sample.too_many_requests = sum(1 for r in world.requests if r.error_code == 429)
    sample.violations = len(world.violations)


def schedule(variants: Sequence[str], rounds: int) -> list[tuple[int, str]]:
    """A B A B in odd rounds, B A B A in even ones (pairs of agora/bare on one backend)."""
    order = []
    for number in range(1, rounds + 1):
        current = list(variants)
        if number % 2 == 0:
            for i in range(0, len(current) - 1, 2):
                current[i], current[i + 1] = current[i + 1], current[i]
        order.extend((number, v) for v in current)
    return order


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def by_command(counts: dict[str, float], top: int = 8) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in list(counts.items())[:top]) or "-"


def per_second(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/s"


@dataclass
class Summary:
    variant: str
    samples: int
    updates: int
    updates_per_second: float | None
    p50_ms: float | None
    p99_ms: float | None
    cpu_ms_per_update: float | None
    sql_per_update: float | None
    sql_by_kind_per_update: dict[str, float] | None
    redis_per_update: float | None  # commands executed (INFO commandstats), scripts' included
    redis_by_command_per_update: dict[str, float] | None
    redis_round_trips_per_update: float | None  # commands the bot sent (MONITOR)
    redis_round_trips_by_command_per_update: dict[str, float] | None
    finished: str
    p50_ms_by_step: dict[str, float]


def summarise(variant: str, samples: Sequence[Sample]) -> Summary:
    ok = [s for s in samples if s.error is None and s.updates]
    updates = sum(s.updates for s in ok)
    latencies = [v for s in ok for v in s.latencies]
    seconds = sum(s.seconds for s in ok)
    sql: dict[str, float] | None = None
    if ok and all(s.sql is not None for s in ok):
        sql = Counter()
        for s in ok:
            sql.update(s.sql or {})
    redis = sum(s.redis or 0 for s in ok) if ok and all(s.redis is not None for s in ok) else None
    commands: Counter[str] = Counter()
    round_trips: Counter[str] = Counter()
    for s in ok:
        commands.update(s.redis_commands or {})
        round_trips.update(s.redis_round_trips or {})
    measured_round_trips = ok and all(s.redis_round_trips is not None for s in ok)

    def per(total: float | None) -> float | None:
        return None if total is None or not updates else total / updates

    return Summary(
        variant=variant,
        samples=len(ok),
        updates=updates,
        updates_per_second=updates / seconds if seconds else None,
        p50_ms=percentile(latencies, 50) * 1000 if latencies else None,
        p99_ms=percentile(latencies, 99) * 1000 if latencies else None,
        cpu_ms_per_update=per(sum(s.cpu_ms or 0.0 for s in ok)) if ok else None,
        sql_per_update=per(sum(sql.values())) if sql is not None else None,
        sql_by_kind_per_update=(
            {k: v / updates for k, v in sql.items() if v} if sql is not None and updates else None
        ),
        redis_per_update=per(redis),
        redis_by_command_per_update=(
            {k: v / updates for k, v in commands.most_common()} if redis and updates else None
        ),
        redis_round_trips_per_update=(
            per(sum(round_trips.values())) if measured_round_trips else None
        ),
        redis_round_trips_by_command_per_update=(
            {k: v / updates for k, v in round_trips.most_common()}
            if measured_round_trips and updates
            else None
        ),
        finished=f"{sum(s.finished for s in samples)}/{sum(s.users for s in samples)}",
        p50_ms_by_step={
            step: percentile(values, 50) * 1000
            for step in STEPS
            if (values := [v for s in ok for v in s.by_step.get(step, [])])
        },
    )


def print_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    body = [list(header), *(list(r) for r in rows)]
    widths = [max(len(row[i]) for row in body) for i in range(len(header))]
    for n, row in enumerate(body):
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def report_fair(
    samples: Sequence[Sample], summaries: Sequence[Summary], args: argparse.Namespace
) -> dict[str, Any]:
    pacing = "production (python -m bot run)" if args.agora_pacing == "production" else "off"
    print(
        f"\nPython {platform.python_version()}, CPUs {os.cpu_count()}; intro of {args.users} users "
        f"({args.warmup} warm-up users first), {args.concurrency} at a time, {args.rounds} round(s)"
    )
    print(f"fake Telegram: limits off; Agora pacing: {pacing}; bare: no pacing")
    print(
        "bare-pg: aiogram RedisStorage + RedisEventIsolation, SQLAlchemy insert on PostgreSQL; "
        "bare-sqlite: aiogram MemoryStorage + SimpleEventIsolation, SQLAlchemy insert on SQLite"
    )
    print(
        "agora-pg: REDIS_URL (RedisStorage + leased Redis lock), PostgreSQL; agora-sqlite: the "
        "embedded default (SQL FSM storage, in-process locks)"
    )
    print(
        "note: aiogram's RedisEventIsolation is a redis-py Lock that retries every 0.1 s: a step "
        "sent while the user's previous update still holds it waits for the next retry\n"
    )
    print_table(
        (
            "variant",
            "round",
            "finished",
            "updates",
            "upd/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/upd",
            "SQL/upd",
            "Redis rt/upd",
            "Redis cmd/upd",
            "cards",
            "rows",
            "errors",
        ),
        (
            (
                s.variant,
                str(s.round),
                f"{s.finished}/{s.users}",
                str(s.updates),
                fmt(s.updates_per_second, ".1f"),
                fmt(percentile(s.latencies, 50) * 1000 if s.latencies else None, ".1f"),
                fmt(percentile(s.latencies, 99) * 1000 if s.latencies else None, ".1f"),
                fmt(s.per_update(s.cpu_ms)),
                fmt(s.per_update(sum(s.sql.values())) if s.sql is not None else None),
                fmt(
                    s.per_update(sum(s.redis_round_trips.values()))
                    if s.redis_round_trips is not None
                    else None
                ),
                fmt(s.per_update(s.redis)),
                str(s.cards),
                str(s.profiles[0] if isinstance(s.profiles, tuple) else s.profiles),
                s.error or str(s.log.get("tracebacks", 0) + s.error_replies),
            )
            for s in samples
        ),
    )
    print(
        "(SQL: round trips; Redis rt: commands the bot sent, Redis cmd: commands the server ran,"
        " those inside Lua scripts too; errors: tracebacks in the bot's log + 'Something went "
        "wrong' replies)\n"
    )
    print_table(
        (
            "summary",
            "updates",
            "upd/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/upd",
            "SQL/upd",
            "Redis rt/upd",
            "Redis cmd/upd",
            "finished",
        ),
        (
            (
                m.variant,
                str(m.updates),
                fmt(m.updates_per_second, ".1f"),
                fmt(m.p50_ms, ".1f"),
                fmt(m.p99_ms, ".1f"),
                fmt(m.cpu_ms_per_update),
                fmt(m.sql_per_update),
                fmt(m.redis_round_trips_per_update),
                fmt(m.redis_per_update),
                m.finished,
            )
            for m in summaries
        ),
    )
    by_name = {m.variant: m for m in summaries}
    ratios: dict[str, float | None] = {}
    for backend in ("pg", "sqlite"):
        agora, bare = by_name.get(f"agora-{backend}"), by_name.get(f"bare-{backend}")
        if agora is None or bare is None:
            continue
        a, b = agora.cpu_ms_per_update, bare.cpu_ms_per_update
        ratios[backend] = a / b if a is not None and b else None
        print(f"CPU ms per update, agora/bare on {backend}: {fmt(ratios[backend])}")
    for variant in args.variants:
        idle = [s for s in samples if s.variant == variant and s.idle and s.idle_seconds > 0]
        if not idle:
            continue
        seconds = sum(s.idle_seconds for s in idle)
        cpu = sum(s.idle["cpu_ms"] for s in idle) / seconds
        sql = (
            sum(sum(s.idle["sql"].values()) for s in idle) / seconds
            if all(s.idle["sql"] is not None for s in idle)
            else None
        )
        redis = (
            sum(s.idle["redis"] for s in idle) / seconds
            if all(s.idle["redis"] is not None for s in idle)
            else None
        )
        print(
            f"{variant}: idle (no updates, {seconds:.1f} s): CPU {cpu:.1f} ms/s, "
            f"SQL {per_second(sql)}, Redis {per_second(redis)}"
        )
    for m in summaries:
        steps = ", ".join(f"{k} {v:.1f}" for k, v in m.p50_ms_by_step.items())
        if steps:
            print(f"{m.variant}: reply latency p50 ms by step: {steps}")
    for m in summaries:
        if m.sql_by_kind_per_update:
            kinds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(m.sql_by_kind_per_update.items()))
            print(f"{m.variant}: SQL round trips per update by kind: {kinds}")
    for m in summaries:
        if m.redis_round_trips_by_command_per_update is not None:
            listed = by_command(m.redis_round_trips_by_command_per_update)
            print(f"{m.variant}: Redis round trips per update: {listed}")
        if m.redis_by_command_per_update:
            listed = by_command(m.redis_by_command_per_update)
            print(f"{m.variant}: Redis commands executed per update (scripts' too): {listed}")
    for s in samples:
        trouble = s.log.get("exceptions") or {}
        if s.error or trouble or s.stalled or s.violations or s.too_many_requests:
            print(
                f"{s.variant} round {s.round}: error {s.error}; stalled {s.stalled}; "
                f"exceptions in log {trouble}; violations {s.violations}; "
                f"429s {s.too_many_requests}; log {s.log_path}"
            )
    calls = {s.variant: s.requests for s in samples if s.round == 1}
    for variant, methods in calls.items():
        if not methods:
            continue
        listed = ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
        print(f"{variant}: Bot API calls in the measured phase: {listed}")
    return {"ratios_cpu_agora_over_bare": ratios}


async def fair_mode(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    redis = PrivateRedis(log_dir)
    needs_redis = any(v.endswith("pg") for v in args.variants)
    if needs_redis:
        await redis.start()
    samples: list[Sample] = []
    try:
        for number, variant in schedule(args.variants, args.rounds):
            print(f"round {number}: {variant} ...", end=" ", flush=True)
            sample = await run_variant(variant, number, args, redis, log_dir)
            samples.append(sample)
            print(
                sample.error
                or f"{sample.finished}/{sample.users} finished, {sample.updates} updates in "
                f"{sample.seconds:.1f} s, CPU {fmt(sample.per_update(sample.cpu_ms))} ms/update",
                flush=True,
            )
    finally:
        redis.stop()
    summaries = [summarise(v, [s for s in samples if s.variant == v]) for v in args.variants]
    extra = report_fair(samples, summaries, args)
    return {
        "mode": "fair",
        "users": args.users,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "idle_seconds": args.idle_seconds,
        "agora_pacing": args.agora_pacing,
        "summaries": [asdict(m) for m in summaries],
        "samples": [asdict(s) for s in samples],
        **extra,
        "errors": sum(1 for s in samples if s.error),
    }


# --- pacing mode -------------------------------------------------------------------------------


@dataclass
class PacingFigures:
    backend: str
    voters: int
    error: str | None = None
    join_seconds: float | None = None
    joined: int = 0
    proposal_seconds: float | None = None  # /propose -> the card with Yes/No in the group
    presses: int = 0
    answered: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    press_seconds: float | None = None  # first press -> last answer
    latency_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_press: float | None = None
    sql_per_press: float | None = None
    redis_per_press: float | None = None  # executed, scripts' included
    redis_commands_per_press: dict[str, float] = field(default_factory=dict)
    redis_round_trips_per_press: float | None = None  # sent by the bot
    redis_round_trips_by_command_per_press: dict[str, float] = field(default_factory=dict)
    votes_in_db: Any = None
    card_edits: int = 0  # edits of the proposal card, first press -> final tally on it
    card_tally_seconds: float | None = None  # first press -> the card shows every vote
    too_many_requests: int = 0
    violations: int = 0
    log: dict[str, Any] = field(default_factory=dict)
    log_path: str = ""
    stop: str = ""


def say(user: UserActor, group: GroupActor, text: str) -> None:
    user._post(group.record, user.world.user_text_content(text))


async def wait_post(
    watcher: Watcher, wanted: Callable[[ChatMessage], bool], deadline: float
) -> ChatMessage | None:
    def found() -> ChatMessage | None:
        return next((m for _, m in reversed(watcher.posts) if wanted(m)), None)

    return await watcher.posts_pulse.wait_until(found, remaining(deadline))


def press(world: World, user: UserActor, message: ChatMessage, data: str) -> str:
    """Queue a callback query on `message` without waiting (as burst.press_button); its id."""
    stored = message.stored
    query_id = world.new_query_id()
    world.callback_queries[query_id] = CallbackAnswer(query_id, user.id, data, stored)
    world.enqueue(
        "callback_query",
        {
            "id": query_id,
            "from": user.record.to_api(),
            "message": stored.to_api(),
            "chat_instance": f"{abs(stored.chat.id) * 31 % 10**12}",
            "data": data,
        },
    )
    return query_id


async def press_all(
    world: World,
    presses: Sequence[tuple[UserActor, ChatMessage, str]],
    spread: float,
) -> dict[str, float]:
    """Queue the presses evenly over `spread` seconds; query id -> time queued."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent: dict[str, float] = {}
    for i, (user, message, data) in enumerate(presses):
        delay = start + spread * i / max(len(presses), 1) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[press(world, user, message, data)] = loop.time()
    return sent


async def wait_answers(watcher: Watcher, queries: Iterable[str], deadline: float) -> bool:
    wanted = set(queries)
    return bool(
        await watcher.answers_pulse.wait_until(
            lambda: wanted <= watcher.answers.keys(), remaining(deadline)
        )
    )


async def pacing_mode(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    figures = PacingFigures(backend=args.backend, voters=args.voters)
    log_path = log_dir / f"pacing-{args.backend}.log"
    log_path.unlink(missing_ok=True)
    figures.log_path = str(log_path)
    world = World(limits=Limits())  # Telegram's documented limits
    admin = world.user("Ada", last_name="Admin")
    group = world.group("Town hall")
    group.add(admin, creator=True)
    width = len(str(args.voters))
    voters = [world.user(f"Voter{i:0{width}d}") for i in range(1, args.voters + 1)]
    for voter in voters:
        group.add(voter)
    redis = PrivateRedis(log_dir)
    server = FakeTelegram(world)
    process: subprocess.Popen[bytes] | None = None
    probe: RedisProbe | None = None
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="agora-fair-pacing-") as workdir:
        sqlite_path = Path(workdir) / "bot.db" if args.backend == "sqlite" else None
        try:
            await server.start()
            settings = {
                "BOT_TOKEN": world.token,
                "BOT_API_URL": server.base_url,
                "ADMIN_IDS": str(admin.id),
                "LOG_LEVEL": "INFO",
                "HEALTH_PORT": str(port),
            }
            if sqlite_path is None:
                await redis.start()
                await reset_pg(args.database_url, redis.url)
                settings["DATABASE_URL"] = args.database_url
                settings["REDIS_URL"] = redis.url
                probe = RedisProbe(redis.url)
                await probe.start()
            else:
                settings["DATABASE_URL"] = f"sqlite+aiosqlite:///{sqlite_path}"
            env = bot_env(settings)
            if sqlite_path is None:
                code = await asyncio.to_thread(migrate, env, workdir, log_path)
                if code != 0:
                    figures.error = f"migrate failed ({code}), see {log_path}"
                    return {"mode": "pacing", **asdict(figures)}
            process = spawn_bot("bot run", env, workdir, log_path)
            if not await wait_polling(world, process):
                figures.error = f"the bot did not start polling, see {log_path}"
            else:
                try:
                    await until_exit(
                        process,
                        vote_burst(
                            world, admin, group, voters, process, port, probe, args, figures
                        ),
                    )
                except BotExited as exc:
                    figures.error = f"{exc}, see {log_path}"
        finally:
            if process is not None:
                figures.stop = await asyncio.to_thread(stop, process)
            await server.stop()
            if probe is not None:
                await probe.close()
            redis.stop()
        figures.votes_in_db = await count_rows(
            args.database_url, sqlite_path, "SELECT count(*), count(DISTINCT user_id) FROM votes"
        )
    figures.log = read_log(log_path)
    figures.too_many_requests = sum(1 for r in world.requests if r.error_code == 429)
    figures.violations = len(world.violations)
    report_pacing(figures, args)
    return {"mode": "pacing", **asdict(figures)}


async def vote_burst(
    world: World,
    admin: UserActor,
    group: GroupActor,
    voters: list[UserActor],
    process: subprocess.Popen[bytes],
    port: int,
    probe: RedisProbe | None,
    args: argparse.Namespace,
    figures: PacingFigures,
) -> None:
    loop = asyncio.get_running_loop()
    watcher = Watcher(world, group.id)
    try:
        deadline = loop.time() + args.budget
        say(admin, group, '/create_session "Fair bench" 10')
        card = await wait_post(watcher, lambda m: has_button(m, "Join"), deadline)
        if card is None:
            figures.error = "no session card with a Join button"
            return
        join = button_data(card, "Join")
        assert join is not None
        started = loop.time()
        joins = await press_all(world, [(u, card, join) for u in (admin, *voters)], 0.0)
        await wait_answers(watcher, joins, deadline)
        figures.join_seconds = loop.time() - started
        figures.joined = sum(1 for q in joins if q in watcher.answers)
        print(f"joined: {figures.joined}/{len(joins)} in {figures.join_seconds:.1f} s", flush=True)

        started = loop.time()
        say(admin, group, '/propose "Fair bench proposal" 5')
        proposal = await wait_post(
            watcher, lambda m: has_button(m, "Yes") and has_button(m, "No"), deadline
        )
        if proposal is None:
            figures.error = "no proposal card with Yes/No buttons"
            return
        figures.proposal_seconds = loop.time() - started
        yes, no = button_data(proposal, "Yes"), button_data(proposal, "No")
        assert yes is not None
        assert no is not None

        await quiet(process)
        first_request = len(world.requests)
        before = await snapshot(process, port, probe)
        deadline = loop.time() + args.budget
        presses = [(u, proposal, yes if i % 2 == 0 else no) for i, u in enumerate(voters)]
        sent = await press_all(world, presses, args.press_seconds)
        await wait_answers(watcher, sent, deadline)
        await quiet(process)
        after = await snapshot_after(process, port, probe)
        # The live card is edited now and then, at the group's pace: until it shows every vote
        # (outside the measured window: waiting for the pace costs no CPU).
        tally = TALLY.format(yes=(len(voters) + 1) // 2, no=len(voters) // 2)
        if await world.requests_pulse.wait_until(
            lambda: tally in (proposal.text or ""), remaining(deadline)
        ):
            figures.card_tally_seconds = loop.time() - min(sent.values())
    finally:
        watcher.unsubscribe()

    figures.presses = len(sent)
    # press -> answerCallbackQuery, matched by callback_query_id in the server's request log
    answered: dict[str, float] = {}
    texts: Counter[str] = Counter()
    for record in world.requests[first_request:]:
        if record.method == "answerCallbackQuery" and record.ok:
            query = str(record.params.get("callback_query_id"))
            if query in sent and query not in answered:
                answered[query] = record.time
                texts[str(record.params.get("text"))] += 1
    figures.answered = len(answered)
    figures.answers = dict(texts.most_common(5))
    latencies = [answered[q] - sent[q] for q in answered]
    if latencies:
        figures.latency_ms = {
            q: percentile(latencies, p) * 1000 for q, p in (("p50", 50), ("p99", 99))
        }
        figures.latency_ms["max"] = max(latencies) * 1000
        figures.press_seconds = max(answered.values()) - min(sent.values())
    costs = Costs.between(before, after)
    n = max(figures.presses, 1)
    figures.cpu_ms_per_press = costs.cpu_ms / n
    figures.sql_per_press = sum(costs.sql.values()) / n if costs.sql is not None else None
    figures.redis_per_press = costs.redis / n if costs.redis is not None else None
    figures.redis_commands_per_press = {
        k: v / n for k, v in Counter(costs.redis_commands or {}).most_common()
    }
    if costs.redis_round_trips is not None:
        figures.redis_round_trips_per_press = sum(costs.redis_round_trips.values()) / n
        figures.redis_round_trips_by_command_per_press = {
            k: v / n for k, v in costs.redis_round_trips.items()
        }
    figures.card_edits = sum(
        1
        for r in world.requests[first_request:]
        if r.method.startswith("editMessage") and r.params.get("message_id") == proposal.message_id
    )


def report_pacing(f: PacingFigures, args: argparse.Namespace) -> None:
    print(
        f"\nPython {platform.python_version()}, CPUs {os.cpu_count()}; python -m bot run with "
        f"production pacing, fake Telegram at Telegram's limits; backend {f.backend}"
    )
    if f.error:
        print(f"ERROR: {f.error} (log {f.log_path})")
    votes = f.votes_in_db
    exact = isinstance(votes, tuple) and votes[0] == f.voters and votes[1] == f.voters
    rows = [
        (
            "voters joined",
            f"{f.joined}/{f.voters + 1} (admin too) in {fmt(f.join_seconds, '.1f')} s",
        ),
        ("/propose -> card", f"{fmt(f.proposal_seconds, '.2f')} s"),
        (
            "presses / answered",
            f"{f.presses} / {f.answered} (queued over {args.press_seconds:g} s)",
        ),
        ("first press -> last answer", f"{fmt(f.press_seconds, '.2f')} s"),
        (
            "press -> answer p50/p99/max",
            " / ".join(fmt(f.latency_ms.get(q), ".0f") for q in ("p50", "p99", "max")) + " ms",
        ),
        ("answers", ", ".join(f"{k!r} {v}" for k, v in f.answers.items()) or "-"),
        ("votes in DB (rows, users)", f"{votes} {'= voters' if exact else '!= ' + str(f.voters)}"),
        ("CPU ms per press", fmt(f.cpu_ms_per_press)),
        ("SQL round trips per press", fmt(f.sql_per_press)),
        (
            "Redis round trips per press",
            f"{fmt(f.redis_round_trips_per_press)} "
            f"({by_command(f.redis_round_trips_by_command_per_press)})",
        ),
        (
            "Redis commands executed per press",
            f"{fmt(f.redis_per_press)} ({by_command(f.redis_commands_per_press)}; scripts' too)",
        ),
        (
            "1st press -> card shows all",
            f"{fmt(f.card_tally_seconds, '.1f')} s (card edits: {f.card_edits})",
        ),
        ("429 answers / violations", f"{f.too_many_requests} / {f.violations}"),
        (
            "log: tracebacks / ERROR lines",
            f"{f.log.get('tracebacks')} / {f.log.get('error_lines')}",
        ),
        ("log: exceptions", str(f.log.get("exceptions") or "-")),
        ("stop", f.stop),
        ("log", f.log_path),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fair",
        description="The real Agora process against a bare aiogram bot doing the same work.",
    )
    parser.add_argument("--mode", choices=("fair", "pacing"), default="fair")
    parser.add_argument("--quick", action="store_true", help="a short run (for development)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--log-dir", type=Path, help="the bots' logs (default: a new temp dir)")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument(
        "--budget", type=float, default=300.0, help="seconds a phase may take (default 300)"
    )
    fair = parser.add_argument_group("fair mode")
    fair.add_argument("--users", type=int, help="measured newcomers (default 50; quick 10)")
    fair.add_argument("--warmup", type=int, help="warm-up newcomers first (default 5; quick 2)")
    fair.add_argument("--concurrency", type=int, default=10, help="users at a time (default 10)")
    fair.add_argument("--rounds", type=int, help="rounds of all variants (default 2; quick 1)")
    fair.add_argument(
        "--idle-seconds",
        type=float,
        help="an idle window before the measured phase, reported apart (default 2; quick 1)",
    )
    fair.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated, in pairs (default {','.join(VARIANTS)})",
    )
    fair.add_argument(
        "--agora-pacing",
        choices=("off", "production"),
        default="off",
        help="off: bench.agora_nopace (agora run, pacing off); production: python -m bot run",
    )
    pacing = parser.add_argument_group("pacing mode")
    pacing.add_argument("--backend", choices=("pg", "sqlite"), default="pg")
    pacing.add_argument("--voters", type=int, help="distinct voters (default 1000; quick 100)")
    pacing.add_argument(
        "--press-seconds", type=float, default=3.0, help="presses queued over (default 3 s)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.users = args.users or (10 if quick else 50)
    args.warmup = args.warmup if args.warmup is not None else (2 if quick else 5)
    args.rounds = args.rounds or (1 if quick else 2)
    if args.idle_seconds is None:
        args.idle_seconds = 1.0 if quick else 2.0
    args.voters = args.voters or (100 if quick else 1000)
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"--variants: unknown {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    if "bench" not in urlsplit(args.database_url).path:
        parser.error("--database-url: its database name must contain 'bench' (it is wiped)")
    if args.users < 1 or args.concurrency < 1 or args.voters < 1:
        parser.error("--users, --concurrency and --voters: at least 1")
    return args


async def main_async(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    # SIGTERM to the bench cancels it like Ctrl-C does, so the bot process is still stopped.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    run: Callable[[argparse.Namespace, Path], Awaitable[dict[str, Any]]] = (
        fair_mode if args.mode == "fair" else pacing_mode
    )
    return await run(args, log_dir)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_dir: Path = args.log_dir or Path(tempfile.mkdtemp(prefix="agora-fair-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"logs in {log_dir}", flush=True)
    started = time.monotonic()
    try:
        payload = asyncio.run(main_async(args, log_dir))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; the bot processes were stopped", file=sys.stderr)
        return 130
    print(f"wall time of the bench: {time.monotonic() - started:.0f} s")
    if args.json:
        payload["code"] = str(REPO_ROOT)
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"figures written to {args.json}")
    return 1 if payload.get("error") or payload.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
