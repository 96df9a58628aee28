"""A small flow for the foundation's tests: /survey asks a name, then a colour, then confirms.

It is built only from the shared helpers (ask, keyboards, TEXT_INPUT), as a real feature is,
and it is included in the app through the same feature registry.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.features import FEATURES
from bot.features.registry import Feature
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.keyboards import BackCb, button, keyboard
from bot.telegram.prompts import ask, retire


class Survey(StatesGroup):
    waiting_for_name = State()
    waiting_for_colour = State()
    confirming = State()


class Counting(StatesGroup):
    counting = State()


class ColourCb(CallbackData, prefix="t-colour"):
    colour: str


class ConfirmCb(CallbackData, prefix="t-confirm"):
    pass


class PurgeCb(CallbackData, prefix="t-purge"):
    what: int


class RefreshCb(CallbackData, prefix="t-refresh"):
    pass


def refresh_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[button("Refresh", RefreshCb())]])


async def cmd_card(message: Message) -> None:
    await message.answer("The card.", reply_markup=refresh_keyboard())


async def on_refresh(callback: CallbackQuery) -> None:
    await callback.answer()
    assert isinstance(callback.message, Message)
    # Nothing changed since the card was sent: Telegram says "message is not modified".
    await callback.message.edit_text("The card.", reply_markup=refresh_keyboard())


# Concurrency probe for the one-at-a-time test: how many counting handlers ran at once.
PROBE = {"active": 0, "max_active": 0}


class Gate:
    """Holds the handler of the name "slow" until released: a crash lands mid-update."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()


GATE: list[Gate] = [Gate()]


async def cmd_survey(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(Survey.waiting_for_name)
    await ask(message, state, "What is your name?", keyboard(t=t))


async def on_name(message: Message, state: FSMContext, t: Translator) -> None:
    assert message.text is not None
    if message.text == "slow":
        GATE[0].entered.set()
        await GATE[0].release.wait()
    if len(message.text) > 30:
        await message.answer(f"At most 30 characters, you sent {len(message.text)}.")
        return
    await state.update_data(name=message.text)
    await state.set_state(Survey.waiting_for_colour)
    rows = [[button("Red", ColourCb(colour="red")), button("Blue", ColourCb(colour="blue"))]]
    await ask(message, state, "Pick a colour:", keyboard(rows, t=t, back=True))


async def on_colour(
    callback: CallbackQuery, callback_data: ColourCb, state: FSMContext, t: Translator
) -> None:
    await state.update_data(colour=callback_data.colour)
    await state.set_state(Survey.confirming)
    data = await state.get_data()
    await callback.answer()
    text = f"Name: {data['name']}\nColour: {data['colour']}"
    await ask(callback, state, text, keyboard([[button("Confirm", ConfirmCb())]], t=t), edit=True)


async def on_back_to_name(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(Survey.waiting_for_name)
    await callback.answer()
    await ask(callback, state, "What is your name?", keyboard(t=t), edit=True)


async def on_confirm(callback: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await callback.answer()
    assert callback.message is not None
    assert callback.bot is not None
    await retire(callback.bot, callback.message.chat.id, state)
    await state.clear()
    await callback.message.answer(f"Saved: {data['name']} likes {data['colour']}.")


async def cmd_count(message: Message, state: FSMContext) -> None:
    await state.set_state(Counting.counting)
    await state.update_data(n=0, seen=[])
    await message.answer("Counting.")


async def on_count(message: Message, state: FSMContext) -> None:
    PROBE["active"] += 1
    PROBE["max_active"] = max(PROBE["max_active"], PROBE["active"])
    try:
        data = await state.get_data()
        await asyncio.sleep(0)  # let any other update of this user run, if isolation allowed it
        await state.update_data(n=data["n"] + 1, seen=[*data["seen"], message.text])
    finally:
        PROBE["active"] -= 1


async def cmd_done(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    await message.answer(f"Counted {data.get('n', 0)}.")


async def cmd_poke(message: Message, command: CommandObject, state: FSMContext, bot: Bot) -> None:
    """Sends to another user while this update holds a write (SQLite: the write lock)."""
    await state.set_state(Counting.counting)
    await state.update_data(n=0, seen=[])
    try:
        await bot.send_message(int(command.args or 0), "Poke!")
    except TelegramForbiddenError:
        await message.answer("They blocked me.")


async def cmd_crash(message: Message) -> None:
    raise RuntimeError("boom: internal detail that must not reach the user")


async def cmd_panel(message: Message) -> None:
    await message.answer(
        "Panel for admins.", reply_markup=keyboard([[button("Purge", PurgeCb(what=1))]])
    )


async def on_purge(callback: CallbackQuery) -> None:
    await callback.answer("Purged.", show_alert=True)


def build_admin_router() -> Router:
    router = guard(Router(name="test-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    router.message.register(cmd_panel, Command("panel"))
    router.callback_query.register(on_purge, PurgeCb.filter())
    return router


async def cmd_club(message: Message) -> None:
    await message.answer("Welcome to the club.")


def build_member_router() -> Router:
    router = guard(Router(name="test-member"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_club, Command("club"))
    return router


def build_router() -> Router:
    router = guard(Router(name="test-survey"), where=Where.PRIVATE)
    router.include_router(build_admin_router())
    router.include_router(build_member_router())
    # A deep link (t.me/<bot>?start=survey) enters the flow: the /start hook for features.
    router.message.register(cmd_survey, CommandStart(deep_link=True, magic=F.args == "survey"))
    router.message.register(cmd_survey, Command("survey"))
    router.message.register(on_name, Survey.waiting_for_name, TEXT_INPUT)
    router.callback_query.register(on_colour, Survey.waiting_for_colour, ColourCb.filter())
    router.callback_query.register(on_back_to_name, Survey.waiting_for_colour, BackCb.filter())
    router.callback_query.register(on_confirm, Survey.confirming, ConfirmCb.filter())
    router.message.register(cmd_count, Command("count"))
    router.message.register(cmd_done, Command("done"), Counting.counting)
    router.message.register(on_count, Counting.counting, F.text)
    router.message.register(cmd_crash, Command("crash"))
    router.message.register(cmd_poke, Command("poke"))
    router.message.register(cmd_card, Command("card"))
    router.callback_query.register(on_refresh, RefreshCb.filter())
    return router


survey = Feature(
    name="survey",
    build_router=build_router,
    commands=(
        CommandSpec("survey", Where.PRIVATE, menu=False),
        CommandSpec("panel", Where.PRIVATE, Who.ADMIN),
        CommandSpec("club", Where.PRIVATE, Who.MEMBER),
    ),
    states=(Survey, Counting),
)

TEST_FEATURES = (*FEATURES, survey)
