"""Update-processing benchmark: the production Dispatcher against a bare aiogram one.

N users each go through a scripted conversation (/start, /survey, a name, a colour button,
Confirm, /help). Their updates are fed the way polling feeds them: one task per update, at most
`--concurrency` at once, users interleaved, and a user's next update only after the previous
one was handled. Two variants, both with FSM storage and isolation in Redis and a Bot whose
session answers every call in memory (no network I/O):

  A  `create_app()`: AgoraDispatcher, DB session and user middlewares over PostgreSQL, guards,
     the core routers, TelegramIO (pacing off) on the bot session.
  B  `Dispatcher(storage=RedisStorage, events_isolation=RedisEventIsolation)` with the same
     handler functions and no middleware at all.

    python -m bench.updates            # 200 users, defaults
    python -m bench.updates --help

It drops and recreates the schema of the PostgreSQL database `agora_bench` and flushes Redis
db 14 at the start of each variant. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import logging
import os
import platform
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

if not __package__:  # run as `python bench/updates.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # type: ignore[import-untyped]
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ParseMode
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, LinkPreviewOptions, Update
from redis.asyncio import BlockingConnectionPool, Redis

from bench.flows import BENCH_FEATURES, COLOURS, ColourCb, ConfirmCb, build_bare_router
from bot.app import MAX_WORKING_UPDATES, create_app
from bot.config import Settings
from bot.fsm.sql import default_key_builder
from bot.i18n import get_translator
from bot.telegram.access import Access
from bot.telegram.commands import CommandRegistry
from bot.telegram.pacing import PacingLimits

DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/agora_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
TOKEN = "7000000001:AAbenchbenchbenchbenchbenchbenchbe"
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Agora",
    "username": "agora_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
FIRST_USER_ID = 100_000_001
WARMUP_USER_OFFSET = 50_000_000
STEPS = ("start", "survey", "name", "colour", "confirm", "help")
FIRST_NAMES = ("Anna", "Boris", "Chloé", "Dmitri", "Eve", "Farid", "Greta", "Hiro", "Inés", "Jon")

log = logging.getLogger("bench")


class BenchError(Exception):
    """A conversation the script cannot play (e.g. a button step with no buttons to press)."""


# --- a Telegram that answers from memory -------------------------------------------------------


class FakeTelegramSession(BaseSession):
    """A Bot session that answers every call at once, with no I/O.

    Requests are prepared as the aiohttp session prepares its form (`prepare_value` per field),
    and answers are JSON text parsed by `check_response` (`Response[method.__returning__]`), as
    a real answer is. It keeps each chat's messages, so edits of a missing message or edits
    that change nothing fail as on Telegram, and the driver can press a prompt's buttons.
    """

    def __init__(self, bot_user: dict[str, Any]) -> None:
        super().__init__()
        self.bot_user = bot_user
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        # chat id -> id of the last message that has inline buttons (the flow's live prompt)
        self.prompts: dict[int, int] = {}
        self.calls: Counter[str] = Counter()
        self.failed_calls: Counter[str] = Counter()
        self.saved = 0  # "Saved: …" messages: one per finished survey
        self._last_id: dict[int, int] = {}

    def next_message_id(self, chat_id: int) -> int:
        """Message ids of a private chat are one sequence for the user's and the bot's."""
        self._last_id[chat_id] = message_id = self._last_id.get(chat_id, 0) + 1
        return message_id

    def prompt_of(self, chat_id: int) -> dict[str, Any] | None:
        message_id = self.prompts.get(chat_id)
        return None if message_id is None else self.messages[(chat_id, message_id)]

    async def close(self) -> None:
        pass

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the benchmark downloads nothing")
        yield b""  # an async generator, as the base class declares

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                params[key] = prepared
        name = method.__api_method__
        self.calls[name] += 1
        status, body = self._answer(name, params)
        if status != 200:
            self.failed_calls[name] += 1
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=self.json_dumps(body)
        )
        return cast(TelegramType, response.result)

    # The "server" side: params are strings, as Telegram receives them in a form.

    def _answer(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if name == "sendMessage":
            return self._ok(self._send(params))
        if name == "editMessageText":
            return self._edit(params, text=params["text"])
        if name == "editMessageReplyMarkup":
            return self._edit(params, text=None)
        if name == "deleteMessage":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if self.messages.pop(key, None) is None:
                return self._error("Bad Request: message to delete not found")
            return self._ok(True)
        if name in {"answerCallbackQuery", "setMyCommands", "deleteWebhook"}:
            return self._ok(True)
        if name == "getMe":
            return self._ok(self.bot_user)
        if name == "getChatAdministrators":
            return self._ok([])
        return self._error(f"Bad Request: {name} is not faked by the benchmark")

    def _send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self.chats.get(chat_id) or {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "text": params["text"],
        }
        self._set_markup(chat_id, message, params.get("reply_markup"))
        self.messages[(chat_id, message["message_id"])] = message
        if params["text"].startswith("Saved:"):
            self.saved += 1
        return message

    def _edit(self, params: dict[str, Any], *, text: str | None) -> tuple[int, dict[str, Any]]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = self.messages.get((chat_id, message_id))
        if message is None:
            return self._error("Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        old_markup = message.get("reply_markup")
        new_markup = json.loads(markup) if markup else None
        if (text is None or text == message["text"]) and new_markup == old_markup:
            return self._error(
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message"
            )
        if text is not None:
            message["text"] = text
        message["edit_date"] = int(time.time())
        self._set_markup(chat_id, message, markup)
        return self._ok(message)

    def _set_markup(self, chat_id: int, message: dict[str, Any], markup: str | None) -> None:
        parsed = json.loads(markup) if markup else None
        if parsed and parsed.get("inline_keyboard"):
            message["reply_markup"] = parsed
            self.prompts[chat_id] = message["message_id"]
            return
        message.pop("reply_markup", None)
        if self.prompts.get(chat_id) == message["message_id"]:
            del self.prompts[chat_id]

    @staticmethod
    def _ok(result: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _error(description: str) -> tuple[int, dict[str, Any]]:
        return 400, {"ok": False, "error_code": 400, "description": description}


def bench_bot(session: FakeTelegramSession) -> Bot:
    """A Bot with production's defaults (HTML, no link previews) over the fake session."""
    return Bot(
        TOKEN,
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )


# --- the users and their updates ---------------------------------------------------------------


@dataclass(frozen=True)
class BenchUser:
    id: int
    first_name: str
    username: str

    def as_user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "username": self.username,
            "language_code": "en",
        }

    def as_chat(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "private",
            "first_name": self.first_name,
            "username": self.username,
        }


def make_users(count: int, first_id: int) -> list[BenchUser]:
    return [
        BenchUser(
            id=first_id + index,
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            username=f"bench_user_{first_id + index}",
        )
        for index in range(count)
    ]


class UpdateFactory:
    """Raw updates as Telegram sends them, parsed with the bot in context (as polling does)."""

    def __init__(self, bot: Bot, session: FakeTelegramSession, rng: random.Random) -> None:
        self.bot = bot
        self.session = session
        self.rng = rng
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    def register(self, user: BenchUser) -> None:
        self.session.chats[user.id] = user.as_chat()

    def step(self, user: BenchUser, step: str) -> Update:
        if step == "start":
            return self.message(user, "/start")
        if step == "survey":
            return self.message(user, "/survey")
        if step == "name":
            return self.message(user, f"{user.first_name} {user.id % 1000}")
        if step == "colour":
            return self.press(user, ColourCb(colour=self.rng.choice(COLOURS)).pack())
        if step == "confirm":
            return self.press(user, ConfirmCb().pack())
        if step == "help":
            return self.message(user, "/help")
        raise ValueError(f"unknown step {step!r}")

    def message(self, user: BenchUser, text: str) -> Update:
        payload: dict[str, Any] = {
            "message_id": self.session.next_message_id(user.id),
            "from": user.as_user(),
            "chat": user.as_chat(),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update({"message": payload})

    def press(self, user: BenchUser, data: str) -> Update:
        prompt = self.session.prompt_of(user.id)
        if prompt is None:
            raise BenchError(
                f"user {user.id} has no message with buttons to press: check --steps "
                "(a button step comes after survey/name)"
            )
        callback = {
            "id": f"{user.id}-{next(self._callback_ids)}",
            "from": user.as_user(),
            "message": prompt,
            "chat_instance": str(-user.id),
            "data": data,
        }
        return self._update({"callback_query": callback})

    def _update(self, body: dict[str, Any]) -> Update:
        payload = {"update_id": next(self._update_ids), **body}
        return Update.model_validate(payload, context={"bot": self.bot})


# --- feeding updates as polling does -----------------------------------------------------------


class ErrorCounter(logging.Handler):
    """Errors logged while the benchmark runs (Agora's error handler logs, aiogram too)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = record.getMessage()


@dataclass
class Round:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of this process (the event loop) meanwhile
    raised: int = 0
    unhandled: int = 0

    @property
    def updates(self) -> int:
        return len(self.latencies)


@dataclass
class Variant:
    name: str
    title: str
    bot: Bot
    dispatcher: Dispatcher
    session: FakeTelegramSession
    close: Callable[[], Awaitable[None]]


async def play(
    variant: Variant,
    factory: UpdateFactory,
    users: Sequence[BenchUser],
    steps: Sequence[str],
    *,
    rounds: int,
    concurrency: int,
    rng: random.Random,
) -> Round:
    """Every user goes through `steps` `rounds` times; returns the latencies and wall time."""
    result = Round()
    semaphore = asyncio.Semaphore(concurrency)
    dispatcher, bot = variant.dispatcher, variant.bot

    async def handle(update: Update) -> None:
        # One task per update, as `start_polling(..., tasks_concurrency_limit=...)` runs it.
        started = time.perf_counter()
        try:
            response = await dispatcher.feed_update(bot, update)
            if response is UNHANDLED:
                result.unhandled += 1
        except Exception:
            result.raised += 1
            log.debug("update %s raised", update.update_id, exc_info=True)
        finally:
            result.latencies.append(time.perf_counter() - started)
            semaphore.release()

    async def converse(user: BenchUser) -> None:
        for step in itertools.chain.from_iterable(itertools.repeat(steps, rounds)):
            update = factory.step(user, step)
            await semaphore.acquire()
            # A real user waits for the answer before the next tap.
            await asyncio.create_task(handle(update))

    order = list(users)
    rng.shuffle(order)
    for user in order:
        factory.register(user)
    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(converse(user) for user in order))
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu_started
    return result


# --- the two variants --------------------------------------------------------------------------


def asyncpg_dsns(database_url: str) -> tuple[str, str, str]:
    """(the database's DSN, its name, the DSN of the `postgres` database) for asyncpg."""
    parts = urlsplit(database_url.replace("+asyncpg", ""))
    return parts.geturl(), parts.path.lstrip("/"), parts._replace(path="/postgres").geturl()


async def reset_services(database_url: str, redis_url: str) -> None:
    """Create the bench database if needed, empty its schema, flush the bench Redis db."""
    dsn, dbname, admin_dsn = asyncpg_dsns(database_url)
    admin = await asyncpg.connect(admin_dsn)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await admin.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


async def variant_a(database_url: str, redis_url: str) -> Variant:
    """Production: `create_app` with PostgreSQL and Redis; only the HTTP session is swapped."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=redis_url,
        bot_token=TOKEN,
    )
    app = await create_app(
        settings, features=BENCH_FEATURES, token=TOKEN, pacing=PacingLimits.off(), migrate=True
    )
    session = FakeTelegramSession(BOT_USER)
    # Keep the production request middlewares (TelegramIO) in front of the fake session.
    session.middleware = app.bot.session.middleware
    await app.bot.session.close()
    app.bot.session = session
    await app.dispatcher.emit_startup(bot=app.bot)  # publishes the menus, starts the jobs
    app.ready.set()

    async def close() -> None:
        await app.dispatcher.emit_shutdown(bot=app.bot)
        await app.close()

    return Variant("A", "create_app (PG+Redis)", app.bot, app.dispatcher, session, close)


async def variant_b(redis_url: str) -> Variant:
    """Bare aiogram: Redis storage and isolation, the same handlers, no middleware."""
    session = FakeTelegramSession(BOT_USER)
    bot = bench_bot(session)
    # The same Redis set-up as production (bot.fsm.factory): blocking pool, keys, TTLs, lock.
    pool = BlockingConnectionPool.from_url(redis_url, max_connections=512, timeout=20.0)
    redis = Redis(connection_pool=pool)
    key_builder = default_key_builder()
    ttl = Settings.model_fields["fsm_ttl_seconds"].default
    storage = RedisStorage(redis, key_builder=key_builder, state_ttl=ttl, data_ttl=ttl)
    isolation = RedisEventIsolation(
        redis, key_builder=key_builder, lock_kwargs={"timeout": 60, "sleep": 0.05}
    )
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    dispatcher.include_router(build_bare_router())
    dispatcher.workflow_data.update(
        t=get_translator("en"),
        access=Access(bot, admin_ids=(), community_chat_id=None),
        registry=CommandRegistry.of(feature.commands for feature in BENCH_FEATURES),
    )
    await dispatcher.emit_startup(bot=bot)

    async def close() -> None:
        await dispatcher.emit_shutdown(bot=bot)  # closes the storage, the isolation, the pool
        await bot.session.close()

    return Variant("B", "bare aiogram (Redis)", bot, dispatcher, session, close)


# --- running and reporting ---------------------------------------------------------------------


@dataclass
class Outcome:
    variant: Variant
    measured: Round
    errors: int
    first_error: str | None
    expected_saved: int | None
    saved: int
    calls: Counter[str]
    failed_calls: Counter[str]


async def run_variant(name: str, args: argparse.Namespace) -> Outcome:
    await reset_services(args.database_url, args.redis_url)
    variant = await (
        variant_a(args.database_url, args.redis_url) if name == "A" else variant_b(args.redis_url)
    )
    rng = random.Random(args.seed)
    factory = UpdateFactory(variant.bot, variant.session, rng)
    users = make_users(args.users, FIRST_USER_ID)
    warmup_users = (
        make_users(args.users, FIRST_USER_ID + WARMUP_USER_OFFSET) if args.fresh_users else users
    )
    errors = ErrorCounter()
    root = logging.getLogger()
    try:
        await play(
            variant,
            factory,
            warmup_users,
            args.steps,
            rounds=1,
            concurrency=args.concurrency,
            rng=rng,
        )
        saved_before = variant.session.saved
        calls_before = Counter(variant.session.calls)
        failed_before = Counter(variant.session.failed_calls)
        root.addHandler(errors)
        profiler = cProfile.Profile() if args.profile == name else None
        if profiler is not None:
            profiler.enable()
        measured = await play(
            variant,
            factory,
            users,
            args.steps,
            rounds=args.rounds,
            concurrency=args.concurrency,
            rng=rng,
        )
        if profiler is not None:
            profiler.disable()
            print(f"\n--- cProfile of variant {name}, measured round (top 30 by own time) ---")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        root.removeHandler(errors)
        await variant.close()
    # Only the full conversation has a known outcome: one saved survey per conversation.
    full = tuple(args.steps) == STEPS
    return Outcome(
        variant=variant,
        measured=measured,
        errors=errors.count,
        first_error=errors.first,
        expected_saved=len(users) * args.rounds if full else None,
        saved=variant.session.saved - saved_before,
        calls=variant.session.calls - calls_before,
        failed_calls=variant.session.failed_calls - failed_before,
    )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


async def server_versions(database_url: str, redis_url: str) -> tuple[str, str]:
    conn = await asyncpg.connect(asyncpg_dsns(database_url)[2])
    try:
        postgres = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    redis = Redis.from_url(redis_url)
    try:
        info = await redis.info("server")
    finally:
        await redis.aclose()
    return postgres.split()[0], str(info.get("redis_version", "?"))


def print_environment(postgres: str, redis_server: str) -> None:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cpus = f"{os.cpu_count()}" + (f" ({affinity} usable)" if affinity else "")
    loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, CPUs: {cpus}, event loop: {loop}"
    )
    print(
        f"aiogram {version('aiogram')}, SQLAlchemy {version('sqlalchemy')}, "
        f"redis-py {version('redis')} (hiredis {version('hiredis')}), "
        f"asyncpg {version('asyncpg')}, pydantic {version('pydantic')}"
    )
    print(f"PostgreSQL server {postgres}, Redis server {redis_server}")


def print_report(outcomes: Sequence[Outcome], args: argparse.Namespace) -> None:
    print(
        f"\n{args.users} users x {args.rounds} round(s) of {','.join(args.steps)}; "
        f"concurrency {args.concurrency}; warm-up: 1 round "
        f"({'other users' if args.fresh_users else 'same users'})"
    )
    header = (
        f"{'variant':<26} {'updates':>7} {'seconds':>8} {'updates/s':>10} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'cpu %':>6} {'failed':>6}"
    )
    print(header)
    print("-" * len(header))
    figures: dict[str, tuple[float, float]] = {}
    for outcome in outcomes:
        m = outcome.measured
        rate = m.updates / m.seconds if m.seconds else 0.0
        p50, p99 = percentile(m.latencies, 50) * 1000, percentile(m.latencies, 99) * 1000
        figures[outcome.variant.name] = (rate, p50)
        failed = m.raised + outcome.errors
        cpu = 100 * m.cpu_seconds / m.seconds if m.seconds else 0.0
        label = f"{outcome.variant.name}  {outcome.variant.title}"
        print(
            f"{label:<26} {m.updates:>7} {m.seconds:>8.2f} {rate:>10.0f} "
            f"{p50:>8.2f} {p99:>8.2f} {cpu:>6.0f} {failed:>6}"
        )
    if "A" in figures and "B" in figures:
        (rate_a, p50_a), (rate_b, p50_b) = figures["A"], figures["B"]
        print(
            f"A/B: throughput {rate_a / rate_b:.2f}x, p50 latency {p50_a / p50_b:.2f}x "
            f"(B is {rate_b / rate_a:.1f}x the throughput of A)"
        )
    print()
    for outcome in outcomes:
        m, name = outcome.measured, outcome.variant.name
        calls = ", ".join(f"{method} {count}" for method, count in sorted(outcome.calls.items()))
        print(f"{name}: Bot API calls: {calls}")
        problems = []
        if outcome.expected_saved is not None and outcome.saved != outcome.expected_saved:
            problems.append(f"{outcome.saved} surveys saved, {outcome.expected_saved} expected")
        if m.unhandled:
            problems.append(f"{m.unhandled} updates not handled")
        if m.raised or outcome.errors:
            problems.append(f"{m.raised} raised, {outcome.errors} errors logged")
            if outcome.first_error:
                problems.append(f"first: {outcome.first_error}")
        if outcome.failed_calls:
            problems.append(f"failed calls: {dict(outcome.failed_calls)}")
        print(f"{name}: check: " + ("; ".join(problems) if problems else "ok"))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.updates", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--users", type=int, default=200, help="users (default 200)")
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"each user's conversation, comma-separated from {', '.join(STEPS)} "
        f"(default: all, in that order)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="conversations per user, measured (default 3)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=MAX_WORKING_UPDATES,
        help=f"updates handled at once (default {MAX_WORKING_UPDATES}, as in production)",
    )
    parser.add_argument("--variants", default="A,B", help="A, B or A,B (default)")
    parser.add_argument(
        "--fresh-users",
        action="store_true",
        help="warm up with other users, so the measured users are new to the database",
    )
    parser.add_argument("--profile", choices=("A", "B"), help="cProfile that variant's round")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    args.steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = [step for step in args.steps if step not in STEPS]
    if unknown or not args.steps:
        parser.error(f"--steps: unknown {unknown}; choose from {', '.join(STEPS)}")
    args.variants = [v.strip().upper() for v in args.variants.split(",") if v.strip()]
    if not args.variants or any(v not in {"A", "B"} for v in args.variants):
        parser.error("--variants: A, B or A,B")
    if args.users < 1 or args.rounds < 1 or args.concurrency < 1:
        parser.error("--users, --rounds and --concurrency must be at least 1")
    # The run drops the database's schema and flushes the Redis db: never the tests' ones.
    if "bench" not in asyncpg_dsns(args.database_url)[1]:
        parser.error("--database-url: its schema is dropped, so its name must contain 'bench'")
    if urlsplit(args.redis_url).path.strip("/") in {"", "0", "15"}:
        parser.error("--redis-url: it is flushed; use a db of its own (not 0 or 15, the tests')")
    return args


async def main_async(args: argparse.Namespace) -> None:
    postgres, redis_server = await server_versions(args.database_url, args.redis_url)
    print_environment(postgres, redis_server)
    outcomes = [await run_variant(name, args) for name in args.variants]
    print_report(outcomes, args)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(main_async(parse_args(argv)))
    except BenchError as exc:
        sys.exit(f"bench.updates: {exc}")


if __name__ == "__main__":
    main()
