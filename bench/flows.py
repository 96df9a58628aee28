"""The benchmark's conversation: /survey asks a name, then a colour, then a confirmation.

Built from the shared helpers (ask, keyboards, TEXT_INPUT) as a real feature is. Variant A of
the benchmark includes it through the feature registry (`BENCH_FEATURES`); variant B registers
the very same handler functions on a bare router (`build_bare_router`), so both do the same
work per update and differ only in what Agora puts around the handlers.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.features import FEATURES
from bot.features.core.router import cmd_help, cmd_start
from bot.features.registry import Feature
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.keyboards import BackCb, button, keyboard
from bot.telegram.prompts import ask, retire

NAME_PROMPT = "What should I call you?"
COLOUR_PROMPT = "Which colour do you like?"
MAX_NAME = 30
COLOURS = ("red", "green", "blue")


class BenchSurvey(StatesGroup):
    name = State()
    colour = State()
    confirm = State()


class ColourCb(CallbackData, prefix="b-colour"):
    colour: str


class ConfirmCb(CallbackData, prefix="b-confirm"):
    pass


def summary(name: str, colour: str) -> str:
    return f"<b>{html.escape(name, quote=False)}</b> likes {colour}. Save it?"


async def cmd_survey(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(BenchSurvey.name)
    await ask(message, state, NAME_PROMPT, keyboard(t=t))


async def on_name(message: Message, state: FSMContext, t: Translator) -> None:
    name = (message.text or "").strip()
    if not name or len(name) > MAX_NAME:
        await message.answer(f"A name of 1 to {MAX_NAME} characters, please.")
        return
    await state.update_data(name=name)
    await state.set_state(BenchSurvey.colour)
    row = [button(colour.title(), ColourCb(colour=colour)) for colour in COLOURS]
    await ask(message, state, COLOUR_PROMPT, keyboard([row], t=t, back=True))


async def on_colour(
    callback: CallbackQuery, callback_data: ColourCb, state: FSMContext, t: Translator
) -> None:
    await state.update_data(colour=callback_data.colour)
    await state.set_state(BenchSurvey.confirm)
    data = await state.get_data()
    await callback.answer()
    markup = keyboard([[button(t("btn-confirm"), ConfirmCb())]], t=t)
    await ask(callback, state, summary(data["name"], data["colour"]), markup, edit=True)


async def on_back(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(BenchSurvey.name)
    await callback.answer()
    await ask(callback, state, NAME_PROMPT, keyboard(t=t), edit=True)


async def on_confirm(callback: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await callback.answer()
    if callback.message is None or callback.bot is None:
        return
    await retire(callback.bot, callback.message.chat.id, state)
    await state.clear()
    name = html.escape(data.get("name", "?"), quote=False)
    await callback.message.answer(f"Saved: {name} likes {data.get('colour', '?')}.")


def _register_survey(router: Router) -> Router:
    router.message.register(cmd_survey, Command("survey"))
    router.message.register(on_name, BenchSurvey.name, TEXT_INPUT)
    router.callback_query.register(on_colour, BenchSurvey.colour, ColourCb.filter())
    router.callback_query.register(on_back, BenchSurvey.colour, BackCb.filter())
    router.callback_query.register(on_confirm, BenchSurvey.confirm, ConfirmCb.filter())
    return router


def build_survey_router() -> Router:
    """The feature's router, as Agora includes it: guarded to private chats."""
    return _register_survey(guard(Router(name="bench-survey"), where=Where.PRIVATE))


def build_bare_router() -> Router:
    """Variant B: /start, /help and the survey's handlers on one plain router, no guards.

    The handlers read `t`, `access` and `registry` from the Dispatcher's workflow data.
    """
    router = Router(name="bare")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    return _register_survey(router)


survey = Feature(
    name="bench-survey",
    build_router=build_survey_router,
    commands=(CommandSpec("survey", Where.PRIVATE, menu=False),),
    states=(BenchSurvey,),
)

BENCH_FEATURES: tuple[Feature, ...] = (*FEATURES, survey)
