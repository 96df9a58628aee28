"""Concurrency slots are for work, not for waiting.

At most `limit` updates do work at once (`WorkSlots`, held by `WorkSlotMiddleware` from the
moment an update has its user's lock until it ends). An update gives its slot back while it
waits for Telegram (`stepped_aside`, used by the outgoing-request middleware around the pace
and the request itself) and takes one again when the answer is in, so a thousand replies
queued on Telegram's global pace hold no slot, and a group's vote presses or a private /help
behind them are handled at once. Updates waiting for their user's lock hold no slot either:
the middleware runs inside the lock.

aiogram's own `tasks_concurrency_limit` (polling) stays, higher, as a bound on how many
updates are taken from Telegram before they are handled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject


class _Slot:
    """The slot of one update: whether it holds it right now."""

    __slots__ = ("held", "slots")

    def __init__(self, slots: WorkSlots) -> None:
        self.slots = slots
        self.held = False


_current: ContextVar[_Slot | None] = ContextVar("agora_work_slot", default=None)


class WorkSlots:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be >= 1")
        self.limit = limit
        self._free = asyncio.Semaphore(limit)
        self._in_use = 0

    @property
    def in_use(self) -> int:
        """How many updates hold a slot now (waiting ones hold none)."""
        return self._in_use

    async def _take(self, slot: _Slot) -> None:
        await self._free.acquire()
        slot.held = True
        self._in_use += 1

    def _give(self, slot: _Slot) -> None:
        if slot.held:
            slot.held = False
            self._in_use -= 1
            self._free.release()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Hold a slot for the block (given back meanwhile by `stepped_aside`)."""
        slot = _Slot(self)
        await self._take(slot)
        token = _current.set(slot)
        try:
            yield
        finally:
            _current.reset(token)
            self._give(slot)


@asynccontextmanager
async def stepped_aside() -> AsyncIterator[None]:
    """Give the current update's slot back while the block waits (on Telegram), take one again
    after it. Outside an update (jobs, the outbox sender) it does nothing."""
    slot = _current.get()
    if slot is None or not slot.held:
        yield
        return
    slot.slots._give(slot)
    try:
        yield
    except asyncio.CancelledError:
        raise  # the update is going down: it takes no slot back (nor gives one twice)
    except BaseException:
        await slot.slots._take(slot)  # the rest of the update (its error answer) is work
        raise
    await slot.slots._take(slot)  # cancelled while waiting for it: nothing held, nothing given


class WorkSlotMiddleware(BaseMiddleware):
    """An update holds a work slot while it runs (inside its user's lock)."""

    def __init__(self, slots: WorkSlots) -> None:
        self.slots = slots

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.slots.hold():
            return await handler(event, data)
