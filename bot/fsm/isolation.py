"""Per-user events isolation: in-process FIFO locks freed when idle, and Redis locks on a lease."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, DefaultKeyBuilder, KeyBuilder, StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.commands.core import AsyncScript
from redis.exceptions import LockNotOwnedError, RedisError

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 5.0
DEFAULT_RETRY_SLEEP_SECONDS = 0.02


@dataclass(slots=True)
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # tasks holding or waiting for ``lock``


class KeyedLocks(BaseEventIsolation):
    """One FIFO-fair ``asyncio.Lock`` per key, forgotten as soon as nobody holds or awaits it.

    ``asyncio.Lock`` wakes waiters in arrival order, and a newcomer that finds the lock free
    still queues behind a waiter that was woken but has not run yet, so updates of one key run
    in the order they arrived. ``len(locks)`` is the number of keys currently in use.
    """

    def __init__(self) -> None:
        self._slots: dict[Hashable, _Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __bool__(self) -> bool:
        # With __len__, an idle instance would be falsy, and aiogram's Dispatcher takes
        # `events_isolation or DisabledEventIsolation()`: no isolation at all.
        return True

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        # No await between the lookup and the count: the slot cannot vanish in between.
        slot.users += 1
        try:
            async with slot.lock:
                yield
        finally:
            # Runs on normal exit, on an exception in the body and on cancellation while waiting.
            slot.users -= 1
            if slot.users == 0:
                del self._slots[key]

    async def close(self) -> None:
        # Nothing to free: idle keys are already gone, and dropping a held slot would let a
        # second update of that user in.
        return None


@dataclass(slots=True)
class _Lease:
    lock: Lock
    lost: bool = False


@dataclass(frozen=True, slots=True)
class Peek:
    """The user's FSM record as it was when the lock was taken (raw, None when absent)."""

    raw: bytes | None


# Take the lock and, in the same round trip, read the record it guards: the FSM record of the key
# is the first thing every update reads. A Lua `false` (GET of a missing key) comes back as nil.
_ACQUIRE_AND_PEEK = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[2])}
end
return {0, false}
"""


class _PeekingLock(Lock):
    """redis-py's Lock whose acquisition also reads `record` (one command instead of two)."""

    def __init__(
        self, redis: Redis, name: str, record: str, script: AsyncScript, **kwargs: Any
    ) -> None:
        super().__init__(redis, name, **kwargs)
        self.record = record
        self.peek = Peek(None)
        self._script = script

    async def do_acquire(self, token: str | bytes) -> bool:
        assert self.timeout is not None
        acquired, raw = await self._script(
            keys=[self.name, self.record], args=[token, int(self.timeout * 1000)]
        )
        if not acquired:
            return False
        self.peek = Peek(raw)
        return True


class LeasedRedisIsolation(BaseEventIsolation):
    """A Redis lock per key with a short lease that is renewed while the handler runs.

    ``lock(key)`` first queues on an in-process ``KeyedLocks`` (so one process runs a user's
    updates in arrival order and only one of its tasks polls Redis for a key), then takes the
    Redis lock ``key_builder.build(key, "lock")`` with a lease of ``lease_seconds``, retrying every
    ``retry_sleep`` seconds while another process holds it. Every ``lease_seconds / 3`` while the
    handler runs, the lease is reset (a short update never starts the renewal); a killed process
    therefore frees its users within one lease. A lease lost meanwhile (expired or deleted under
    a running handler) is logged once as a warning and never raised into the handler.

    ``lock_and_peek(key)`` also reads the FSM record at ``key_builder.build(key)`` in the round
    trip that takes the lock (bot.fsm.frame starts the update's frame with it).
    """

    def __init__(
        self,
        redis: Redis,
        key_builder: KeyBuilder | None = None,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retry_sleep: float = DEFAULT_RETRY_SLEEP_SECONDS,
    ) -> None:
        if lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be positive, got {lease_seconds}")
        if retry_sleep <= 0:
            raise ValueError(f"retry_sleep must be positive, got {retry_sleep}")
        self.redis = redis
        self.key_builder = key_builder or DefaultKeyBuilder()
        self.lease_seconds = lease_seconds
        self.retry_sleep = retry_sleep
        self._acquire_and_peek = redis.register_script(_ACQUIRE_AND_PEEK)
        self._local = KeyedLocks()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with self._locked(key, peek=False):
            yield

    @asynccontextmanager
    async def lock_and_peek(self, key: StorageKey) -> AsyncGenerator[Peek, None]:
        """`lock(key)`, and the FSM record of `key` read with the lock in one round trip."""
        async with self._locked(key, peek=True) as peek:
            assert peek is not None
            yield peek

    @asynccontextmanager
    async def _locked(self, key: StorageKey, *, peek: bool) -> AsyncGenerator[Peek | None, None]:
        async with self._local.lock(key):
            name = self.key_builder.build(key, "lock")
            options: dict[str, Any] = {
                "timeout": self.lease_seconds,
                "sleep": self.retry_sleep,
                "blocking": True,
                "blocking_timeout": None,
                # The renewal runs in another task: the token must not be task/thread-bound.
                "thread_local": False,
            }
            lock = (
                _PeekingLock(
                    self.redis,
                    name,
                    self.key_builder.build(key),
                    self._acquire_and_peek,
                    **options,
                )
                if peek
                else Lock(self.redis, name, **options)
            )
            lease = _Lease(lock)
            await lock.acquire()
            loop = asyncio.get_running_loop()
            renewal: asyncio.Task[None] | None = None

            def start_renewal() -> None:
                nonlocal renewal
                renewal = loop.create_task(self._renew(lease, name), name=f"lease:{name}")

            timer = loop.call_later(self.lease_seconds / 3, start_renewal)
            try:
                yield lock.peek if isinstance(lock, _PeekingLock) else None
            finally:
                timer.cancel()
                try:
                    if renewal is not None:
                        renewal.cancel()
                        # Wait for it to stop, so nothing outlives the lock; asyncio.wait
                        # neither raises the task's CancelledError nor swallows ours.
                        await asyncio.wait({renewal})
                finally:
                    # Even when we are cancelled meanwhile: a cancelled renewal can no longer
                    # touch the key, and releasing now spares the user a wait for the lease.
                    await self._release(lease, name)

    async def _renew(self, lease: _Lease, name: str) -> None:
        interval = self.lease_seconds / 3
        while True:
            try:
                await lease.lock.reacquire()  # back to the full lease, only if still ours
            except LockNotOwnedError:
                lease.lost = True
                log.warning(
                    "lost the user lock %s: its %.1f s lease expired or the key was removed "
                    "while the handler ran",
                    name,
                    self.lease_seconds,
                )
                return
            except RedisError:
                # A blip: the next tick comes well before the lease ends; if they all fail,
                # the lease runs out and the next renewal reports the loss.
                log.debug("could not renew the user lock %s", name, exc_info=True)
            await asyncio.sleep(interval)

    async def _release(self, lease: _Lease, name: str) -> None:
        try:
            await lease.lock.release()
        except LockNotOwnedError:
            if not lease.lost:
                log.warning(
                    "lost the user lock %s: its %.1f s lease expired or the key was removed "
                    "before the handler finished",
                    name,
                    self.lease_seconds,
                )
        except RedisError:
            # The handler's work is done; the key expires within one lease anyway.
            log.warning("could not release the user lock %s", name, exc_info=True)

    async def close(self) -> None:
        # Held locks belong to running handlers: each cancels its own renewal and releases on
        # exit, so there is nothing to cancel here and no task is left behind.
        await self._local.close()
