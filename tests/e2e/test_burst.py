"""100 newcomers finish their introduction at once, at Telegram's pace.

Private replies go at once (paced per chat and globally, as Telegram does); the 100 intro cards
queue in the outbox and go out at the group's pace. A private /help sent while the group is
backlogged is answered without waiting for it. Telegram's private and global limits are the
real ones; the group's is three times Telegram's 20 a minute (the 100 cards would take five
minutes otherwise), still far below the rate at which the confirmations arrive, so a backlog
builds up exactly as it would in production. Meanwhile every job of the app runs on its usual
schedule (outbox sender, voting deadlines, purges): on SQLite none of them, and no update, may
meet "database is locked".
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.outbox import service as outbox_rows
from bot.sandbox import GroupActor, UserActor, World
from bot.sandbox.harness import Sandbox
from bot.sandbox.limits import Limits, Rate
from bot.telegram.pacing import PacingLimits
from tests.e2e.conftest import Backend, check_world

pytestmark = pytest.mark.load

USERS = 100
GROUP_SPEED = 3  # the group's limit, as a multiple of Telegram's 20 messages a minute
ABOUT = "I like <b>books</b> & code."


@pytest.fixture
async def crowd(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[Sandbox, GroupActor, list[UserActor]]]:
    caplog.set_level(logging.WARNING)
    world = World(
        limits=Limits(
            private_chat=Rate(capacity=4, refill=1, per=1),
            group_chat=Rate(capacity=20, refill=20, per=60 / GROUP_SPEED),
            overall=Rate(capacity=30, refill=30, per=1),
        )
    )
    group = world.group("Agora Community", forum=True)
    people = [world.user(f"Newcomer{n}", username=f"newcomer{n}") for n in range(USERS)]
    for person in people:
        group.add(person)
    intros = group.topic("Intros")
    pacing = PacingLimits(
        chat_rate=1.0,
        chat_burst=3,
        group_rate=15 / 60 * GROUP_SPEED,
        group_burst=5,
        global_rate=28.0,
        global_burst=10,
    )
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        pacing=pacing,
        settle_outbox=False,  # a reply must not wait for the group's cards
        community_chat_id=group.id,
        intro_topic_id=intros,
    ) as box:
        await box.start()
        yield box, group, people
        check_world(world)
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "database is locked" not in messages
    assert "LockNotOwnedError" not in messages
    assert "lost the user lock" not in messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], messages[-3000:]


async def introduce(person: UserActor, confirmed: list[UserActor]) -> None:
    await person.send("/start")
    await person.send(person.name)
    await person.send("Tester")
    await person.send(ABOUT)
    await person.press("✅ Confirm")
    confirmed.append(person)


async def test_a_hundred_intros_at_once(
    crowd: tuple[Sandbox, GroupActor, list[UserActor]],
) -> None:
    box, group, people = crowd
    world = box.world
    assert box.app is not None
    app = box.app
    confirmed: list[UserActor] = []
    burst = asyncio.gather(*(introduce(person, confirmed) for person in people))

    # Halfway through, with cards waiting for the group's pace, a private /help.
    async def backlog() -> int:
        async with app.session_factory() as session:
            return (await outbox_rows.depth(session)).pending

    # Confirmations come faster than the group's pace: wait until cards queue up.
    while not burst.done() and (len(confirmed) < USERS // 3 or await backlog() < 5):
        await world.requests_pulse.wait(1.0)
    assert not burst.done(), "the burst ended before any backlog formed"
    bystander = world.user("Bystander")
    help_reply = await bystander.send("/help")
    cards_when_helped = len(group.messages)
    waiting_when_helped = await backlog()
    assert "/profile" in help_reply.last.text
    # The group was still busy when the private chat got its answer.
    assert waiting_when_helped > 0
    assert cards_when_helped < USERS

    await burst
    for person in people:
        assert "your intro will appear in the community" in person.last_message.text

    await app.sender.wait_settled()
    names = Counter(name for m in group.messages for name in [m.text.split(" ", 1)[0]] if name)
    assert names == Counter({person.name: 1 for person in people})  # each card exactly once
