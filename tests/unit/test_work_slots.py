"""Work slots: an update waiting for Telegram (its pace, a request in flight) holds none."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod

from bot.telegram.pacing import PacingLimits, TelegramIO
from bot.telegram.slots import WorkSlots, stepped_aside

BOT = cast(Bot, object())
# Nothing here waits on the clock: this only bounds a hang (a slot never given back).
NO_PROGRESS = 60


class Telegram:
    """A make_request whose answers the test releases one by one."""

    def __init__(self) -> None:
        self.arrived: asyncio.Queue[TelegramMethod[Any]] = asyncio.Queue()
        self.release = asyncio.Event()

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        await self.arrived.put(method)
        await self.release.wait()
        return True


async def test_an_update_waiting_for_its_pace_holds_no_slot() -> None:
    slots = WorkSlots(1)
    paced = asyncio.Event()

    async def sleep(delay: float) -> None:  # the pace: held until the test lets it go
        paced.set()
        await asyncio.Event().wait()

    io = TelegramIO(PacingLimits(chat_rate=1, chat_burst=1), sleep=sleep)
    telegram = Telegram()
    telegram.release.set()

    async def chatty() -> None:  # the second message to one chat waits for its pace
        async with slots.hold():
            await io(telegram, BOT, SendMessage(chat_id=1, text="one"))
            await io(telegram, BOT, SendMessage(chat_id=1, text="two"))

    waiting = asyncio.create_task(chatty())
    await asyncio.wait_for(paced.wait(), NO_PROGRESS)
    assert slots.in_use == 0

    async def other() -> str:  # another update gets the only slot meanwhile
        async with slots.hold():
            return "worked"

    assert await asyncio.wait_for(other(), NO_PROGRESS) == "worked"
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert slots.in_use == 0


async def test_a_request_in_flight_holds_no_slot_and_the_slot_comes_back() -> None:
    slots = WorkSlots(1)
    telegram = Telegram()
    io = TelegramIO(PacingLimits.off())
    after: list[int] = []

    async def update() -> None:
        async with slots.hold():
            await io(telegram, BOT, AnswerCallbackQuery(callback_query_id="1"))
            after.append(slots.in_use)  # working again: it holds a slot

    first = asyncio.create_task(update())
    await asyncio.wait_for(telegram.arrived.get(), NO_PROGRESS)
    assert slots.in_use == 0
    second = asyncio.create_task(update())
    await asyncio.wait_for(telegram.arrived.get(), NO_PROGRESS)  # it worked up to its request
    telegram.release.set()
    await asyncio.wait_for(asyncio.gather(first, second), NO_PROGRESS)
    assert after == [1, 1]
    assert slots.in_use == 0


async def test_an_update_cancelled_while_stepped_aside_takes_no_slot_back() -> None:
    slots = WorkSlots(1)
    inside = asyncio.Event()

    async def update() -> None:
        async with slots.hold(), stepped_aside():
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(update())
    await asyncio.wait_for(inside.wait(), NO_PROGRESS)
    async with slots.hold():  # the slot is taken: the update cannot take it back
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert slots.in_use == 1
    assert slots.in_use == 0
    # Both slots free again: one limit's worth can be held.
    async with slots.hold():
        assert slots.in_use == 1


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        WorkSlots(0)
