"""The HTTP protocol itself: strict spec checks, encodings, tokens, commands, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    MenuButtonCommands,
)

from bot.sandbox import FakeTelegram, Limits, ManualClock, World
from tests.sandbox.conftest import assert_answers_follow_the_spec


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(
    http: aiohttp.ClientSession, server: FakeTelegram, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{server.base_url}/bot{server.world.token}/{method}"
    async with http.post(url, **kwargs) as resp:
        return resp.status, await resp.json()


async def test_strict_mode_refuses_and_records_unknown_parameters(
    server: FakeTelegram, world: World, http: aiohttp.ClientSession
) -> None:
    status, body = await post(http, server, "getMe", data={"colour": "red"})
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": 'Bad Request: unknown parameter "colour"',
    }
    assert [str(v) for v in world.violations] == ['getMe: unknown parameter "colour"']


async def test_strict_mode_checks_types_and_required_fields(
    server: FakeTelegram, world: World, http: aiohttp.ClientSession
) -> None:
    alice = world.user("Alice")
    alice.record.started = True
    status, body = await post(
        http,
        server,
        "sendMessage",
        data={"chat_id": str(alice.id), "text": "x", "protect_content": "maybe"},
    )
    assert status == 400
    assert body["description"] == (
        "Bad Request: parameter \"protect_content\" must be Boolean, got 'maybe'"
    )
    status, body = await post(http, server, "sendMessage", json={"chat_id": alice.id, "text": 5})
    assert status == 200  # Telegram reads a number as text
    assert body["result"]["text"] == "5"
    status, body = await post(
        http, server, "sendMessage", json={"chat_id": alice.id, "text": "x", "reply_markup": [1]}
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: reply_markup must be")
    status, body = await post(http, server, "getChat", json={})
    assert body["description"] == "Bad Request: chat_id is empty"
    assert len(world.violations) == 3
    assert alice.messages[-1].text == "5"


async def test_unknown_and_unimplemented_methods_are_404(
    server: FakeTelegram, world: World, bot: Bot, http: aiohttp.ClientSession
) -> None:
    status, body = await post(http, server, "makeCoffee")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    with pytest.raises(TelegramNotFound):
        await bot.send_dice(1)
    assert [str(v) for v in world.violations] == [
        "makeCoffee: unknown method makeCoffee",
        "sendDice: sendDice is in the Bot API but the sandbox does not implement it",
    ]


async def test_method_names_are_case_insensitive_and_get_works(
    server: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    url = f"{server.base_url}/bot{server.world.token}/GETME"
    async with http.get(url) as resp:
        body = await resp.json()
    assert body["ok"] is True
    assert body["result"]["username"] == "agora_test_bot"


async def test_wrong_token_is_unauthorized(
    server: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{server.base_url}/bot123:nope/getMe") as resp:
        assert resp.status == 401
        assert (await resp.json())["description"] == "Unauthorized"


async def test_lenient_mode_accepts_what_telegram_would(
    clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    world = World(strict=False, limits=Limits.off(), clock=clock)
    alice = world.user("Alice")
    alice.record.started = True
    async with FakeTelegram(world) as server:
        status, body = await post(
            http,
            server,
            "sendMessage",
            data={"chat_id": str(alice.id), "text": "hi", "reply_to_message_id": "7"},
        )
        status_404, _ = await post(http, server, "sendDice", data={"chat_id": str(alice.id)})
    assert status == 200
    assert body["result"]["text"] == "hi"
    assert status_404 == 404
    assert world.violations == []


async def test_request_log(bot: Bot, world: World, clock: ManualClock) -> None:
    await bot.get_me()
    clock.advance(2)
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1, "x")
    first, second = world.requests
    assert (first.method, first.ok, first.error_code) == ("getMe", True, None)
    assert (second.method, second.ok, second.error_code) == ("sendMessage", False, 400)
    assert second.description == "Bad Request: chat not found"
    assert second.params == {"chat_id": 1, "text": "x"}
    assert second.time - first.time == 2
    assert world.calls("sendmessage") == [second]


async def test_commands_per_scope_and_language(bot: Bot, world: World) -> None:
    group = world.group("Club")
    everyone = [BotCommand(command="start", description="Start")]
    russian = [BotCommand(command="start", description="Начать")]
    in_groups = [BotCommand(command="propose", description="Propose a topic")]
    club = [BotCommand(command="vote", description="Vote")]
    await bot.set_my_commands(everyone)
    await bot.set_my_commands(russian, language_code="ru")
    await bot.set_my_commands(in_groups, scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(club, scope=BotCommandScopeChat(chat_id=group.id))

    async def listed(**kwargs: Any) -> list[tuple[str, str]]:
        return [(c.command, c.description) for c in await bot.get_my_commands(**kwargs)]

    assert await listed() == [("start", "Start")]
    assert await listed(language_code="ru") == [("start", "Начать")]
    assert await listed(scope=BotCommandScopeAllGroupChats()) == [("propose", "Propose a topic")]
    assert await listed(language_code="en") == []
    assert world.commands_for() == [("start", "Start")]
    assert world.commands_for({"type": "chat", "chat_id": group.id}) == [("vote", "Vote")]
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert await listed(scope=BotCommandScopeAllGroupChats()) == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button()).type == "commands"
    await bot.set_my_description("A community bot")
    assert (await bot.get_my_description()).description == "A community bot"
    assert (await bot.get_my_name()).name == "Agora"


# -- rate limits -----------------------------------------------------------------------------------


@pytest.fixture
def limited(clock: ManualClock) -> Iterator[World]:
    world = World(limits=Limits(), clock=clock)
    yield world
    assert_answers_follow_the_spec(world)


@pytest.fixture
async def limited_bot(limited: World) -> AsyncIterator[Bot]:
    async with FakeTelegram(limited) as server:
        instance = server.bot()
        yield instance
        await instance.session.close()


async def test_429_per_private_chat(limited: World, limited_bot: Bot, clock: ManualClock) -> None:
    alice, bob = limited.user("Alice"), limited.user("Bob")
    alice.record.started = bob.record.started = True
    for _ in range(4):
        await limited_bot.send_message(alice.id, "x")
    with pytest.raises(TelegramRetryAfter) as caught:
        await limited_bot.send_message(alice.id, "x")
    assert caught.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in caught.value.message
    await limited_bot.send_message(bob.id, "another chat is fine")
    clock.advance(1)
    await limited_bot.send_message(alice.id, "x")
    assert len(alice.messages) == 5


async def test_edits_spend_the_same_tokens(
    limited: World, limited_bot: Bot, clock: ManualClock
) -> None:
    alice = limited.user("Alice")
    alice.record.started = True
    sent = await limited_bot.send_message(alice.id, "v0")
    for n in range(1, 4):
        await limited_bot.edit_message_text(
            text=f"v{n}", chat_id=alice.id, message_id=sent.message_id
        )
    with pytest.raises(TelegramRetryAfter):
        await limited_bot.edit_message_text(text="v4", chat_id=alice.id, message_id=sent.message_id)
    assert alice.last_message.text == "v3"


async def test_429_per_group(limited: World, limited_bot: Bot, clock: ManualClock) -> None:
    group = limited.group("Club")
    for _ in range(20):
        await limited_bot.send_message(group.id, "x")
        clock.advance(0.05)  # keep the overall bucket out of the way
    with pytest.raises(TelegramRetryAfter) as caught:
        await limited_bot.send_message(group.id, "x")
    assert caught.value.retry_after == 2  # 20 per minute: one every 3 s, 1 s already passed
    clock.advance(2)
    await limited_bot.send_message(group.id, "x")


async def test_429_overall(limited: World, limited_bot: Bot, clock: ManualClock) -> None:
    users = [limited.user(f"U{i}") for i in range(31)]
    for user in users:
        user.record.started = True
    for user in users[:30]:
        await limited_bot.send_message(user.id, "x")
    with pytest.raises(TelegramRetryAfter) as caught:
        await limited_bot.send_message(users[30].id, "x")
    assert caught.value.retry_after == 1
    clock.advance(1 / 30)
    await limited_bot.send_message(users[30].id, "x")


async def test_429_body_has_retry_after_parameter(
    limited: World, limited_bot: Bot, http: aiohttp.ClientSession
) -> None:
    alice = limited.user("Alice")
    alice.record.started = True
    url = limited_bot.session.api.api_url(limited.token, "sendMessage")
    bodies = []
    for _ in range(5):
        async with http.post(url, data={"chat_id": str(alice.id), "text": "x"}) as resp:
            bodies.append((resp.status, await resp.json()))
    assert bodies[-1] == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )


async def test_refused_requests_spend_no_tokens(limited: World, limited_bot: Bot) -> None:
    alice = limited.user("Alice")
    alice.record.started = True
    for _ in range(10):
        with pytest.raises(TelegramBadRequest):
            await limited_bot.send_message(alice.id, "<b>", parse_mode="HTML")
    for _ in range(4):
        await limited_bot.send_message(alice.id, "x")
