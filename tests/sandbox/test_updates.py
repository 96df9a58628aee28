"""Getting updates: long polling (offset, limit, timeout, allowed_updates, 409) and webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.sandbox import World

POLLER_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


async def test_offset_confirms_earlier_updates(bot: Bot, world: World, no_wait: World) -> None:
    alice = world.user("Alice")
    await alice.send_many(["one", "two", "three"])
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    again = await bot.get_updates()  # nothing confirmed yet: the same updates
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.update_id for u in rest] == [first[1].update_id, first[2].update_id]
    assert world.updates[0].acked
    assert not world.updates[1].acked
    assert await bot.get_updates(offset=first[2].update_id + 1) == []
    assert world.pending == []


async def test_limit_and_negative_offset(bot: Bot, world: World, no_wait: World) -> None:
    alice = world.user("Alice")
    await alice.send_many(["1", "2", "3", "4"])
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == ["1", "2"]
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["4"]


async def test_timeout_waits_for_the_next_update(bot: Bot, world: World, no_wait: World) -> None:
    assert await bot.get_updates(timeout=0) == []
    alice = world.user("Alice")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await world.wait_for(lambda: world.active_polls == 1)
    assert not poll.done()
    await alice.send("wake up")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert world.updates[0].delivered


async def test_allowed_updates_filter_kinds(bot: Bot, world: World, no_wait: World) -> None:
    alice = world.user("Alice")
    await alice.send("hello")
    alice.record.started = True
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]]
    )
    await bot.send_message(alice.id, "press", reply_markup=markup)
    await alice.press("Go")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["go"]
    assert [u.message for u in updates] == [None]
    assert world.updates[0].dropped
    count = len(world.updates)
    await alice.send("not wanted")  # never becomes an update while only callbacks are allowed
    assert len(world.updates) == count
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    await alice.send("default kinds again")
    assert len(world.updates) == count + 1


async def test_chat_member_updates_only_when_asked(bot: Bot, world: World, no_wait: World) -> None:
    group = world.group("Club")
    alice, bob = world.user("Alice"), world.user("Bob")
    await group.join(alice)
    assert [u.kind for u in world.updates] == ["message"]
    await bot.get_updates(
        offset=world.updates[-1].update_id + 1, allowed_updates=["message", "chat_member"]
    )
    await group.join(bob)
    group.remove(bob, banned=True, emit=True)
    group.add(bob, admin=True, emit=True)
    await group.leave(alice)
    updates = await bot.get_updates()
    changes = [
        (u.chat_member.old_chat_member.status, u.chat_member.new_chat_member.status)
        for u in updates
        if u.chat_member
    ]
    assert changes == [
        ("left", "member"),
        ("member", "kicked"),
        ("kicked", "administrator"),
        ("member", "left"),
    ]
    services = [u.message for u in updates if u.message]
    assert [bool(m.new_chat_members) for m in services] == [True, False, True, False]
    assert [bool(m.left_chat_member) for m in services] == [False, True, False, True]


async def test_a_second_poller_terminates_the_first(bot: Bot, world: World, no_wait: World) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await world.wait_for(lambda: world.active_polls == 1)
    second = asyncio.create_task(bot.get_updates(timeout=30))
    with pytest.raises(TelegramConflictError) as caught:
        await first
    assert caught.value.message == POLLER_CONFLICT
    await world.user("Alice").send("for the survivor")
    assert [u.message.text for u in await second if u.message] == ["for the survivor"]


# -- webhooks --------------------------------------------------------------------------------------


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it gets and answers as told."""

    def __init__(self) -> None:
        self.url = ""
        self.got: list[tuple[str | None, dict[str, Any]]] = []
        self.statuses: list[int] = []
        self.reply: dict[str, Any] = {}

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.got.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        status = self.statuses.pop(0) if self.statuses else 200
        if status != 200:
            return web.Response(status=status)
        return web.json_response(self.reply)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_webhook_gets_updates_in_order_with_the_secret(
    bot: Bot, world: World, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token="s3cret-token_1")
    alice = world.user("Alice")
    await alice.send_many(["one", "two", "three"])  # waits until the webhook answered
    assert [body["message"]["text"] for _, body in receiver.got] == ["one", "two", "three"]
    assert {secret for secret, _ in receiver.got} == {"s3cret-token_1"}
    assert all(update.acked for update in world.updates)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)


async def test_no_secret_header_without_a_secret(
    bot: Bot, world: World, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    await world.user("Alice").send("hi")
    assert [secret for secret, _ in receiver.got] == [None]


async def test_webhook_failures_are_retried_and_reported(
    bot: Bot, world: World, receiver: Receiver
) -> None:
    receiver.statuses = [500, 502]
    await bot.set_webhook(receiver.url)
    await world.user("Alice").send("eventually")
    assert [body["message"]["text"] for _, body in receiver.got] == ["eventually"] * 3
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert info.pending_update_count == 0


async def test_webhook_reply_can_call_a_method(bot: Bot, world: World, receiver: Receiver) -> None:
    alice = world.user("Alice")
    receiver.reply = {"method": "sendMessage", "chat_id": alice.id, "text": "pong"}
    await bot.set_webhook(receiver.url)
    reply = await alice.send("/ping")
    assert reply.texts == ["pong"]
    assert world.calls("sendMessage")[0].via_webhook_reply


async def test_get_updates_conflicts_with_a_webhook(
    bot: Bot, world: World, receiver: Receiver, no_wait: World
) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(TelegramConflictError) as caught:
        await bot.get_updates()
    assert caught.value.message == WEBHOOK_CONFLICT
    await bot.delete_webhook()
    assert await bot.get_updates() == []
    assert (await bot.get_webhook_info()).url == ""


async def test_drop_pending_updates(bot: Bot, world: World, no_wait: World) -> None:
    alice = world.user("Alice")
    await alice.send_many(["old", "older"])
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []
    assert all(update.dropped for update in world.updates)


async def test_invalid_webhooks_are_refused(bot: Bot) -> None:
    from aiogram.exceptions import TelegramBadRequest

    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("ftp://example.org/hook")
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook("https://example.org/hook", secret_token="no spaces")
