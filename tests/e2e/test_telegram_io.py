"""Telegram I/O against the fake server: 429 and retry_after, blocked users, long texts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramForbiddenError
from sqlalchemy import select

from bot.features.core.models import User
from bot.sandbox.harness import REAL_SPEED, Sandbox
from bot.telegram.pacing import PacingLimits
from bot.telegram.text import send_long


@pytest.fixture
async def unpaced(sqlite_url: str) -> AsyncIterator[Sandbox]:
    """The bot without its pacer, against Telegram's real limits: the server will say 429."""
    async with Sandbox(database_url=sqlite_url, speed=REAL_SPEED, pacing=PacingLimits.off()) as box:
        await box.start()
        yield box
        box.world.assert_no_violations()


async def test_retry_after_is_obeyed_and_nothing_is_lost(unpaced: Sandbox) -> None:
    alice = unpaced.world.user("Alice")
    await alice.send("/start")
    assert unpaced.app is not None
    bot = unpaced.app.bot
    await asyncio.gather(*(bot.send_message(alice.id, f"news {i}") for i in range(6)))
    texts = [m.text for m in alice.messages if m.text and m.text.startswith("news")]
    assert sorted(texts) == [f"news {i}" for i in range(6)]
    refused = [r for r in unpaced.world.requests if r.error_code == 429]
    assert refused, "the server did answer 429 (else this test proves nothing)"


async def test_the_pacer_keeps_the_bot_under_the_limits(sqlite_url: str) -> None:
    async with Sandbox(database_url=sqlite_url, speed=REAL_SPEED) as box:
        await box.start()
        alice = box.world.user("Alice")
        await alice.send("/start")
        assert box.app is not None
        bot = box.app.bot
        await asyncio.gather(*(bot.send_message(alice.id, f"news {i}") for i in range(6)))
        assert [r for r in box.world.requests if r.error_code == 429] == []
        assert len([m for m in alice.messages if (m.text or "").startswith("news")]) == 6


async def test_a_user_who_blocked_the_bot_is_marked(unpaced: Sandbox) -> None:
    alice = unpaced.world.user("Alice")
    await alice.send("/start")
    alice.block_bot(emit=False)
    assert unpaced.app is not None
    with pytest.raises(TelegramForbiddenError):
        await unpaced.app.bot.send_message(alice.id, "are you there?")
    assert await is_blocked(unpaced, alice.id) is True
    await alice.send("/start")  # writing again unblocks
    assert await is_blocked(unpaced, alice.id) is False


async def test_a_block_found_mid_update_is_recorded_after_it(sandbox: Sandbox) -> None:
    """The mark is written after the update's transaction (on SQLite it holds the write lock)."""
    alice, bob = sandbox.world.user("Alice"), sandbox.world.user("Bob")
    await bob.send("/start")
    bob.block_bot(emit=False)
    reply = await alice.send(f"/poke {bob.id}")
    assert reply.last.text == "They blocked me."
    assert await is_blocked(sandbox, bob.id) is True


async def test_blocking_and_restarting_the_bot_is_recorded(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/start")
    world = sandbox.world
    alice.block_bot()  # Telegram tells the bot with a my_chat_member update
    await world.settle([world.updates[-1]])
    assert await is_blocked(sandbox, alice.id) is True
    alice.unblock_bot()  # "Restart" in the client
    await world.settle([world.updates[-1]])
    assert await is_blocked(sandbox, alice.id) is False


async def test_long_text_is_split_and_accepted(unpaced: Sandbox) -> None:
    alice = unpaced.world.user("Alice")
    await alice.send("/start")
    assert unpaced.app is not None
    paragraph = "<b>Bold &amp; long</b> " + "word " * 300
    text = "\n\n".join([paragraph] * 8)  # 8 paragraphs of ~1,512 visible characters
    sent = await send_long(unpaced.app.bot, alice.id, text)
    assert len(sent) == 4  # cut at paragraph boundaries: two paragraphs per message
    assert all(len(m.text or "") <= 4096 for m in sent)
    assert all(m.text and m.text.startswith("Bold & long") for m in sent)


async def is_blocked(box: Sandbox, user_id: int) -> bool:
    assert box.app is not None
    async with box.app.session_factory() as session:
        return bool(await session.scalar(select(User.is_blocked).where(User.id == user_id)))
