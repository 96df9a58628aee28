"""Two bot instances sending at full speed share Telegram's limits through Redis: no 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.app import create_bot
from bot.config import Settings
from bot.sandbox import FakeTelegram, World
from bot.sandbox.limits import Limits
from bot.telegram.pacing import telegram_io

pytestmark = [pytest.mark.redis, pytest.mark.load]


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[World, FakeTelegram]]:
    world = World(limits=Limits())  # Telegram's real limits
    async with FakeTelegram(world) as server:
        yield world, server


async def instance(world: World, server: FakeTelegram, redis_url: str | None) -> Bot:
    settings = Settings(
        _env_file=None,
        bot_api_url=server.base_url,
        redis_url=redis_url,
        database_url="sqlite+aiosqlite:///:memory:",
    )
    return create_bot(settings, token=world.token)  # production pacing


async def send_at_full_speed(bot: Bot, chat_ids: list[int], tag: str) -> None:
    await asyncio.gather(
        *(bot.send_message(chat_id, f"{tag} #{n}") for n, chat_id in enumerate(chat_ids))
    )


async def test_two_instances_together_stay_within_the_limits(
    telegram: tuple[World, FakeTelegram], redis_url: str
) -> None:
    world, server = telegram
    people = [world.user(f"Member{n}") for n in range(40)]
    for person in people:
        person.record.started = True
    one = people[0].id
    # Each instance alone keeps to the limits: 40 chats (the bot's 30 a second) and six
    # messages to one chat (its one a second after a short burst) — but not both together.
    targets = [person.id for person in people] + [one] * 5
    bots = [await instance(world, server, redis_url) for _ in range(2)]
    try:
        await asyncio.gather(
            *(send_at_full_speed(bot, targets, f"bot{n}") for n, bot in enumerate(bots))
        )
    finally:
        for bot in bots:
            io = telegram_io(bot)
            assert io is not None
            await io.close()
            await bot.session.close()
    sent = [r for r in world.calls("sendMessage") if r.ok]
    assert len(sent) == 2 * len(targets)
    limited = [r for r in world.requests if r.error_code == 429]
    assert limited == []
