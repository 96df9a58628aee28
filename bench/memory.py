"""Memory per user: the RSS of the real `agora run` process before and after many users came.

What it measures: the process bench/idle.py starts (a separate `agora run` against the
sandbox's fake Telegram, community chat configured), launched through `bench.memory_bot`,
i.e. with the bot's own pacing off (at the production pace of 28 messages a second 100 000
replies take an hour; pacing keeps no per-chat state once a chat is idle) and a SIGUSR1
handler that runs a full garbage collection. The fake server's flood limits are off too.

1. RSS of the idle process (after `--warmup` seconds).
2. `--warmup-users` (default 200) members send /start in their private chat (not counted:
   code paths, pools and caches of things that are not per user fill up), then RSS again:
   the base line.
3. `--users` (default 100 000) other members each send one /start, at most `--concurrency`
   (default 200) waiting for their reply at once. /start from a member without a profile
   checks the membership (getChatMember, cached), upserts the user's row and starts the
   intro flow (FSM state in the database or Redis): every per-user structure of the process
   is touched once. RSS after the last reply, then after a `gc.collect()` in the process.

It prints the RSS at each step (MB), the growth over the base line (and per user) and over the
idle process; the goal is under 30 MB over idle for 100 000 users.

    python -m bench.memory                        # sqlite and pg, 100 000 users each
    python -m bench.memory --backend pg --users 20000
    python -m bench.memory --backend pg --users 20000 --trace     # what grows, in the bot's log

The pg backend **drops and recreates the schema of the PostgreSQL database `agora_bench_h2`**
(created if missing) and **flushes Redis db 12**, as bench/idle.py does. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if not __package__:  # run as `python bench/memory.py`: make `bench` and `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.burst import read_log, send_text
from bench.idle import DATABASE_URL, REDIS_URL, make_world, rss_bytes, running_bot
from bench.memory_bot import GC_DONE, TRACE_ENV
from bot.sandbox.limits import Limits
from bot.sandbox.world import SandboxEvent, World

BACKENDS = ("sqlite", "pg")
MB = 2**20
GC_WAIT_SECONDS = 30.0
STALL_SECONDS = 120.0  # no reply at all for this long: the run is given up


@dataclass
class Figures:
    backend: str
    users: int
    error: str | None = None
    rss_idle_mb: float = 0.0
    rss_warm_mb: float = 0.0  # after the warm-up users: the base line
    rss_after_mb: float = 0.0
    rss_after_gc_mb: float = 0.0
    growth_mb: float = 0.0  # after gc, over the base line
    above_idle_mb: float = 0.0  # after gc, over the idle process
    bytes_per_user: float = 0.0
    answered: int = 0
    seconds: float = 0.0
    updates_per_second: float = 0.0
    stop: str = ""
    log: dict[str, Any] = field(default_factory=dict)
    log_path: str = ""


class Driver:
    """Sends /start from new members, `concurrency` at a time; a user is done at the bot's
    first message in their private chat."""

    def __init__(self, world: World, group_id: int, concurrency: int) -> None:
        self.world = world
        self.group = world.chats[group_id]
        self.concurrency = concurrency
        self.waiting: set[int] = set()
        self.answered = 0
        self.last_answer = time.monotonic()
        self.changed = asyncio.Event()
        self._serial = 0
        world.on_event(self._on_event)

    def _on_event(self, event: SandboxEvent) -> None:
        message = event.message
        if event.kind != "new" or message is None or message.chat_id not in self.waiting:
            return
        self.waiting.discard(message.chat_id)
        self.answered += 1
        self.last_answer = time.monotonic()
        self.changed.set()

    def _new_member(self) -> None:
        self._serial += 1
        user = self.world.user(f"Member{self._serial:06d}")
        self.group.members[user.id] = "member"
        self.waiting.add(user.id)
        send_text(self.world, user, "/start")

    def _trim(self) -> None:
        # The fake server's logs grow with every request; nothing here reads them.
        self.world.events.clear()
        self.world.requests.clear()
        self.world.updates.clear()

    async def run(self, users: int) -> None:
        target = self.answered + users
        sent = 0
        while self.answered < target:
            while sent < users and len(self.waiting) < self.concurrency:
                self._new_member()
                sent += 1
            if len(self.world.events) > 20_000:
                self._trim()
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 5.0)
            except TimeoutError:
                if time.monotonic() - self.last_answer > STALL_SECONDS:
                    raise RuntimeError(
                        f"no reply for {STALL_SECONDS:.0f} s ({self.answered} answered)"
                    ) from None
        self._trim()


def collections_logged(log_path: Path) -> int:
    return log_path.read_text(errors="replace").count(GC_DONE)


async def rss_after_gc(pid: int, log_path: Path) -> int:
    """SIGUSR1 (bench.memory_bot collects), wait for its log line, read the RSS."""
    done = collections_logged(log_path)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + GC_WAIT_SECONDS
    while collections_logged(log_path) <= done:
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not log its garbage collection")
        await asyncio.sleep(0.2)
    return rss_bytes(pid)


async def measure(backend: str, args: argparse.Namespace, log_dir: Path) -> Figures:
    figures = Figures(backend=backend, users=args.users)
    world = make_world(Limits.off())
    try:
        async with running_bot(
            backend,
            log_dir=log_dir,
            database_url=args.database_url,
            redis_url=args.redis_url,
            world=world,
            module="bench.memory_bot",
        ) as bot:
            figures.log_path = str(bot.log_path)
            pid = bot.process.pid
            await asyncio.sleep(args.warmup)
            figures.rss_idle_mb = rss_bytes(pid) / MB
            driver = Driver(bot.world, bot.group_id, args.concurrency)
            await driver.run(args.warmup_users)
            figures.rss_warm_mb = await rss_after_gc(pid, bot.log_path) / MB
            print(
                f"{backend}: idle {figures.rss_idle_mb:.1f} MB, after {args.warmup_users} "
                f"warm-up users {figures.rss_warm_mb:.1f} MB; {args.users} users ...",
                flush=True,
            )
            started = time.monotonic()
            await driver.run(args.users)
            figures.seconds = time.monotonic() - started
            figures.answered = driver.answered - args.warmup_users
            figures.updates_per_second = figures.answered / figures.seconds
            figures.rss_after_mb = rss_bytes(pid) / MB
            figures.rss_after_gc_mb = await rss_after_gc(pid, bot.log_path) / MB
            figures.growth_mb = figures.rss_after_gc_mb - figures.rss_warm_mb
            figures.above_idle_mb = figures.rss_after_gc_mb - figures.rss_idle_mb
            figures.bytes_per_user = figures.growth_mb * MB / max(figures.answered, 1)
        figures.stop = bot.stop
    except RuntimeError as exc:
        figures.error = str(exc)
    figures.log = read_log(Path(figures.log_path)) if figures.log_path else {}
    return figures


def print_report(results: list[Figures]) -> None:
    print()
    print(
        f"{'backend':8} {'users':>7} {'idle MB':>8} {'base MB':>8} {'after':>8} {'after gc':>8} "
        f"{'growth':>8} {'B/user':>7} {'> idle':>7} {'upd/s':>6}"
    )
    for f in results:
        if f.error:
            print(f"{f.backend:8} error: {f.error}")
            continue
        print(
            f"{f.backend:8} {f.answered:7d} {f.rss_idle_mb:8.1f} {f.rss_warm_mb:8.1f} "
            f"{f.rss_after_mb:8.1f} {f.rss_after_gc_mb:8.1f} {f.growth_mb:+8.1f} "
            f"{f.bytes_per_user:7.0f} {f.above_idle_mb:+7.1f} {f.updates_per_second:6.0f}"
        )
    for f in results:
        if f.log.get("tracebacks") or f.log.get("error_lines"):
            print(f"{f.backend}: log has {f.log['tracebacks']} tracebacks, see {f.log_path}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.memory", description="RSS of `agora run` after many users."
    )
    parser.add_argument("--users", type=int, default=100_000, help="default 100000")
    parser.add_argument("--warmup-users", type=int, default=200, help="default 200")
    parser.add_argument("--concurrency", type=int, default=200, help="default 200")
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds after the first poll (default 10)"
    )
    parser.add_argument(
        "--trace",
        action="count",
        default=0,
        help="the bot's log lists the object types that grew; twice: also the allocation "
        "sites (tracemalloc, slow)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--log-dir", type=Path, help="the bots' logs (default: a new temp dir)")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    if args.users < 1 or args.warmup_users < 1 or args.concurrency < 1:
        parser.error("--users, --warmup-users and --concurrency: at least 1")
    if "bench" not in urlsplit(args.database_url).path:
        parser.error("--database-url: its database name must contain 'bench' (it is wiped)")
    if urlsplit(args.redis_url).path.strip("/") in ("", "0", "15"):
        parser.error("--redis-url: give a db other than 0 and 15 (it is flushed)")
    return args


async def main_async(args: argparse.Namespace, log_dir: Path) -> list[Figures]:
    task = asyncio.current_task()
    if task is not None:  # SIGTERM cancels like Ctrl-C: the bot process is still stopped
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        print(f"{backend}: starting ...", flush=True)
        figures = await measure(backend, args, log_dir)
        results.append(figures)
        print(f"{backend}: {figures.error or 'done'} ({figures.seconds:.0f} s)", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.trace:
        os.environ[TRACE_ENV] = str(min(args.trace, 2))  # the bot process inherits it
    log_dir: Path = args.log_dir or Path(tempfile.mkdtemp(prefix="agora-memory-logs-"))
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
