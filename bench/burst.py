"""Intro burst benchmark: many newcomers introduce themselves at once to the real `agora run`.

What it measures: the bot as it runs in production, a separate `python -m bot run` process
talking HTTP to the sandbox's fake Telegram, with Telegram's real flood limits on the server
(`Limits()`: private chat 4 burst / 1 per s, group 20 per minute, 30 per s overall) and the
bot's production pacing (no override: `create_app` uses its defaults). A forum supergroup
"Agora Community" with an "Intros" topic has `--users` newcomers, one bystander and one admin.
Every newcomer at once goes through the intro: /start, first name, last name, about text, then
Confirm on the preview; each step is sent only after the bot's reply to the previous one
arrived. When half of them pressed Confirm, the bystander sends /help.

Per backend (`--backend sqlite|pg|both`) it prints: users finished, updates per second, private
reply latency (p50/p95/p99/max), the time from the first Confirm to the last intro card in the
Intros topic (cards posted, duplicates), the /help latency, 429 answers from the fake server,
and what the bot's log holds (tracebacks, LockNotOwnedError, "database is locked", ERROR lines).

    python -m bench.burst                         # both backends, 100 users, 360 s budget
    python -m bench.burst --backend pg --users 20 --budget 120 --json /tmp/burst.json

The pg backend drops and recreates the schema of the PostgreSQL database `agora_bench`
(created if missing) and flushes Redis db 14; sqlite uses a fresh file in a temporary
directory. The bot's log is kept in `--log-dir` (a new temporary directory by default).
The bot under test is the code of the repository this file lives in (its root is put on
PYTHONPATH and the process runs in an empty directory, so no `.env` is read). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if not __package__:  # run as `python bench/burst.py`: make `bench` and `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # type: ignore[import-untyped]
from redis.asyncio import Redis

from bot.config import Settings
from bot.sandbox.client import ChatMessage, UserActor
from bot.sandbox.limits import Limits
from bot.sandbox.models import CallbackAnswer
from bot.sandbox.server import FakeTelegram
from bot.sandbox.world import Pulse, SandboxEvent, World
from bot.telegram.pacing import PacingLimits

REPO_ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/agora_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
BACKENDS = ("sqlite", "pg")

STARTUP_SECONDS = 90.0  # until the bot's first getUpdates (the pg backend migrates before)
MIGRATE_SECONDS = 180.0
STOP_GRACE_SECONDS = 20.0  # SIGTERM, then SIGKILL: graceful stop waits for in-flight updates
PROCESS_CHECK_SECONDS = 1.0  # how often a wait on the world also checks the bot is alive

# What the user waits for after each step, as the English catalog says it. A step's reply is
# complete when its prompt is the chat's only live prompt (a message with a Cancel button): the
# previous prompt loses its buttons *after* the new one is sent, so moving on at the first new
# message would count that edit as the reply to the next step.
ASK_FIRST_NAME = "first name"
ASK_LAST_NAME = "last name"
ASK_ABOUT = "about yourself"
CONFIRM_LABEL = "Confirm"
CANCEL_LABEL = "Cancel"
LAST_NAME = "Tester"
ABOUT = "I like <b>books</b> & code"  # plain user text: the bot must escape it
STEPS = ("start", "first_name", "last_name", "about", "confirm")
ERROR_REPLY = "Something went wrong"  # core's error-generic: the handler failed


# --- what the world shows ----------------------------------------------------------------------


@dataclass
class Seen:
    """One bot action in a chat, as it happened (the text is the text at that moment)."""

    at: float
    kind: str  # new | edited | deleted | answer
    message: ChatMessage | None
    text: str | None
    text_changed: bool  # a new message, or an edit that changed the text (not only buttons)


class ChatLog:
    """The bot's actions in one chat, and a pulse to wait on them without polling."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.pulse = Pulse()

    def add(self, seen: Seen) -> None:
        self.seen.append(seen)
        self.pulse.fire()

    def since(self, mark: int) -> list[Seen]:
        return [s for s in self.seen[mark:] if s.kind != "deleted"]

    async def wait(self, predicate: Callable[[], bool], deadline: float) -> bool:
        """True once predicate() holds, False when the deadline passed first."""
        remaining = deadline - asyncio.get_running_loop().time()
        return bool(await self.pulse.wait_until(predicate, max(remaining, 0.0)))


def has_button(message: ChatMessage, label: str) -> bool:
    return any(label in text for row in message.buttons for text in row)


def button_data(message: ChatMessage, label: str) -> str | None:
    for row in (message.keyboard or {}).get("inline_keyboard", []):
        for button in row:
            if label in str(button.get("text", "")) and "callback_data" in button:
                return str(button["callback_data"])
    return None


# --- the people --------------------------------------------------------------------------------


@dataclass
class Newcomer:
    actor: UserActor
    first_name: str
    log: ChatLog
    pattern: re.Pattern[str]  # the first name as a whole word, to find the user's card
    latencies: dict[str, float] = field(default_factory=dict)  # step -> seconds to first reply
    answered: int = 0  # updates that got a reply
    enqueued: int = 0
    stalled_at: str | None = None  # the step whose reply never completed
    confirmed_at: float | None = None
    finished_at: float | None = None  # the bot's reply to Confirm in the private chat
    final_text: str | None = None


@dataclass
class Run:
    """Shared state of one backend's burst."""

    world: World
    deadline: float
    started: float
    newcomers: list[Newcomer]
    bystander: UserActor
    bystander_log: ChatLog
    group_id: int
    topic_id: int
    cards: list[tuple[float, str]] = field(default_factory=list)  # (time, text) in Intros
    cards_pulse: Pulse = field(default_factory=Pulse)
    half_confirmed: asyncio.Event = field(default_factory=asyncio.Event)
    help_latency: float | None = None
    help_sent: bool = False
    help_answered: bool = False

    def confirmed(self) -> int:
        return sum(1 for n in self.newcomers if n.confirmed_at is not None)


def observe(run: Run, logs: dict[int, ChatLog]) -> Callable[[SandboxEvent], None]:
    """A world observer: files every bot action under its chat, cards under the Intros topic."""
    loop = asyncio.get_running_loop()
    texts: dict[tuple[int, int], str | None] = {}

    def on_event(event: SandboxEvent) -> None:
        now = loop.time()
        message = event.message
        if event.kind == "answer":
            answer = event.answer
            if answer is None:
                return
            chat_id = answer.message.chat.id if answer.message is not None else answer.user_id
            seen = Seen(now, "answer", None, answer.text, False)
        elif message is not None:
            chat_id = message.chat_id
            key = (chat_id, message.message_id)
            text = message.text
            changed = event.kind == "new" or (event.kind == "edited" and texts.get(key) != text)
            texts[key] = text
            seen = Seen(now, event.kind, message, text, changed)
            if chat_id == run.group_id and event.kind == "new":
                if message.thread_id == run.topic_id:
                    run.cards.append((now, text or ""))
                    run.cards_pulse.fire()
                return
        else:
            return
        chat_log = logs.get(chat_id)
        if chat_log is not None:
            chat_log.add(seen)

    return on_event


# --- one newcomer's intro ----------------------------------------------------------------------


def send_text(world: World, user: UserActor, text: str) -> None:
    """Queue a private text message without waiting (UserActor.send waits for quiet, which
    never comes in a burst)."""
    user._post(user.chat, world.user_text_content(text))


def press_button(world: World, user: UserActor, message: ChatMessage, data: str) -> None:
    """Queue a callback query on `message`, as UserActor.press_data does, without waiting."""
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


def live_prompts(user: UserActor) -> list[ChatMessage]:
    return [m for m in user.messages if has_button(m, CANCEL_LABEL)]


def prompt_ready(
    newcomer: Newcomer, mark: int, wanted: Callable[[ChatMessage], bool]
) -> Callable[[], bool]:
    """The step's reply is complete: a prompt sent after `mark` is the only live prompt and is
    the one the next step answers."""

    def ready() -> bool:
        sent = {
            s.message.message_id for s in newcomer.log.since(mark) if s.message and s.kind == "new"
        }
        live = live_prompts(newcomer.actor)
        return len(live) == 1 and live[0].message_id in sent and wanted(live[0])

    return ready


def text_has(fragment: str) -> Callable[[ChatMessage], bool]:
    return lambda message: fragment in (message.text or "").lower()


async def intro(run: Run, newcomer: Newcomer) -> None:
    world, user, chat_log = run.world, newcomer.actor, newcomer.log
    loop = asyncio.get_running_loop()
    steps: list[tuple[str, str, Callable[[ChatMessage], bool]]] = [
        ("start", "/start", text_has(ASK_FIRST_NAME)),
        ("first_name", newcomer.first_name, text_has(ASK_LAST_NAME)),
        ("last_name", LAST_NAME, text_has(ASK_ABOUT)),
        ("about", ABOUT, lambda m: has_button(m, CONFIRM_LABEL)),
    ]
    for step, text, wanted in steps:
        mark, sent = len(chat_log.seen), loop.time()
        send_text(world, user, text)
        newcomer.enqueued += 1
        done = await chat_log.wait(prompt_ready(newcomer, mark, wanted), run.deadline)
        record_reply(newcomer, step, mark, sent)
        if not done:
            newcomer.stalled_at = step
            return

    preview = live_prompts(user)[0]
    data = button_data(preview, CONFIRM_LABEL)
    if data is None:  # cannot happen: the wait above checked the button is there
        newcomer.stalled_at = "confirm"
        return
    mark, sent = len(chat_log.seen), loop.time()
    press_button(world, user, preview, data)
    newcomer.enqueued += 1
    newcomer.confirmed_at = sent
    if run.confirmed() * 2 >= len(run.newcomers):
        run.half_confirmed.set()

    # Finished = the bot replied to the press in the private chat: a new message or an edit
    # that changed a text (the callback answer and the preview losing its buttons do not count),
    # whatever that text says (a link to the card, or "it will appear in a moment"), unless it
    # is the error reply of a failed handler.
    def final() -> Seen | None:
        replies = chat_log.since(mark)
        return next((s for s in replies if s.text_changed and not is_error(s)), None)

    done = await chat_log.wait(lambda: final() is not None, run.deadline)
    record_reply(newcomer, "confirm", mark, sent)
    reply = final()
    if not done or reply is None:
        newcomer.stalled_at = "confirm"
        return
    newcomer.finished_at = reply.at
    newcomer.final_text = reply.text


def is_error(seen: Seen) -> bool:
    return seen.kind == "new" and ERROR_REPLY in (seen.text or "")


def record_reply(newcomer: Newcomer, step: str, mark: int, sent: float) -> None:
    """Latency of a step: from queueing the update to the bot's first action in the chat."""
    replies = newcomer.log.since(mark)
    if replies:
        newcomer.latencies[step] = replies[0].at - sent
        newcomer.answered += 1


async def bystander(run: Run) -> None:
    """/help from someone outside the burst, once half the newcomers pressed Confirm."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(run.half_confirmed.wait(), max(run.deadline - loop.time(), 0.0))
    if not run.half_confirmed.is_set():
        return
    mark, sent = len(run.bystander_log.seen), loop.time()
    send_text(run.world, run.bystander, "/help")
    run.help_sent = True
    if await run.bystander_log.wait(lambda: bool(run.bystander_log.since(mark)), run.deadline):
        run.help_latency = run.bystander_log.since(mark)[0].at - sent
        run.help_answered = True


def card_counts(run: Run) -> tuple[Counter[int], int]:
    """Cards per newcomer (by index), and cards that name no newcomer."""
    counts: Counter[int] = Counter()
    unmatched = 0
    for _, text in run.cards:
        owners = [i for i, n in enumerate(run.newcomers) if n.pattern.search(text)]
        counts.update(owners)
        unmatched += not owners
    return counts, unmatched


async def wait_for_cards(run: Run, grace: float) -> None:
    """Until every newcomer who pressed Confirm has a card in Intros (cards may be posted
    after the private reply, from an outbox), or the budget ends; then on until no new card
    came for `grace` seconds, so that duplicates posted after the last expected card are seen."""
    loop = asyncio.get_running_loop()

    def all_posted() -> bool:
        counts, _ = card_counts(run)
        return all(counts[i] for i, n in enumerate(run.newcomers) if n.confirmed_at is not None)

    if not await run.cards_pulse.wait_until(all_posted, max(run.deadline - loop.time(), 0.0)):
        return
    while await run.cards_pulse.wait(min(grace, max(run.deadline - loop.time(), 0.0))):
        pass


# --- the bot process ---------------------------------------------------------------------------


def bot_env(settings: dict[str, str]) -> dict[str, str]:
    """The environment of `python -m bot`: ours, minus every key the bot reads, plus ours."""
    keys = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in keys}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(settings)
    return env


async def reset_pg(database_url: str, redis_url: str) -> None:
    """Create the bench database if needed, empty its schema, flush the bench Redis db."""
    parts = urlsplit(database_url.replace("+asyncpg", ""))
    dbname = parts.path.lstrip("/")
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await admin.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(parts.geturl())
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


def migrate(env: dict[str, str], cwd: str, log_path: Path) -> int:
    """`python -m bot migrate` (blocking: run in a thread); its exit code."""
    with log_path.open("ab") as out:
        try:
            return subprocess.run(
                [sys.executable, "-m", "bot", "migrate"],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=MIGRATE_SECONDS,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            return -1


def spawn(env: dict[str, str], cwd: str, log_path: Path) -> subprocess.Popen[bytes]:
    # Popen with output to a file, waited for in a thread: a pipe could fill up, and asyncio's
    # child watchers are not needed for one process.
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C does not reach it; we stop it ourselves
        )


def stop(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM, then SIGKILL after STOP_GRACE_SECONDS (blocking: run in a thread)."""
    if process.poll() is not None:
        return f"had exited ({process.returncode})"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f"SIGKILL after {STOP_GRACE_SECONDS:.0f} s"
    return f"SIGTERM, exited ({process.returncode}) in {time.monotonic() - started:.1f} s"


async def wait_polling(world: World, process: subprocess.Popen[bytes]) -> bool:
    """Until the bot's first long poll is waiting (False: it exited or took too long)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    while loop.time() < deadline:
        if process.poll() is not None:
            return False
        # Sliced, so that a process that died without a request is noticed.
        if await world.requests_pulse.wait_until(
            lambda: world.active_polls > 0, min(PROCESS_CHECK_SECONDS, deadline - loop.time())
        ):
            return True
    return False


# The last line of a traceback: "pkg.module.Name: message", or a builtin "NameError: message".
_EXCEPTION_LINE = re.compile(
    r"^((?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*|[A-Za-z_]\w*(?:Error|Exception))(?::|$)"
)


def read_log(path: Path) -> dict[str, Any]:
    """Counts of trouble in the bot's log, and the exceptions its tracebacks ended with."""
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = text.splitlines()
    exceptions: Counter[str] = Counter()
    for line in lines:
        match = _EXCEPTION_LINE.match(line)
        if match:
            exceptions[match.group(1).rsplit(".", 1)[-1]] += 1
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "lock_not_owned": text.count("LockNotOwnedError"),
        "database_locked": text.count("database is locked"),
        "error_lines": sum(1 for line in lines if " ERROR " in line),
        "warning_lines": sum(1 for line in lines if " WARNING " in line),
        "exceptions": dict(exceptions.most_common(8)),
    }


# --- one backend -------------------------------------------------------------------------------


@dataclass
class Figures:
    backend: str
    users: int
    error: str | None = None
    finished: int = 0
    stalled: dict[str, int] = field(default_factory=dict)
    updates_enqueued: int = 0
    updates_answered: int = 0
    seconds_to_last_reply: float | None = None
    updates_per_second: float | None = None
    latency: dict[str, float] = field(default_factory=dict)  # p50 p95 p99 max, seconds
    latency_p50_by_step: dict[str, float] = field(default_factory=dict)
    confirm_to_final: dict[str, float] = field(default_factory=dict)  # p50 max
    confirmed: int = 0
    cards_posted: int = 0  # newcomers with at least one card
    cards_total: int = 0
    card_duplicates: int = 0
    cards_unmatched: int = 0
    first_confirm_to_last_card: float | None = None
    help_latency: float | None = None
    help_state: str = "not sent"
    error_replies: int = 0  # "Something went wrong" in private chats
    final_texts: dict[str, int] = field(default_factory=dict)
    too_many_requests: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    violations: int = 0
    budget_hit: bool = False
    wall_seconds: float = 0.0
    stop: str = ""
    log: dict[str, Any] = field(default_factory=dict)
    log_path: str = ""


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def make_world(users: int) -> tuple[World, list[UserActor], UserActor, UserActor, int, int]:
    world = World(limits=Limits())  # Telegram's documented limits, not the tests' 10x
    admin = world.user("Ada", last_name="Admin")
    group = world.group("Agora Community", forum=True)
    group.add(admin, creator=True)
    topic = group.topic("Intros")
    width = len(str(users))
    newcomers = [world.user(f"Nova{i:0{width}d}") for i in range(1, users + 1)]
    watcher = world.user("Bystander")
    for user in (*newcomers, watcher):
        group.add(user)
    return world, newcomers, watcher, admin, group.id, topic


async def run_backend(backend: str, args: argparse.Namespace, log_dir: Path) -> Figures:
    figures = Figures(backend=backend, users=args.users)
    log_path = log_dir / f"bot-{backend}.log"
    figures.log_path = str(log_path)
    world, users, watcher, admin, group_id, topic_id = make_world(args.users)
    server = FakeTelegram(world)
    await server.start()
    process: subprocess.Popen[bytes] | None = None
    with tempfile.TemporaryDirectory(prefix=f"agora-burst-{backend}-") as workdir:
        try:
            settings = {
                "BOT_TOKEN": world.token,
                "BOT_API_URL": server.base_url,
                "COMMUNITY_CHAT_ID": str(group_id),
                "INTRO_TOPIC_ID": str(topic_id),
                "ADMIN_IDS": str(admin.id),
                "LOG_LEVEL": "INFO",
            }
            if backend == "pg":
                await reset_pg(args.database_url, args.redis_url)
                settings["DATABASE_URL"] = args.database_url
                settings["REDIS_URL"] = args.redis_url
            else:
                settings["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir}/agora.db"
            env = bot_env(settings)
            if backend == "pg":
                code = await asyncio.to_thread(migrate, env, workdir, log_path)
                if code != 0:
                    figures.error = f"migrate failed ({code}), see {log_path}"
                    return figures
            process = spawn(env, workdir, log_path)
            if not await wait_polling(world, process):
                figures.error = f"the bot did not start polling, see {log_path}"
                return figures
            await burst(world, users, watcher, group_id, topic_id, args, figures)
        finally:
            if process is not None:
                figures.stop = await asyncio.to_thread(stop, process)
            await server.stop()
    figures.log = read_log(log_path)
    return figures


async def burst(
    world: World,
    users: list[UserActor],
    watcher: UserActor,
    group_id: int,
    topic_id: int,
    args: argparse.Namespace,
    figures: Figures,
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    newcomers = [
        Newcomer(
            actor=user,
            first_name=user.record.first_name,
            log=ChatLog(),
            pattern=re.compile(rf"\b{re.escape(user.record.first_name)}\b"),
        )
        for user in users
    ]
    run = Run(
        world=world,
        deadline=started + args.budget,
        started=started,
        newcomers=newcomers,
        bystander=watcher,
        bystander_log=ChatLog(),
        group_id=group_id,
        topic_id=topic_id,
    )
    logs = {n.actor.id: n.log for n in newcomers}
    logs[watcher.id] = run.bystander_log
    unsubscribe = world.on_event(observe(run, logs))
    try:
        await asyncio.gather(*(intro(run, n) for n in newcomers), bystander(run))
        await wait_for_cards(run, args.card_grace)
    finally:
        unsubscribe()
    ended = loop.time()
    summarise(run, figures, ended)


def summarise(run: Run, figures: Figures, ended: float) -> None:
    newcomers = run.newcomers
    figures.wall_seconds = ended - run.started
    figures.budget_hit = ended >= run.deadline
    figures.finished = sum(1 for n in newcomers if n.finished_at is not None)
    stalled = Counter(n.stalled_at for n in newcomers if n.stalled_at is not None)
    figures.stalled = {step: stalled[step] for step in STEPS if stalled[step]}
    figures.updates_enqueued = sum(n.enqueued for n in newcomers) + run.help_sent
    figures.updates_answered = sum(n.answered for n in newcomers) + run.help_answered
    private = [s.at for n in newcomers for s in n.log.since(0)] + [
        s.at for s in run.bystander_log.since(0)
    ]
    if private:
        figures.seconds_to_last_reply = max(private) - run.started
        if figures.seconds_to_last_reply > 0:
            figures.updates_per_second = figures.updates_answered / figures.seconds_to_last_reply
    latencies = [value for n in newcomers for value in n.latencies.values()]
    if latencies:
        figures.latency = {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": max(latencies),
        }
    for step in STEPS:
        values = [n.latencies[step] for n in newcomers if step in n.latencies]
        if values:
            figures.latency_p50_by_step[step] = percentile(values, 50)
    waits = [
        n.finished_at - n.confirmed_at
        for n in newcomers
        if n.finished_at is not None and n.confirmed_at is not None
    ]
    if waits:
        figures.confirm_to_final = {"p50": percentile(waits, 50), "max": max(waits)}
    # Final replies, with digits masked: one line per kind of answer (a link, "in a moment"...).
    finals = Counter(
        re.sub(r"\d+", "#", (n.final_text or "")[:60]) for n in newcomers if n.final_text
    )
    figures.final_texts = dict(finals.most_common(3))

    counts, unmatched = card_counts(run)
    figures.confirmed = run.confirmed()
    figures.cards_total = len(run.cards)
    figures.cards_posted = len(counts)
    figures.card_duplicates = sum(count - 1 for count in counts.values())
    figures.cards_unmatched = unmatched
    confirms = [n.confirmed_at for n in newcomers if n.confirmed_at is not None]
    # Up to the last newcomer's *first* card: a late duplicate is counted, not timed.
    firsts: dict[int, float] = {}
    for at, text in run.cards:
        for i, n in enumerate(newcomers):
            if n.pattern.search(text):
                firsts.setdefault(i, at)
    if confirms and firsts:
        figures.first_confirm_to_last_card = max(firsts.values()) - min(confirms)

    logs = [n.log for n in newcomers] + [run.bystander_log]
    figures.error_replies = sum(1 for log in logs for s in log.seen if is_error(s))
    figures.help_latency = run.help_latency
    figures.help_state = (
        "answered" if run.help_answered else "no reply" if run.help_sent else "not sent"
    )
    world = run.world
    figures.too_many_requests = sum(1 for r in world.requests if r.error_code == 429)
    figures.requests = dict(Counter(r.method for r in world.requests if r.method != "getUpdates"))
    figures.violations = len(world.violations)


# --- report ------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_report(results: Sequence[Figures], args: argparse.Namespace) -> None:
    pacing = ", ".join(f"{k} {v:g}" for k, v in asdict(PacingLimits()).items())
    print(
        f"\nPython {platform.python_version()}, CPUs {os.cpu_count()}; {args.users} newcomers; "
        f"budget {args.budget:g} s; code under test: {REPO_ROOT}"
    )
    print(f"bot pacing (production defaults): {pacing}")
    print("server limits: private 4 burst / 1 per s, group 20 per min, overall 30 per s")
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, value: Callable[[Figures], str]) -> None:
        rows.append((label, [value(f) if f.error is None else "-" for f in results]))

    row("users finished", lambda f: f"{f.finished}/{f.users}")
    row(
        "unfinished, by step",
        lambda f: ", ".join(f"{k} {v}" for k, v in f.stalled.items()) or "-",
    )
    row("updates answered/enqueued", lambda f: f"{f.updates_answered}/{f.updates_enqueued}")
    row(
        "updates/s (to last reply)",
        lambda f: (
            f"{f.updates_per_second:.2f} ({f.seconds_to_last_reply:.0f} s)"
            if f.updates_per_second is not None and f.seconds_to_last_reply is not None
            else "-"
        ),
    )

    def latency(q: str) -> Callable[[Figures], str]:
        return lambda f: seconds(f.latency.get(q))

    for q in ("p50", "p95", "p99", "max"):
        row(f"reply latency {q} s", latency(q))
    row(
        "p50 s by step",
        lambda f: " ".join(f"{seconds(v)}" for v in f.latency_p50_by_step.values()) or "-",
    )
    row(
        "Confirm->final reply p50/max",
        lambda f: (
            f"{seconds(f.confirm_to_final.get('p50'))}/{seconds(f.confirm_to_final.get('max'))}"
        ),
    )
    row(
        "cards posted/confirmed",
        lambda f: f"{f.cards_posted}/{f.confirmed} ({f.cards_total} msgs)",
    )
    row("card duplicates/unmatched", lambda f: f"{f.card_duplicates}/{f.cards_unmatched}")
    row("1st Confirm->last card s", lambda f: seconds(f.first_confirm_to_last_card))
    row(
        "/help latency s",
        lambda f: seconds(f.help_latency) if f.help_latency is not None else f.help_state,
    )
    row("error replies to users", lambda f: str(f.error_replies))
    row("429 answers", lambda f: str(f.too_many_requests))
    row("Bot API violations", lambda f: str(f.violations))
    row("log: Tracebacks", lambda f: str(f.log.get("tracebacks", "-")))
    row("log: LockNotOwnedError", lambda f: str(f.log.get("lock_not_owned", "-")))
    row("log: database is locked", lambda f: str(f.log.get("database_locked", "-")))
    row("log: ERROR lines", lambda f: str(f.log.get("error_lines", "-")))
    row(
        "budget hit / wall s", lambda f: f"{'yes' if f.budget_hit else 'no'} / {f.wall_seconds:.0f}"
    )

    label_width = max(len(label) for label, _ in rows)
    widths = [
        max(len(f.backend), *(len(values[i]) for _, values in rows)) for i, f in enumerate(results)
    ]
    header = f"{'':<{label_width}}  " + "  ".join(
        f"{f.backend:>{w}}" for f, w in zip(results, widths, strict=True)
    )
    print(header)
    print("-" * len(header))
    for label, values in rows:
        cells = "  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True))
        print(f"{label:<{label_width}}  {cells}")
    print(f"(p50 by step: {', '.join(STEPS)})")
    for f in results:
        if f.error:
            print(f"{f.backend}: ERROR {f.error}")
            continue
        print(f"{f.backend}: stop: {f.stop}; log: {f.log_path}")
        if f.log.get("exceptions"):
            print(f"{f.backend}: exceptions in log: {f.log['exceptions']}")
        if f.final_texts:
            print(f"{f.backend}: final replies: {f.final_texts}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.burst",
        description="Intro burst against the real `agora run` process, production pacing.",
    )
    parser.add_argument("--users", type=int, default=100, help="newcomers (default 100)")
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    parser.add_argument(
        "--budget",
        type=float,
        default=360.0,
        help="seconds from the first /start until unfinished users count as unfinished "
        "(default 360)",
    )
    parser.add_argument(
        "--card-grace",
        type=float,
        default=10.0,
        help="once every confirmed user has a card, watch the Intros topic until no card came "
        "for this long, to see late duplicates (default 10 s: 2.5x the bot's 4 s group pace)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--log-dir", type=Path, help="where the bot's logs go (default: a new temp dir)"
    )
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    if args.users < 2:
        parser.error("--users: at least 2")
    if "bench" not in urlsplit(args.database_url).path:
        parser.error("--database-url: its database name must contain 'bench' (it is wiped)")
    if urlsplit(args.redis_url).path.strip("/") in ("", "0", "15"):
        parser.error("--redis-url: give a db other than 0 and 15 (it is flushed)")
    return args


async def main_async(args: argparse.Namespace, log_dir: Path) -> list[Figures]:
    # SIGTERM to the bench cancels it like Ctrl-C does, so the bot process is still stopped.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        print(f"{backend}: {args.users} newcomers, budget {args.budget:g} s ...", flush=True)
        figures = await run_backend(backend, args, log_dir)
        results.append(figures)
        state = figures.error or f"{figures.finished}/{figures.users} finished"
        print(f"{backend}: {state} ({figures.wall_seconds:.0f} s)", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log_dir: Path = args.log_dir or Path(tempfile.mkdtemp(prefix="agora-burst-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    for backend in BACKENDS:
        (log_dir / f"bot-{backend}.log").unlink(missing_ok=True)  # the logs of this run only
    try:
        results = asyncio.run(main_async(args, log_dir))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; the bot process was stopped", file=sys.stderr)
        return 130
    print_report(results, args)
    if args.json:
        payload = {
            "users": args.users,
            "budget": args.budget,
            "code": str(REPO_ROOT),
            "pacing": asdict(PacingLimits()),
            "backends": [asdict(f) for f in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 1 if any(f.error for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
