"""The outbox across crashes: a post is never lost, and never sent twice once Telegram's answer
was recorded. The one window for a duplicate is a crash between Telegram's answer and its
recording (the Bot API has no idempotency key); it is shown here so it stays known.

The apps here take no updates and run no job loop: each test drives the senders itself, as
two processes (or one process before and after a crash) would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App, create_app
from bot.db.base import utcnow
from bot.outbox import sender as outbox
from bot.outbox import service
from bot.outbox.models import PENDING, SENT, OutboxMessage
from bot.outbox.sender import OutboxSender
from bot.outbox.service import Claimed
from bot.sandbox.harness import TEST_SPEED, Sandbox
from tests.e2e.conftest import Backend, check_world


@pytest.fixture
async def box(backend: Backend) -> AsyncIterator[Sandbox]:
    async with Sandbox(
        database_url=backend.database_url, redis_url=backend.redis_url, speed=TEST_SPEED
    ) as sandbox:
        yield sandbox
        check_world(sandbox.world)


@pytest.fixture
async def app(box: Sandbox) -> AsyncIterator[App]:
    application = await create_app(
        box.settings(), token=box.world.token, pacing=box.pacing, migrate=True
    )
    try:
        yield application
    finally:
        await application.close()


async def queue_post(app: App, chat_id: int, text: str) -> int:
    async with app.session_factory() as session, session.begin():
        await outbox.post(session, chat_id, text)
    async with app.session_factory() as session:
        return int(await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())))


async def deliver_all(sender: OutboxSender) -> None:
    """Rounds until nothing is due or in flight (each round waits for its deliveries)."""
    for _ in range(50):
        await sender.run_round()
        await sender.drain()
        if await sender.settled():
            return
    raise AssertionError("the outbox did not drain")


async def row(app: App, row_id: int) -> OutboxMessage:
    async with app.session_factory() as session:
        found = await session.get(OutboxMessage, row_id)
        assert found is not None
        return found


async def test_a_sender_that_dies_after_claiming_loses_nothing(box: Sandbox, app: App) -> None:
    group = box.world.group("Club")
    row_id = await queue_post(app, group.id, "Hello, club")
    # Another process claimed the row and died before sending: its lease runs out.
    async with app.session_factory() as session, session.begin():
        [claimed] = await service.claim(session, [row_id], utcnow(), timedelta(0))
    assert claimed.attempts == 1
    assert group.messages == []

    await deliver_all(app.sender)
    assert [m.text for m in group.messages] == ["Hello, club"]
    recorded = await row(app, row_id)
    assert recorded.status == SENT
    assert recorded.message_id == group.messages[0].message_id


async def test_a_claimed_row_is_left_alone_while_its_lease_runs(box: Sandbox, app: App) -> None:
    group = box.world.group("Club")
    row_id = await queue_post(app, group.id, "Hello, club")
    async with app.session_factory() as session, session.begin():
        await service.claim(session, [row_id], utcnow(), timedelta(minutes=5))
    assert await app.sender.run_round() == 0  # another sender is on it
    assert group.messages == []
    assert (await row(app, row_id)).status == PENDING


class DiesBeforeRecording(OutboxSender):
    """Sends, then crashes before Telegram's answer is written down (its lease is zero)."""

    async def _deliver_and_record(self, row: Claimed) -> None:
        await self._perform(row)
        raise RuntimeError("killed between the send and its record")


async def test_the_one_duplicate_window_and_never_after_recording(
    box: Sandbox, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    group = box.world.group("Club")
    row_id = await queue_post(app, group.id, "Hello, club")
    crashing = DiesBeforeRecording(app.bot, app.session_factory, lease=timedelta(0))
    await crashing.run_round()
    await crashing.drain()
    assert [m.text for m in group.messages] == ["Hello, club"]
    assert (await row(app, row_id)).status == PENDING  # Telegram's answer was never recorded

    # The documented window: the row is sent again once the dead sender's lease is over.
    await deliver_all(app.sender)
    assert [m.text for m in group.messages] == ["Hello, club", "Hello, club"]
    assert (await row(app, row_id)).status == SENT

    # Recorded: no sender sends it again, however often it looks.
    other = OutboxSender(app.bot, app.session_factory)
    for sender in (app.sender, other, app.sender):
        assert await sender.run_round() == 0
    assert len(group.messages) == 2


async def test_rows_of_one_chat_go_in_order_and_edits_coalesce(box: Sandbox, app: App) -> None:
    group = box.world.group("Club")
    async with app.session_factory() as session, session.begin():
        await outbox.post(session, group.id, "first", key="card:1")
        for count in range(1, 6):
            await outbox.edit(session, group.id, f"first, {count} votes", key="card:1")
        await outbox.post(session, group.id, "second")
    await deliver_all(app.sender)
    # The waiting post took the newest text; the edits never had a message to edit.
    assert [m.text for m in group.messages] == ["first, 5 votes", "second"]
    assert box.world.calls("editMessageText") == []
    async with app.session_factory() as session:
        assert (await service.depth(session)).pending == 0
