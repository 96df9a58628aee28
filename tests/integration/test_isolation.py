"""Per-user events isolation: KeyedLocks (embedded default) and LeasedRedisIsolation (Redis).

No case measures time: a wait fails only when nothing happens for ``PATIENCE`` seconds, and the
short sleeps below only give a broken lock a chance to show itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import cast

import pytest
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.engine import create_engine
from bot.fsm.factory import USER_LOCK_LEASE_SECONDS, build_fsm
from bot.fsm.isolation import KeyedLocks, LeasedRedisIsolation
from bot.fsm.sql import default_key_builder

KEY = StorageKey(bot_id=42, chat_id=-1001, user_id=7)
OTHER = StorageKey(bot_id=42, chat_id=-1001, user_id=8)
LOCK_NAME = "fsm:42:-1001:7:default:lock"
LEASE = 1.5  # short, so that the cases below outlive it; renewed every 0.5 s, so only a
# stall of the event loop over a second (not a busy machine) could cost a lease
PATIENCE = 30.0  # a wait fails only after this long without progress
LOGGER = "bot.fsm.isolation"
ROOT = Path(__file__).resolve().parents[2]


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    async def poll() -> None:
        while True:
            result = condition()
            if result if isinstance(result, bool) else await result:
                return
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), PATIENCE)
    except TimeoutError:
        pytest.fail(f"nothing happened for {PATIENCE} s: {what}")


async def settle() -> None:
    """Let every ready task run until it blocks (a few loop turns, no clock)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def queue_in_order(
    isolation: BaseEventIsolation, key: StorageKey, count: int, order: list[int]
) -> list[asyncio.Task[None]]:
    """Start ``count`` updates of ``key`` one after another; each records its number on entry."""

    async def update(i: int) -> None:
        async with isolation.lock(key):
            order.append(i)
            await asyncio.sleep(0)  # give a later update the chance to barge in

    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(update(i)))
        await settle()  # update i is queued before update i + 1 arrives
    return tasks


async def assert_exclusive(isolations: list[BaseEventIsolation], per_isolation: int) -> None:
    """Run a burst of one key's updates through ``isolations``: never two at once, all run."""
    active, peak, done = 0, 0, 0

    async def update(isolation: BaseEventIsolation) -> None:
        nonlocal active, peak, done
        async with isolation.lock(KEY):
            active += 1
            peak = max(peak, active)
            for _ in range(3):
                await asyncio.sleep(0.002)  # real waits, so the other side polls meanwhile
            active -= 1
            done += 1

    await asyncio.gather(*(update(iso) for iso in isolations for _ in range(per_isolation)))
    assert done == len(isolations) * per_isolation
    assert peak == 1


# -- KeyedLocks ------------------------------------------------------------------------------


async def test_keyed_locks_never_run_two_updates_of_a_key_at_once() -> None:
    locks = KeyedLocks()
    release = asyncio.Event()
    entered: list[str] = []

    async def first() -> None:
        async with locks.lock(KEY):
            entered.append("first")
            await release.wait()

    async def second() -> None:
        async with locks.lock(KEY):
            entered.append("second")

    tasks = [asyncio.create_task(first())]
    await settle()
    tasks.append(asyncio.create_task(second()))
    await settle()
    assert entered == ["first"]
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), PATIENCE)
    assert entered == ["first", "second"]
    await assert_exclusive([locks], per_isolation=20)


async def test_keyed_locks_serve_waiters_in_arrival_order() -> None:
    locks = KeyedLocks()
    release = asyncio.Event()
    order: list[int] = []
    late: list[asyncio.Task[None]] = []

    async def holder() -> None:
        async with locks.lock(KEY):
            await release.wait()
            # This update arrives in the very turn the key becomes free, before the first
            # waiter has woken up: it must still queue behind all of them.
            late.append(asyncio.create_task(newcomer()))

    async def newcomer() -> None:
        async with locks.lock(KEY):
            order.append(20)

    first = asyncio.create_task(holder())
    await settle()
    waiters = await queue_in_order(locks, KEY, 20, order)
    assert order == []
    release.set()
    await asyncio.wait_for(asyncio.gather(first, *waiters), PATIENCE)
    await asyncio.wait_for(asyncio.gather(*late), PATIENCE)
    assert order == list(range(21))


async def test_keyed_locks_run_different_keys_in_parallel() -> None:
    locks = KeyedLocks()
    inside: set[StorageKey] = set()

    async def update(key: StorageKey) -> None:
        async with locks.lock(key):
            inside.add(key)
            # Each waits for the other to be inside too: a lock shared by both keys deadlocks.
            await wait_until(lambda: len(inside) == 2, "both keys inside their locks at once")

    await asyncio.gather(update(KEY), update(OTHER))
    assert len(locks) == 0


async def test_keyed_locks_forget_idle_keys_after_success_error_and_cancellation() -> None:
    locks = KeyedLocks()
    await assert_exclusive([locks], per_isolation=5)
    for i in range(100):
        async with locks.lock(StorageKey(bot_id=1, chat_id=i, user_id=i)):
            assert len(locks) == 1
    assert len(locks) == 0

    async def failing_update() -> None:
        async with locks.lock(KEY):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing_update()
    assert len(locks) == 0

    # A holder cancelled in its body, and a waiter cancelled while it waits.
    holding = asyncio.Event()

    async def hold() -> None:
        async with locks.lock(KEY):
            holding.set()
            await asyncio.Event().wait()

    async def wait() -> None:
        async with locks.lock(KEY):
            pytest.fail("the waiter was cancelled before its turn")

    holder = asyncio.create_task(hold())
    await asyncio.wait_for(holding.wait(), PATIENCE)
    waiter = asyncio.create_task(wait())
    await settle()
    assert len(locks) == 1
    waiter.cancel()
    await asyncio.wait({waiter})
    assert len(locks) == 1, "the holder still has it"
    holder.cancel()
    await asyncio.wait({holder})
    assert holder.cancelled()
    assert waiter.cancelled()
    assert len(locks) == 0


# -- LeasedRedisIsolation --------------------------------------------------------------------


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as opened:
        yield opened


@pytest.fixture
async def inspect(redis_url: str, stack: AsyncExitStack) -> Redis:
    """A client of the test's own, to look at and tamper with the lock keys."""
    client = Redis.from_url(redis_url, decode_responses=True)
    stack.push_async_callback(client.aclose)
    return client


@pytest.fixture
def make_isolation(
    redis_url: str, stack: AsyncExitStack
) -> Callable[[float], LeasedRedisIsolation]:
    """A new "process": an isolation over a Redis client of its own."""

    def make(lease_seconds: float = LEASE) -> LeasedRedisIsolation:
        client = Redis.from_url(redis_url)
        stack.push_async_callback(client.aclose)
        isolation = LeasedRedisIsolation(
            client, key_builder=default_key_builder(), lease_seconds=lease_seconds
        )
        stack.push_async_callback(isolation.close)
        return isolation

    return make


def isolation_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING
    ]


@pytest.mark.redis
async def test_leased_lock_excludes_across_processes(
    make_isolation: Callable[[float], LeasedRedisIsolation], inspect: Redis
) -> None:
    a, b = make_isolation(LEASE), make_isolation(LEASE)
    release = asyncio.Event()
    entered: list[str] = []

    async def update(isolation: LeasedRedisIsolation, name: str) -> None:
        async with isolation.lock(KEY):
            entered.append(name)
            await release.wait()

    first = asyncio.create_task(update(a, "a"))
    await wait_until(lambda: entered == ["a"], "a enters the free key")
    assert await inspect.exists(LOCK_NAME) == 1
    second = asyncio.create_task(update(b, "b"))
    await asyncio.sleep(3 * LEASE)  # b polls Redis meanwhile, and a's lease is renewed
    assert entered == ["a"]
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), PATIENCE)
    assert entered == ["a", "b"]
    assert await inspect.exists(LOCK_NAME) == 0

    await assert_exclusive([a, b], per_isolation=10)


@pytest.mark.redis
async def test_leased_lock_keeps_arrival_order_within_a_process(
    make_isolation: Callable[[float], LeasedRedisIsolation],
) -> None:
    isolation = make_isolation(LEASE)
    release = asyncio.Event()
    holding = asyncio.Event()
    order: list[int] = []

    async def holder() -> None:
        async with isolation.lock(KEY):
            holding.set()
            await release.wait()

    first = asyncio.create_task(holder())
    await asyncio.wait_for(holding.wait(), PATIENCE)
    waiters = await queue_in_order(isolation, KEY, 20, order)
    release.set()
    await asyncio.wait_for(asyncio.gather(first, *waiters), PATIENCE)
    assert order == list(range(20))


@pytest.mark.redis
async def test_leased_lock_is_renewed_while_a_long_handler_runs(
    make_isolation: Callable[[float], LeasedRedisIsolation],
    inspect: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a, b = make_isolation(LEASE), make_isolation(LEASE)
    events: list[str] = []
    stolen: list[bool] = []

    async def long_update() -> None:
        async with a.lock(KEY):
            events.append("a starts")
            # Three leases long; a non-blocking attempt by another process fails every time.
            for _ in range(18):
                await asyncio.sleep(LEASE / 6)
                # px=1: should it succeed, the thief's key is gone at once and b is not held up.
                stolen.append(bool(await inspect.set(LOCK_NAME, "thief", nx=True, px=1)))
            events.append("a ends")

    async def next_update() -> None:
        async with b.lock(KEY):
            events.append("b starts")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        first = asyncio.create_task(long_update())
        await wait_until(lambda: events == ["a starts"], "a enters the free key")
        second = asyncio.create_task(next_update())
        await asyncio.wait_for(asyncio.gather(first, second), PATIENCE)

    assert stolen == [False] * 18
    assert events == ["a starts", "a ends", "b starts"]
    assert isolation_warnings(caplog) == []
    assert await inspect.exists(LOCK_NAME) == 0


@pytest.mark.redis
async def test_leased_lock_leaves_no_task_behind(
    make_isolation: Callable[[float], LeasedRedisIsolation],
) -> None:
    isolation = make_isolation(LEASE)
    me = asyncio.current_task()
    async with isolation.lock(KEY):
        assert asyncio.all_tasks() == {me}, "a short update starts no renewal"
        await asyncio.sleep(LEASE / 2)
        assert len(asyncio.all_tasks() - {me}) == 1, "the renewal runs while the lock is held"
    assert asyncio.all_tasks() == {me}

    async def failing_update() -> None:
        async with isolation.lock(KEY):
            await asyncio.sleep(LEASE)  # a renewal or two happen
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing_update()
    assert asyncio.all_tasks() == {me}


CHILD = """
import asyncio, sys

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.fsm.isolation import LeasedRedisIsolation
from bot.fsm.sql import default_key_builder


async def main() -> None:
    isolation = LeasedRedisIsolation(
        Redis.from_url(sys.argv[1]), default_key_builder(), lease_seconds=float(sys.argv[2])
    )
    async with isolation.lock(StorageKey(bot_id=42, chat_id=-1001, user_id=7)):
        print("locked", flush=True)
        await asyncio.sleep(3600)


asyncio.run(main())
"""


@pytest.mark.redis
async def test_a_killed_process_frees_its_users_within_the_lease(
    redis_url: str,
    make_isolation: Callable[[float], LeasedRedisIsolation],
    inspect: Redis,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        redis_url,
        str(LEASE),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), PATIENCE)
        assert line == b"locked\n"
        # While it lives, it keeps the lock past its lease.
        await asyncio.sleep(3 * LEASE)
        assert await inspect.exists(LOCK_NAME) == 1
    finally:
        child.kill()  # SIGKILL: no finally, no release
        await child.wait()

    pttl = await inspect.pttl(LOCK_NAME)
    assert pttl == -2 or 0 < pttl <= LEASE * 1000, f"the dead holder's key lives {pttl} ms"

    entered = asyncio.Event()

    async def next_update() -> None:
        async with make_isolation(LEASE).lock(KEY):
            entered.set()

    await asyncio.wait_for(next_update(), PATIENCE)
    assert entered.is_set()


@pytest.mark.redis
async def test_a_crashed_holder_key_is_taken_over_after_it_expires(
    make_isolation: Callable[[float], LeasedRedisIsolation], inspect: Redis
) -> None:
    # What a process killed right after SET NX leaves behind: its token, with the lease as expiry.
    await inspect.set(LOCK_NAME, "dead-process-token", px=int(LEASE * 1000))
    assert 0 < await inspect.pttl(LOCK_NAME) <= LEASE * 1000
    isolation = make_isolation(LEASE)

    async def next_update() -> str | None:
        async with isolation.lock(KEY):
            return cast(str | None, await inspect.get(LOCK_NAME))

    token = await asyncio.wait_for(next_update(), PATIENCE)
    assert token not in {None, "dead-process-token"}


@pytest.mark.redis
@pytest.mark.parametrize("noticed_by", ["release", "renewal"])
async def test_a_lost_lease_logs_one_warning_and_does_not_raise(
    noticed_by: str,
    make_isolation: Callable[[float], LeasedRedisIsolation],
    inspect: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    isolation = make_isolation(LEASE)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        async with isolation.lock(KEY):
            assert await inspect.delete(LOCK_NAME) == 1  # from under the running handler
            if noticed_by == "renewal":
                await wait_until(lambda: bool(isolation_warnings(caplog)), "a renewal notices")
            # And someone else takes the free key meanwhile: releasing must not delete it.
            await inspect.set(LOCK_NAME, "other-process-token", px=60_000)
    warnings = isolation_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert LOCK_NAME in warnings[0]
    assert await inspect.get(LOCK_NAME) == "other-process-token"


# -- build_fsm wires them in -----------------------------------------------------------------


@pytest.mark.redis
async def test_build_fsm_uses_the_leased_lock_on_redis(redis_url: str, inspect: Redis) -> None:
    default = build_fsm(redis_url, async_sessionmaker(), 3600)
    try:
        assert isinstance(default.events_isolation, LeasedRedisIsolation)
        assert default.events_isolation.lease_seconds == USER_LOCK_LEASE_SECONDS
    finally:
        await default.close()

    bundle = build_fsm(redis_url, async_sessionmaker(), 3600, lock_lease_seconds=LEASE)
    try:
        async with bundle.events_isolation.lock(KEY):
            assert 0 < await inspect.pttl(LOCK_NAME) <= LEASE * 1000
        assert await inspect.exists(LOCK_NAME) == 0
    finally:
        await bundle.close()


async def test_build_fsm_uses_keyed_locks_without_redis(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        bundle = build_fsm(None, async_sessionmaker(engine), 3600)
        assert isinstance(bundle.events_isolation, KeyedLocks)
        await bundle.close()
    finally:
        await engine.dispose()
