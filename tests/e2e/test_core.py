"""Core commands through the fake Telegram: /start /help /cancel /language, fallbacks, errors."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.features.core.models import User
from bot.sandbox import World
from bot.sandbox.harness import Sandbox


async def test_start_greets_and_offers_help(world: World) -> None:
    alice = world.user("Alice", username="alice")
    reply = await alice.send("/start")
    assert "Hello, <b>Alice</b>" in reply.last.html
    assert reply.last.buttons == [["Help"]]
    help_reply = await alice.press("Help")
    assert "/cancel — cancel the current action" in help_reply.last.text


async def test_start_stores_the_user_once(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice", username="alice", last_name="Liddell")
    await alice.send("/start")
    await alice.send("/help")
    assert sandbox.app is not None
    async with sandbox.app.session_factory() as session:
        users = (await session.scalars(select(User))).all()
    assert [(u.id, u.first_name, u.last_name, u.username) for u in users] == [
        (alice.id, "Alice", "Liddell", "alice")
    ]


async def test_start_escapes_the_users_name(world: World) -> None:
    eve = world.user("<b>Eve</b> & Co")
    reply = await eve.send("/start")
    assert "<b>Eve</b> & Co" in reply.last.text  # shown as typed, not as markup
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; Co" in reply.last.html


async def test_russian_user_gets_russian(world: World) -> None:
    ivan = world.user("Иван", language_code="ru")
    reply = await ivan.send("/start")
    assert "Привет, <b>Иван</b>" in reply.last.html


async def test_language_choice_is_remembered(world: World) -> None:
    alice = world.user("Alice", language_code="en")
    reply = await alice.send("/language")
    assert reply.last.buttons == [["🇬🇧 English", "🇷🇺 Русский"]]
    chosen = await alice.press("🇷🇺 Русский")
    assert chosen.last.text == "Язык: русский."
    assert chosen.last.buttons == []
    again = await alice.send("/cancel")
    assert again.last.text == "Отменять нечего."


async def test_help_depends_on_chat_and_role(sandbox: Sandbox) -> None:
    world = sandbox.world
    alice = world.user("Alice")
    reply = await alice.send("/help")
    assert "/language" in reply.last.text
    group = world.group("Community")
    group.add(alice)
    in_group = await alice.say_in(group, "/help")
    assert "/language" not in in_group.last.text
    assert "/help" in in_group.last.text


async def test_cancel_outside_a_flow(world: World) -> None:
    alice = world.user("Alice")
    reply = await alice.send("/cancel")
    assert reply.last.text == "There is nothing to cancel."


async def test_cancel_inside_a_flow_removes_the_prompt_buttons(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    prompt = (await alice.send("/survey")).last
    assert prompt.text == "What is your name?"
    assert prompt.buttons == [["✖ Cancel"]]
    await alice.send("Alice")
    colour_prompt = alice.last_message
    assert colour_prompt.buttons == [["Red", "Blue"], ["◀ Back", "✖ Cancel"]]
    assert prompt.buttons == [], "the previous prompt lost its buttons"
    reply = await alice.send("/cancel")
    assert reply.last.text == "Cancelled: the current action."
    assert colour_prompt.buttons == []
    assert await state_of(sandbox, alice.id) is None


async def test_cancel_button_does_what_cancel_does(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/survey")
    reply = await alice.press("✖ Cancel")
    assert reply.last.text == "Cancelled: the current action."
    assert await state_of(sandbox, alice.id) is None
    stale = await alice.press_data("cancel", message=alice.messages[-2])
    assert stale.alert == "This button is no longer active."


async def test_unexpected_input_repeats_the_question(world: World) -> None:
    alice = world.user("Alice")
    await alice.send("/survey")
    await alice.send_sticker()
    assert alice.last_message.text == "Please answer with text.\n\nWhat is your name?"
    assert alice.last_message.buttons == [["✖ Cancel"]]
    await alice.send("Alice")
    await alice.send("green")
    assert alice.last_message.text == "That is not what I asked for.\n\nPick a colour:"
    assert alice.last_message.buttons == [["Red", "Blue"], ["◀ Back", "✖ Cancel"]]
    # one live prompt: the repeated one has the buttons, the one before lost them
    assert [m.buttons != [] for m in alice.messages].count(True) == 1


async def test_whole_flow_with_back_and_confirm(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/survey")
    await alice.send("Alicia")
    back = await alice.press("◀ Back")
    assert back.last.text == "What is your name?"
    await alice.send("Alice")
    card = await alice.press("Blue")
    assert card.last.text == "Name: Alice\nColour: blue"
    done = await alice.press("Confirm")
    assert done.last.text == "Saved: Alice likes blue."
    assert await state_of(sandbox, alice.id) is None


async def test_stale_button_answers_menu_expired(world: World) -> None:
    alice = world.user("Alice")
    await alice.send("/survey")
    await alice.send("Alice")
    colour_prompt = alice.last_message
    await alice.send("/cancel")
    reply = await alice.press_data("t-colour:red", message=colour_prompt)
    assert reply.alert == "This button is no longer active."


async def test_forged_callback_data_is_harmless(world: World) -> None:
    alice = world.user("Alice")
    start = (await alice.send("/start")).last
    reply = await alice.press_data("lang:xx", message=start)
    assert reply.alert is None
    reply = await alice.press_data("no-such-thing:1:2", message=start)
    assert reply.alert == "This button is no longer active."
    assert (await alice.send("/cancel")).last.text == "There is nothing to cancel."


async def test_a_state_left_by_older_code_is_cleared(sandbox: Sandbox) -> None:
    alice = sandbox.world.user("Alice")
    await alice.send("/start")
    assert sandbox.app is not None
    await set_state(sandbox, alice.id, "RemovedFlow:waiting_for_something")
    reply = await alice.send("hello")
    assert reply.last.text.startswith("The conversation you were in no longer exists")
    assert await state_of(sandbox, alice.id) is None


async def test_unknown_text_in_private_chat_points_to_help(world: World) -> None:
    alice = world.user("Alice")
    reply = await alice.send("what is this?")
    assert reply.last.text == "I did not understand that. Send /help to see what I can do."


async def test_private_command_in_a_group_says_where_it_works(world: World) -> None:
    alice = world.user("Alice")
    group = world.group("Community")
    group.add(alice)
    reply = await alice.say_in(group, "/survey")
    assert reply.last.text == "This command works in a private chat with me."


async def test_an_error_is_answered_without_internals(world: World) -> None:
    alice = world.user("Alice")
    reply = await alice.send("/crash")
    assert reply.last.text == (
        "Something went wrong on my side. What you saved before is safe; please try again."
    )
    assert "boom" not in reply.last.text


async def test_an_edit_that_changes_nothing_is_not_an_error(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    alice = world.user("Alice")
    await alice.send("/card")
    with caplog.at_level(logging.ERROR):
        reply = await alice.press("Refresh")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r.description for r in world.calls("editMessageText")] == [
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    ]
    assert reply.texts == []  # no "something went wrong"
    assert alice.last_message.text == "The card."


async def test_command_menus_are_published_per_scope_and_language(world: World) -> None:
    private = dict(world.commands_for({"type": "all_private_chats"}))
    assert private["language"] == "choose your language"
    russian = dict(world.commands_for({"type": "all_private_chats"}, "ru"))
    assert russian["language"] == "выбрать язык"
    group = dict(world.commands_for({"type": "all_group_chats"}))
    assert "language" not in group
    assert "help" in group


async def test_the_bot_describes_itself_in_each_language(world: World) -> None:
    assert "Press Start to begin" in world.bot_texts[("description", "")]
    assert "Нажмите «Старт»" in world.bot_texts[("description", "ru")]
    assert world.bot_texts[("short_description", "")].startswith("The community bot")
    assert world.bot_texts[("short_description", "ru")].startswith("Бот сообщества")


# --- helpers -------------------------------------------------------------------------------


def _key(sandbox: Sandbox, user_id: int) -> object:
    from aiogram.fsm.storage.base import StorageKey

    assert sandbox.app is not None
    return StorageKey(bot_id=sandbox.app.bot.id, chat_id=user_id, user_id=user_id)


async def state_of(sandbox: Sandbox, user_id: int) -> str | None:
    assert sandbox.app is not None
    return await sandbox.app.fsm.storage.get_state(_key(sandbox, user_id))  # type: ignore[arg-type]


async def set_state(sandbox: Sandbox, user_id: int, state: str) -> None:
    assert sandbox.app is not None
    await sandbox.app.fsm.storage.set_state(_key(sandbox, user_id), state)  # type: ignore[arg-type]
