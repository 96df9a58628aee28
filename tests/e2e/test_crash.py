"""A real `agora run` SIGKILLed right after an update's first request to Telegram.

Whatever the update's reply announced must have been committed before the reply left: after a
restart the user goes on at the step she saw, with every earlier answer kept. With Redis, the
killed process's lock on her leaves within its short lease.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.fsm.factory import USER_LOCK_LEASE_SECONDS
from bot.sandbox import FakeTelegram, UserActor, World
from bot.sandbox.models import RequestRecord
from tests.e2e.conftest import Backend, check_world
from tests.e2e.processes import BotProcess

ABOUT = "I read <b>books</b> & write code."


@pytest.fixture
async def bot_process(backend: Backend, tmp_path: Path) -> AsyncIterator[BotProcess]:
    world = World()
    env = {"DATABASE_URL": backend.database_url}
    if backend.redis_url:
        env["REDIS_URL"] = backend.redis_url
    async with FakeTelegram(world) as server:
        if not backend.database_url.startswith("sqlite"):
            await migrate(backend.database_url)
        process = BotProcess(world, server, tmp_path, **env)
        try:
            yield process
        finally:
            await process.stop()
    assert "Traceback" not in process.logs(), process.logs()[-3000:]
    check_world(world)


async def migrate(url: str) -> None:
    from bot.db.engine import create_engine
    from bot.db.migrate import upgrade

    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def asks_about(entry: RequestRecord) -> bool:
    return entry.method == "sendMessage" and "Tell the community about yourself" in str(
        entry.params.get("text", "")
    )


def last_text(user: UserActor) -> str:
    return (user.messages[-1].text or "") if user.messages else ""


async def test_killed_after_the_next_question_goes_on_at_that_question(
    bot_process: BotProcess, backend: Backend
) -> None:
    world = bot_process.world
    await bot_process.start()
    mia = world.user("Mia", username="mia")
    # A process of its own has no "processed" hook: each step waits for the bot's question.
    await mia.send("/intro")
    await world.wait_for(lambda: "first name" in last_text(mia))
    await mia.send("Mia")
    await world.wait_for(lambda: "What is your last name?" in last_text(mia))

    bot_process.kill_on(asks_about)
    await mia.send("Wallace")
    await bot_process.wait_dead()
    assert "Tell the community about yourself" in mia.last_message.text  # she saw the question

    if backend.redis_url:
        # The dead process held her lock: it goes away by itself within the lease.
        redis = Redis.from_url(backend.redis_url)
        try:
            locks = [key async for key in redis.scan_iter(match=f"*:{mia.id}:*lock")]
            for key in locks:
                assert 0 < await redis.pttl(key) <= USER_LOCK_LEASE_SECONDS * 1000
        finally:
            await redis.aclose()

    await bot_process.start()
    seen = len(mia.messages)
    await mia.send_many([ABOUT, "/help"], same_date=False)
    # The new process may first wait for the dead one's lock to lapse: wait for both answers.
    await world.wait_for(lambda: any("/profile" in (m.text or "") for m in mia.messages[seen:]))
    texts = [m.text or "" for m in mia.messages[seen:]]
    preview = next(i for i, text in enumerate(texts) if "This is how your intro card" in text)
    assert "Mia Wallace" in texts[preview]  # the last name, answered before the crash, is kept
    assert ABOUT in texts[preview]
    helps = [i for i, text in enumerate(texts) if "/profile" in text]
    assert helps[0] > preview  # her two messages were answered in order
    assert not any("at most 30 characters" in text for text in texts)
