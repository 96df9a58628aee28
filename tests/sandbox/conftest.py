"""Fixtures for testing the sandbox itself: a world with a manual clock, its server, a real Bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import TelegramObject, Update

from bot.sandbox import FakeTelegram, Limits, ManualClock, World


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def world(clock: ManualClock) -> Iterator[World]:
    """Strict, rate limits off (test_rate_limits.py turns them on).

    After the test, every successful result and every update must match the published types.
    """
    instance = World(limits=Limits.off(), clock=clock)
    yield instance
    assert_answers_follow_the_spec(instance)


def assert_answers_follow_the_spec(world: World) -> None:
    problems: list[str] = []
    for entry in world.requests:
        method = world.spec.methods.get(entry.method)
        if entry.ok and method is not None:
            problem = world.spec.check_any(entry.result, method.returns, entry.method, True)
            if problem:
                problems.append(problem)
    for update in world.updates:
        problem = world.spec.check(update.payload, "Update", "update", True)
        if problem:
            problems.append(problem)
    assert not problems, problems


@pytest.fixture
def no_wait(world: World) -> World:
    """Users' actions return at once (no bot is running to process their updates)."""

    async def processed(update_id: int) -> None:
        return None

    world.processed_waiter = processed
    return world


@pytest.fixture
async def server(world: World) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(world) as running:
        yield running


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    instance = server.bot()
    yield instance
    await instance.session.close()


class ProcessedTracker:
    """An outer middleware that knows which updates a Dispatcher finished: the processed hook."""

    def __init__(self) -> None:
        self.done: set[int] = set()
        self._changed = asyncio.Event()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        finally:
            assert isinstance(event, Update)
            self.done.add(event.update_id)
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait(self, update_id: int) -> None:
        while update_id not in self.done:
            await self._changed.wait()


async def run_polling(dp: Dispatcher, bot: Bot, world: World) -> asyncio.Task[None]:
    """Start polling in the background and return once the first getUpdates arrived."""
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    await world.wait_for(lambda: world.active_polls > 0 or task.done())
    return task


async def stop_polling(dp: Dispatcher, task: asyncio.Task[None]) -> None:
    if not task.done():
        await dp.stop_polling()
    await task
