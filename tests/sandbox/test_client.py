"""End to end: a real aiogram Dispatcher polling the fake server, driven by the test client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command
from aiogram.methods import SendMessage
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.sandbox import FakeTelegram, SandboxEvent, SandboxTimeout, World
from tests.sandbox.conftest import ProcessedTracker, run_polling, stop_polling


def demo_router(seen: list[str]) -> Router:
    """A small bot exercising what the client can do."""
    router = Router()

    @router.message(Command("ping"))
    async def ping(message: Message) -> None:
        await message.answer("pong")

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Edit", callback_data="edit"),
                    InlineKeyboardButton(text="Alert", callback_data="alert"),
                ],
                [InlineKeyboardButton(text="Site", url="https://example.org")],
            ]
        )
        await message.answer("<b>Menu</b>", reply_markup=markup)

    @router.callback_query(F.data == "edit")
    async def edit(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        done = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Done", callback_data="done")]]
        )
        await query.message.edit_text("Edited", reply_markup=done)
        await query.answer()

    @router.callback_query(F.data == "alert")
    async def alert(query: CallbackQuery) -> None:
        await query.answer("Stop!", show_alert=True)

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer(f"Unknown button {query.data}")

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        data = await bot.download(message.document)
        assert data is not None
        content = data.read().decode()
        await message.answer(f"{message.document.file_name}: {content} ({message.caption})")

    @router.message(F.forward_origin)
    async def forwarded(message: Message) -> None:
        assert message.forward_origin is not None
        await message.answer(f"forwarded from {message.forward_origin.type}")

    @router.message(F.sticker)
    async def sticker(message: Message) -> None:
        assert message.sticker is not None
        await message.answer(f"sticker {message.sticker.emoji}")

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        assert message.photo is not None
        await message.answer(f"photo {message.photo[-1].width}x{message.photo[-1].height}")

    @router.message(Command("propose"), F.chat.type == "supergroup")
    async def propose(message: Message) -> None:
        await message.reply(f"proposed: {(message.text or '').removeprefix('/propose ')}")

    @router.message(F.migrate_to_chat_id)
    async def migrated(message: Message) -> None:
        seen.append(f"migrate {message.chat.id} -> {message.migrate_to_chat_id}")

    @router.message(F.migrate_from_chat_id)
    async def migrated_from(message: Message) -> None:
        seen.append(f"from {message.migrate_from_chat_id}")

    @router.message(F.new_chat_members)
    async def joined(message: Message) -> None:
        names = [user.first_name for user in message.new_chat_members or []]
        await message.answer(f"welcome {', '.join(names)}")

    @router.edited_message()
    async def edited(message: Message) -> None:
        await message.answer(f"edited: {message.text}")

    @router.my_chat_member()
    async def membership(update: ChatMemberUpdated) -> None:
        seen.append(f"{update.from_user.first_name} {update.new_chat_member.status}")

    @router.message(F.reply_to_message)
    async def replied(message: Message) -> None:
        assert message.reply_to_message is not None
        await message.answer(f"you replied to {message.reply_to_message.text!r}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        seen.append(f"{message.from_user.first_name if message.from_user else '?'}: {message.text}")
        await message.answer(f"echo {message.text}")

    return router


@pytest.fixture
def seen() -> list[str]:
    return []


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, server: FakeTelegram, world: World, seen: list[str]
) -> AsyncIterator[Dispatcher]:
    """The demo bot polling the sandbox; `hook` tells the world when an update was processed,
    `fallback` lets the world wait for acknowledgement and a quiet period instead."""
    dp = Dispatcher()
    dp.include_router(demo_router(seen))
    if getattr(request, "param", "hook") == "hook":
        tracker = ProcessedTracker()
        dp.update.outer_middleware(tracker)
        world.processed_waiter = tracker.wait
    bot = server.bot(default=DefaultBotProperties(parse_mode="HTML"))
    task = await run_polling(dp, bot, world)
    yield dp
    await stop_polling(dp, task)


both_ways = pytest.mark.parametrize("app", ["hook", "fallback"], indirect=True)


@both_ways
async def test_ping_pong(app: Dispatcher, world: World) -> None:
    alice = world.user("Alice", username="alice")
    reply = await alice.send("/ping")
    assert reply.texts == ["pong"]
    assert alice.last_message.text == "pong"
    assert world.violations == []


@both_ways
async def test_buttons_edit_and_alert(app: Dispatcher, world: World) -> None:
    alice = world.user("Alice")
    menu = (await alice.send("/menu")).last
    assert menu.html == "<b>Menu</b>"
    assert menu.buttons == [["Edit", "Alert"], ["Site"]]
    reply = await alice.press("Alert")
    assert reply.alert == "Stop!"
    assert reply.answer is not None
    assert reply.answer.show_alert
    assert alice.last_alert == "Stop!"
    reply = await alice.press("Edit")
    assert reply == [menu]
    assert menu.text == "Edited"
    assert menu.edited
    assert menu.buttons == [["Done"]]
    assert reply.answer is not None
    assert reply.answer.answered
    assert reply.alert is None
    with pytest.raises(AssertionError, match=r"\[\['Done'\]\]"):
        await alice.press("Edit")
    reply = await alice.press_data("forged:1", message=menu)
    assert reply.alert == "Unknown button forged:1"
    assert world.violations == []


async def test_url_buttons_cannot_be_pressed(app: Dispatcher, world: World) -> None:
    alice = world.user("Alice")
    await alice.send("/menu")
    with pytest.raises(AssertionError, match="not a callback button"):
        await alice.press("Site")


async def test_documents_photos_stickers_and_forwards(app: Dispatcher, world: World) -> None:
    alice, bob = world.user("Alice"), world.user("Bob")
    reply = await alice.send_document("words.csv", b"cat,kot", caption="my list")
    assert reply.texts == ["words.csv: cat,kot (my list)"]
    assert (await alice.send_photo(width=640, height=480)).texts == ["photo 640x480"]
    assert (await alice.send_sticker("🎉")).texts == ["sticker 🎉"]
    assert (await alice.forward(bob, "hello")).texts == ["forwarded from user"]
    assert (await alice.forward(bob, "hello", hidden=True)).texts == ["forwarded from hidden_user"]


@both_ways
async def test_replies_and_many_messages_at_once(
    app: Dispatcher, world: World, seen: list[str]
) -> None:
    alice = world.user("Alice")
    reply = await alice.send_many(["part one", "part two"])
    assert sorted(reply.texts) == ["echo part one", "echo part two"]
    first, second = alice.sent
    assert first.date == second.date
    reply = await alice.send("that one", reply_to=first)
    assert reply.texts == ["you replied to 'part one'"]
    reply = await alice.send("and yours", reply_to=alice.messages[0])
    assert reply.texts[0].startswith("you replied to 'echo part")


async def test_groups_topics_joins_and_edits(app: Dispatcher, world: World) -> None:
    forum = world.group("Community", forum=True)
    alice = world.user("Alice")
    with pytest.raises(AssertionError, match="not a member"):
        await alice.say_in(forum, "hi")
    reply = await forum.join(alice)
    assert reply.texts == ["welcome Alice"]
    intros = forum.topic("Intros")
    reply = await alice.say_in(forum, "/propose Tea", thread_id=intros)
    assert reply.texts == ["proposed: Tea"]
    assert reply.last.thread_id == intros
    assert reply.last.reply_to is not None
    assert forum.messages_in(intros) == [reply.last]
    reply = await alice.edit(alice.last_sent, "/propose Coffee")
    assert reply.texts == ["edited: /propose Coffee"]


async def test_group_migration(app: Dispatcher, world: World, seen: list[str]) -> None:
    group = world.group("Basic", supergroup=False)
    alice = world.user("Alice")
    group.add(alice, creator=True)
    old_id = group.id
    await group.migrate_to_supergroup()
    assert seen == [f"migrate {old_id} -> {group.id}", f"from {old_id}"]
    assert (await alice.say_in(group, "/propose Chess")).texts == ["proposed: Chess"]


async def test_blocking_the_bot(app: Dispatcher, world: World, server: FakeTelegram) -> None:
    alice = world.user("Alice")
    await alice.send("hi")
    alice.block_bot()
    bot = server.bot()
    try:
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(alice.id, "still there?")
    finally:
        await bot.session.close()
    reply = await alice.send("back")  # writing again unblocks, as "Restart" does
    assert reply.texts == ["echo back"]


async def test_wait_for_messages_sent_later(
    app: Dispatcher, world: World, server: FakeTelegram
) -> None:
    alice = world.user("Alice")
    await alice.send("/ping")
    bot = server.bot()

    async def reminder() -> None:
        await bot.send_message(alice.id, "reminder")

    job = asyncio.create_task(reminder())
    message = await world.wait_for(
        lambda: next((m for m in alice.messages if m.text == "reminder"), None)
    )
    assert message.text == "reminder"
    await job
    await bot.session.close()
    with pytest.raises(SandboxTimeout):
        await world.wait_for(lambda: len(alice.messages) > 2, timeout=0.05)


async def test_observers_see_new_edited_deleted_and_answers(
    app: Dispatcher, world: World, server: FakeTelegram
) -> None:
    events: list[SandboxEvent] = []
    unsubscribe = world.on_event(events.append)
    alice = world.user("Alice")
    menu = (await alice.send("/menu")).last
    await alice.press("Edit")
    bot = server.bot()
    await bot.delete_message(alice.id, menu.message_id)
    await bot.session.close()
    unsubscribe()
    await alice.send("/ping")
    assert [event.kind for event in events] == ["new", "edited", "answer", "deleted"]
    assert events[0].message == menu
    assert menu.deleted
    assert alice.messages == [alice.last_message]


async def test_stopping_the_bot_ends_its_long_poll(
    server: FakeTelegram, world: World, seen: list[str]
) -> None:
    dp = Dispatcher()
    dp.include_router(demo_router(seen))
    task = await run_polling(dp, server.bot(), world)
    assert world.active_polls == 1
    await stop_polling(dp, task)
    await world.wait_for(lambda: world.active_polls == 0, timeout=2)


# -- without a running bot -------------------------------------------------------------------------


async def test_a_missing_bot_is_reported_not_waited_for_forever(world: World) -> None:
    world.timeout = 0.05
    with pytest.raises(SandboxTimeout, match="not taken by the bot"):
        await world.user("Alice").send("anyone?")


async def test_processed_waiter_errors_reach_the_test(world: World) -> None:
    async def broken(update_id: int) -> None:
        raise RuntimeError(f"app crashed on {update_id}")

    world.processed_waiter = broken
    with pytest.raises(RuntimeError, match="app crashed on 1"):
        await world.user("Alice").send("x")


# -- webhook mode ----------------------------------------------------------------------------------


@pytest.mark.parametrize("background", [True, False])
async def test_aiogram_webhook_mode(
    server: FakeTelegram, world: World, seen: list[str], background: bool
) -> None:
    """aiogram's own webhook handler; in the foreground it answers with a method in the reply."""
    dp = Dispatcher()
    router = Router()

    @router.message(Command("ping"))
    async def ping(message: Message) -> SendMessage:
        return message.answer("pong from the webhook reply")

    dp.include_router(router)
    dp.include_router(demo_router(seen))
    bot = server.bot()
    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=background, secret_token="tok").register(
        app, path="/hook"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook", secret_token="tok")
        alice = world.user("Alice")
        assert (await alice.send("/ping")).texts == ["pong from the webhook reply"]
        assert world.calls("sendMessage")[-1].via_webhook_reply is not background
        assert (await alice.send("hello")).texts == ["echo hello"]
    finally:
        await runner.cleanup()
        await bot.session.close()
    assert world.violations == []
