"""Idle cost: the CPU the real `agora run` process spends when nobody writes to it.

What it measures: a separate `python -m bot run` process (the code of this repository, started
as bench/burst.py starts it: no `.env`, every key the bot reads set by the script) long-polling
the sandbox's fake Telegram, with a community chat, an admin and nothing to do. After
`--warmup` seconds (start-up: menus, descriptions, the first rounds of every job) it reads the
process's CPU time (utime + stime in /proc/<pid>/stat) and again `--seconds` later, and prints
the share of one core it used in between, its RSS, the Bot API requests it made meanwhile
(getUpdates is a long poll: one every ~10 s when idle), and from the bot's own /metrics (its
health server, on a free port) the database round trips and the job rounds of the window.

    python -m bench.idle                          # sqlite, pg and bare, 60 s each
    python -m bench.idle --backend pg --seconds 120

Backends: `sqlite` (a fresh SQLite file in a temporary directory, no Redis), `pg`
(**drops and recreates the schema of the PostgreSQL database `agora_bench_h2`**, created if
missing, **flushes Redis db 12**, runs `python -m bot migrate`, then the bot with `REDIS_URL`),
and `bare`: a bare aiogram Dispatcher with one /help handler polling the same fake server, the
floor any aiogram bot pays. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if not __package__:  # run as `python bench/idle.py`: make `bench` and `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp

from bench.burst import bot_env, migrate, read_log, reset_pg, stop, wait_polling
from bot.sandbox.harness import free_port
from bot.sandbox.limits import Limits
from bot.sandbox.server import FakeTelegram
from bot.sandbox.world import World

DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/agora_bench_h2"
REDIS_URL = "redis://127.0.0.1:6379/12"
BACKENDS = ("sqlite", "pg", "bare")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --- the process -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (not of its children), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of proc(5)


def rss_bytes(pid: int) -> int:
    """The resident set size of the process now."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE


def spawn_bot(
    env: dict[str, str], cwd: str, log_path: Path, module: str = "bot"
) -> subprocess.Popen[bytes]:
    """`python -m <module> run` with its output to `log_path` (bench.burst's way)."""
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, "run"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C does not reach it; we stop it ourselves
        )


@dataclass
class Started:
    """A bot process polling a fresh fake Telegram."""

    backend: str
    world: World
    server: FakeTelegram
    process: subprocess.Popen[bytes]
    group_id: int
    log_path: Path
    metrics_url: str | None = None  # the bot's GET /metrics (not for bare)
    stop: str = ""


def make_world(limits: Limits | None = None) -> tuple[World, int, int, int]:
    """A forum supergroup "Agora Community" with an "Intros" topic and its creator, the admin.

    Returns the world, the admin's id, the group's id and the topic's id."""
    world = World(limits=limits if limits is not None else Limits())
    admin = world.user("Ada", last_name="Admin")
    group = world.group("Agora Community", forum=True)
    group.add(admin, creator=True)
    topic = group.topic("Intros")
    return world, admin.id, group.id, topic


@contextlib.asynccontextmanager
async def running_bot(
    backend: str,
    *,
    log_dir: Path,
    database_url: str = DATABASE_URL,
    redis_url: str = REDIS_URL,
    world: tuple[World, int, int, int] | None = None,
    module: str = "bot",
) -> AsyncIterator[Started]:
    """Start the fake Telegram and `python -m <module> run` on `backend` (sqlite, pg or
    bare), wait until it polls, yield it; stop both (SIGTERM, then SIGKILL) whatever happens."""
    world_, admin_id, group_id, topic_id = world if world is not None else make_world()
    log_path = log_dir / f"bot-{backend}.log"
    log_path.unlink(missing_ok=True)
    server = FakeTelegram(world_)
    await server.start()
    process: subprocess.Popen[bytes] | None = None
    started: Started | None = None
    with tempfile.TemporaryDirectory(prefix=f"agora-idle-{backend}-") as workdir:
        try:
            port = free_port()
            settings = {
                "BOT_TOKEN": world_.token,
                "BOT_API_URL": server.base_url,
                "COMMUNITY_CHAT_ID": str(group_id),
                "INTRO_TOPIC_ID": str(topic_id),
                "ADMIN_IDS": str(admin_id),
                "LOG_LEVEL": "INFO",
                "HEALTH_PORT": str(port),  # free: benchmarks (or a bot) may run side by side
            }
            if backend == "pg":
                await reset_pg(database_url, redis_url)
                settings["DATABASE_URL"] = database_url
                settings["REDIS_URL"] = redis_url
            else:
                settings["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir}/agora.db"
            env = bot_env(settings)
            if backend == "pg":
                code = await asyncio.to_thread(migrate, env, workdir, log_path)
                if code != 0:
                    raise RuntimeError(f"migrate failed ({code}), see {log_path}")
            if backend == "bare":
                module = "bench.idle_bare"  # bot_env put the repository on PYTHONPATH
            process = spawn_bot(env, workdir, log_path, module)
            if not await wait_polling(world_, process):
                raise RuntimeError(f"the bot did not start polling, see {log_path}")
            started = Started(backend, world_, server, process, group_id, log_path)
            if backend != "bare":
                started.metrics_url = f"http://127.0.0.1:{port}/metrics"
            yield started
        finally:
            if process is not None:
                state = await asyncio.to_thread(stop, process)
                if started is not None:
                    started.stop = state
            await server.stop()


# --- one backend -------------------------------------------------------------------------------


@dataclass
class Figures:
    backend: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    cpu_percent: float = 0.0
    rss_mb: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)
    db_round_trips: dict[str, float] = field(default_factory=dict)  # by kind (the bot's metric)
    job_rounds: dict[str, float] = field(default_factory=dict)  # by job
    error: str | None = None
    stop: str = ""
    log: dict[str, Any] = field(default_factory=dict)
    log_path: str = ""


async def scrape(url: str | None) -> dict[str, float]:
    """The bot's Prometheus series: `name{labels}` -> value (empty without a URL)."""
    if url is None:
        return {}
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        text = await response.text()
    series: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            series[name] = float(value)
    return series


def delta(
    before: dict[str, float], after: dict[str, float], name: str, label: str
) -> dict[str, float]:
    """Growth of counter `name` over the window, by the value of `label` (zeros left out)."""
    grown: dict[str, float] = {}
    for key, value in after.items():
        if key.startswith(name + "{"):
            found = key.split(f'{label}="', 1)
            if len(found) == 2 and (change := value - before.get(key, 0.0)):
                grown[found[1].split('"', 1)[0]] = change
    return grown


async def measure(backend: str, args: argparse.Namespace, log_dir: Path) -> Figures:
    figures = Figures(backend=backend)
    loop = asyncio.get_running_loop()
    try:
        async with running_bot(
            backend, log_dir=log_dir, database_url=args.database_url, redis_url=args.redis_url
        ) as bot:
            figures.log_path = str(bot.log_path)
            await asyncio.sleep(args.warmup)
            pid = bot.process.pid
            mark = len(bot.world.requests)
            metrics = await scrape(bot.metrics_url)
            cpu0, wall0 = cpu_seconds(pid), loop.time()
            await asyncio.sleep(args.seconds)
            cpu1, wall1 = cpu_seconds(pid), loop.time()
            grown = await scrape(bot.metrics_url)
            figures.db_round_trips = delta(metrics, grown, "agora_db_statements_total", "kind")
            figures.job_rounds = delta(metrics, grown, "agora_job_runs_total", "job")
            figures.rss_mb = rss_bytes(pid) / 2**20
            figures.seconds = wall1 - wall0
            figures.cpu_seconds = cpu1 - cpu0
            figures.cpu_percent = 100 * figures.cpu_seconds / figures.seconds
            figures.requests = dict(Counter(r.method for r in bot.world.requests[mark:]))
            if bot.process.poll() is not None:
                figures.error = f"the bot exited ({bot.process.returncode}) during the window"
        figures.stop = bot.stop
    except RuntimeError as exc:
        figures.error = str(exc)
    figures.log = read_log(Path(figures.log_path)) if figures.log_path else {}
    return figures


def print_report(results: list[Figures]) -> None:
    print()
    print(f"{'backend':8} {'window':>7} {'CPU s':>7} {'CPU %':>7} {'RSS MB':>7}  requests")
    for f in results:
        if f.error:
            print(f"{f.backend:8} error: {f.error}")
            continue
        requests = ", ".join(f"{k} {v}" for k, v in sorted(f.requests.items())) or "none"
        print(
            f"{f.backend:8} {f.seconds:6.0f}s {f.cpu_seconds:7.2f} {f.cpu_percent:6.2f}% "
            f"{f.rss_mb:7.1f}  {requests}"
        )
        if f.db_round_trips:
            trips = ", ".join(f"{k} {v:g}" for k, v in sorted(f.db_round_trips.items()))
            print(f"{'':8} database round trips: {trips}")
        if f.backend != "bare":
            rounds = ", ".join(f"{k} {v:g}" for k, v in sorted(f.job_rounds.items()))
            print(f"{'':8} job rounds: {rounds or 'none'}")
    for f in results:
        if f.log.get("tracebacks") or f.log.get("error_lines"):
            print(f"{f.backend}: log has {f.log['tracebacks']} tracebacks, see {f.log_path}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.idle", description="CPU of the idle `agora run` process."
    )
    parser.add_argument("--backend", choices=(*BACKENDS, "all"), default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="window (default 60)")
    parser.add_argument(
        "--warmup", type=float, default=15.0, help="seconds after the first poll (default 15)"
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--log-dir", type=Path, help="the bots' logs (default: a new temp dir)")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    if "bench" not in urlsplit(args.database_url).path:
        parser.error("--database-url: its database name must contain 'bench' (it is wiped)")
    if urlsplit(args.redis_url).path.strip("/") in ("", "0", "15"):
        parser.error("--redis-url: give a db other than 0 and 15 (it is flushed)")
    return args


async def main_async(args: argparse.Namespace, log_dir: Path) -> list[Figures]:
    task = asyncio.current_task()
    if task is not None:  # SIGTERM cancels like Ctrl-C: the bot process is still stopped
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    backends = BACKENDS if args.backend == "all" else (args.backend,)
    results = []
    for backend in backends:
        print(f"{backend}: warm-up {args.warmup:g} s, window {args.seconds:g} s ...", flush=True)
        results.append(await measure(backend, args, log_dir))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_dir: Path = args.log_dir or Path(tempfile.mkdtemp(prefix="agora-idle-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        results = asyncio.run(main_async(args, log_dir))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; the bot process was stopped", file=sys.stderr)
        return 130
    print_report(results)
    print(f"logs: {log_dir}")
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in results], indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 1 if any(f.error for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
