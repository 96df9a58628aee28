"""Restarts, crashes mid-update and bursts: conversations continue and nothing is skipped."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.sandbox.harness import Sandbox
from tests.e2e.conftest import check_world
from tests.e2e.flows import GATE, PROBE, TEST_FEATURES


async def state_of(sandbox: Sandbox, user_id: int) -> tuple[str | None, dict[str, object]]:
    assert sandbox.app is not None
    key = StorageKey(bot_id=sandbox.app.bot.id, chat_id=user_id, user_id=user_id)
    storage = sandbox.app.fsm.storage
    return await storage.get_state(key), await storage.get_data(key)


@pytest.mark.parametrize("graceful", [True, False], ids=["graceful", "abrupt"])
async def test_a_flow_continues_after_a_restart(sandbox: Sandbox, graceful: bool) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/survey")
    await alice.send("Alice")
    colour_prompt = alice.last_message
    await sandbox.restart(graceful=graceful)  # new Bot, Dispatcher, engine over the same data
    state, data = await state_of(sandbox, alice.id)
    assert state == "Survey:waiting_for_colour"
    assert data["name"] == "Alice"
    card = await alice.press("Blue", message=colour_prompt)
    assert card.last.text == "Name: Alice\nColour: blue"
    done = await alice.press("Confirm")
    assert done.last.text == "Saved: Alice likes blue."


async def test_a_crash_mid_update_loses_only_that_update(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/survey")
    gate = GATE[0]
    slow = asyncio.create_task(alice.send("slow"))
    await gate.entered.wait()
    await sandbox.stop(graceful=False)  # the handler is cancelled where it waits
    await slow
    await sandbox.start()
    state, _ = await state_of(sandbox, alice.id)
    assert state == "Survey:waiting_for_name", "the flow is where it was before the lost update"
    reply = await alice.send("Alice")
    assert alice.last_message.text == "Pick a colour:", reply.texts


async def test_a_graceful_stop_lets_the_running_update_finish(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/survey")
    gate = GATE[0]
    slow = asyncio.create_task(alice.send("slow"))
    await gate.entered.wait()
    stopping = asyncio.create_task(sandbox.stop(graceful=True))
    await asyncio.sleep(0.05)
    assert not stopping.done(), "the stop waits for the update in flight"
    gate.release.set()
    await stopping
    await slow
    assert alice.last_message.text == "Pick a colour:"
    await sandbox.start()
    state, data = await state_of(sandbox, alice.id)
    assert (state, data["name"]) == ("Survey:waiting_for_colour", "slow")


async def test_one_users_burst_is_handled_one_update_at_a_time(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/count")
    await asyncio.gather(*(alice.send(f"n{i}") for i in range(200)))
    _, data = await state_of(sandbox, alice.id)
    assert data["n"] == 200, "no update's step was lost"
    assert sorted(data["seen"]) == sorted(f"n{i}" for i in range(200))  # type: ignore[arg-type]
    assert PROBE["max_active"] == 1
    reply = await alice.send("/done")
    assert reply.last.text == "Counted 200."


@pytest.mark.postgres
@pytest.mark.redis
async def test_500_users_at_once_with_redis(pg_url: str, redis_url: str) -> None:
    async with Sandbox(database_url=pg_url, redis_url=redis_url, features=TEST_FEATURES) as box:
        await box.start()
        users = [box.world.user(f"User{i}") for i in range(500)]
        replies = await asyncio.gather(*(user.send("/survey") for user in users))
        assert all(reply.last.text == "What is your name?" for reply in replies)
        states = await asyncio.gather(*(state_of(box, user.id) for user in users))
        assert {state for state, _ in states} == {"Survey:waiting_for_name"}
        check_world(box.world)
