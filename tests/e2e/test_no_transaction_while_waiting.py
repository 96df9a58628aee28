"""No transaction is open while Telegram is asked anything: in handlers and in jobs alike.

Every database transaction is tracked by the task that opened it (engine events), and a
middleware on the bot's session, where requests start waiting for their pace, checks at each
request that the task making it has none open. Whole flows run under this check, on both
backends: an intro with its published card, a profile, a vote with its live card, its deadline
and its result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.methods import TelegramMethod
from sqlalchemy import event

from bot.telegram.pacing import TelegramIO
from tests.e2e.conftest import Community


class Tracker(BaseRequestMiddleware):
    """Which task began each open transaction; a request from such a task is a violation."""

    def __init__(self) -> None:
        self.open: dict[int, asyncio.Task[Any] | None] = {}
        self.began_count = 0
        self.violations: list[str] = []

    def began(self, conn: object) -> None:
        self.open[id(conn)] = asyncio.current_task()
        self.began_count += 1

    def ended(self, conn: object) -> None:
        self.open.pop(id(conn), None)

    async def __call__(self, make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        task = asyncio.current_task()
        if task in self.open.values():
            self.violations.append(f"{type(method).__name__} in {task.get_name() if task else '?'}")
        return await make_request(bot, method)


@pytest.fixture
def tracker(community: Community) -> Iterator[Tracker]:
    tracker = Tracker()
    engine = community.app.engine.sync_engine
    event.listen(engine, "begin", tracker.began)
    event.listen(engine, "commit", tracker.ended)
    event.listen(engine, "rollback", tracker.ended)
    # Right after CommitBeforeRequest: where the request starts waiting for its pace.
    chain = community.app.bot.session.middleware._middlewares
    chain.insert(next(i for i, m in enumerate(chain) if isinstance(m, TelegramIO)), tracker)
    yield tracker
    event.remove(engine, "begin", tracker.began)
    event.remove(engine, "commit", tracker.ended)
    event.remove(engine, "rollback", tracker.ended)


async def test_flows_hold_no_transaction_during_a_request(
    community: Community, tracker: Tracker
) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("Mia")
    await mia.send("Wallace")
    await mia.send("I write code.")
    await mia.press("✅ Confirm")
    assert community.group.messages_in(community.topics["Intros"])  # the card went out
    await mia.send("/profile")

    group = community.group
    card = (await community.moderator.say_in(group, '/create_session "Lunch" 1')).post
    await mia.press("Join", message=card)
    community.clock.advance(timedelta(minutes=1))
    for name in ("voting-live-cards", "voting-join-windows"):
        await community.app.jobs.run_once(name)
    proposal = (await mia.say_in(group, '/propose "Pizza" 1')).post
    await mia.press("Yes", message=proposal)
    community.clock.advance(timedelta(minutes=1))
    for name in ("voting-live-cards", "voting-proposal-deadlines"):
        await community.app.jobs.run_once(name)
    await community.app.sender.wait_settled()
    assert any("Result:" in (m.text or "") for m in group.messages)

    requests = [r for r in community.world.requests if r.method != "getUpdates"]
    assert len(requests) > 20
    assert tracker.began_count > 20  # the tracking saw the transactions
    assert tracker.violations == []
