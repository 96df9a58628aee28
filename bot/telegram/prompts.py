"""The one live prompt of a flow, and the flow's start, pause, resume and end.

A flow asks through `ask()`: the previous prompt loses its buttons (or is edited in place),
and the prompt's bare question and keyboard are remembered in FSM data, so the fallback can
repeat the question after unexpected input (with one hint above it, never a pile) and /cancel
can remove the last buttons.

One flow is active per user and chat. `start_flow` ends the flow the user was in with one line
that says so: a resumable flow (flows.declare_flow) is paused, its state and answers kept in FSM
data under its group's name, and `resume_flow` brings it back at the same step.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.telegram import runs
from bot.telegram.flows import end_flow, flow_info, group_of, left_line

PROMPT = "_prompt"
PAUSED = "_paused"  # group name -> {"state": raw state, "data": the flow's data}


async def ask(
    event: Message | CallbackQuery,
    state: FSMContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
    hint: str | None = None,
) -> Message:
    """Show a prompt and make it the flow's live one; `hint` goes above the question.

    With `edit=True` and a press on the live prompt, that message is edited in place;
    otherwise a new message is sent and the previous prompt's buttons are removed.
    """
    bot = _bot(event)
    previous = await _stored(state)
    shown = f"{hint}\n\n{text}" if hint else text
    message: Message | None = None
    if (
        edit
        and isinstance(event, CallbackQuery)
        and isinstance(event.message, Message)
        and previous is not None
        and previous["mid"] == event.message.message_id
    ):
        message = await _edit(bot, event.message, shown, markup)
    if message is None:
        chat_id = event.chat.id if isinstance(event, Message) else _callback_chat(event)
        thread = event.message_thread_id if isinstance(event, Message) else None
        message = await bot.send_message(
            chat_id, shown, reply_markup=markup, message_thread_id=thread
        )
    if previous and previous.get("mid") != message.message_id:
        await remove_buttons(bot, message.chat.id, previous["mid"])
    await state.update_data(
        {
            PROMPT: {
                "mid": message.message_id,
                "text": text,  # the bare question: a re-ask puts one new hint above it
                "markup": markup.model_dump(mode="json", exclude_none=True) if markup else None,
            }
        }
    )
    return message


async def reask(message: Message, state: FSMContext, hint: str) -> None:
    """Repeat the live prompt after input it cannot take, with one short hint above it."""
    stored = await _stored(state)
    if not stored:
        await message.answer(hint)
        return
    markup = InlineKeyboardMarkup.model_validate(stored["markup"]) if stored["markup"] else None
    await ask(message, state, stored["text"], markup, hint=hint)


class LivePrompt(Filter):
    """A press on the flow's live prompt: a button left on an older message is stale."""

    async def __call__(self, callback: CallbackQuery, state: FSMContext) -> bool:
        stored = await _stored(state)
        return (
            stored is not None
            and callback.message is not None
            and callback.message.message_id == stored["mid"]
        )


# --- the flow ------------------------------------------------------------------------------


async def start_flow(
    event: Message | CallbackQuery, state: FSMContext, first: State, *, t: Translator
) -> None:
    """Enter the flow of `first` from a command or a button.

    The flow the user was in ends first, with one line saying so: paused when it is resumable
    (its answers kept), else left. The previous prompt loses its buttons, the previous flow's
    data goes (paused flows stay), and the state becomes `first`.
    """
    assert first.state is not None
    data = await state.get_data()
    paused = _paused(data)
    group = first.group.__full_group_name__
    current = await state.get_state()
    if current is None or group_of(current) != group:
        key = state.key
        if paused.pop(group, None) is not None:  # a fresh start replaces a paused one
            await runs.flow_ended(key.user_id, key.chat_id, group, runs.LEFT)
        await runs.flow_started(key.user_id, key.chat_id, group)
    await _switch(event, state, t, data, paused, first.state, {})


async def resume_flow(
    event: Message | CallbackQuery, state: FSMContext, group: type[StatesGroup], *, t: Translator
) -> bool:
    """Go on with the flow of `group` where the user stopped: True when it is the active flow or
    a paused one (brought back, at the same step, with its answers); False when there is none."""
    current = await state.get_state()
    if current is not None and group_of(current) == group.__full_group_name__:
        return True
    data = await state.get_data()
    paused = _paused(data)
    saved = paused.pop(group.__full_group_name__, None)
    if not isinstance(saved, dict) or not isinstance(saved.get("state"), str):
        return False
    await _switch(event, state, t, data, paused, saved["state"], dict(saved.get("data") or {}))
    return True


async def finish_flow(
    bot: Bot | None,
    chat_id: int,
    state: FSMContext,
    *,
    done: bool = False,
    status: str | None = None,
) -> None:
    """End a flow: its state and data are cleared (paused flows stay), then its last prompt
    loses its buttons. Left unfinished (`done=False`: /cancel, Cancel), its `on_end` runs too.

    Its run (bot.telegram.runs) ends with `status`: by default `completed` when `done`, else
    `cancelled` (a form's save passes `completed`: what it keeps outside the FSM is saved).

    The clearing is written before the request that removes the buttons, and with it everything
    the update wrote commits (bot.db.middleware.CommitBeforeRequest): a crash after the buttons
    went leaves the user out of the flow with what it saved, never in it with nothing saved.
    """
    data = await state.get_data()
    stored = _prompt_of(data)
    paused = _paused(data)
    current = await state.get_state()
    if current is not None:
        outcome = status or (runs.COMPLETED if done else runs.CANCELLED)
        await runs.flow_ended(state.key.user_id, state.key.chat_id, group_of(current), outcome)
    if not done:
        await end_flow(current, state)
    await state.set_state(None)
    await state.set_data({PAUSED: paused} if paused else {})
    if bot is not None and stored:
        await remove_buttons(bot, chat_id, stored["mid"])


async def retire(bot: Bot, chat_id: int, state: FSMContext) -> None:
    """Remove the buttons of the flow's live prompt (when the flow ends or is cancelled)."""
    stored = await _stored(state)
    if stored:
        await remove_buttons(bot, chat_id, stored["mid"])


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    # Gone, already without buttons, or too old to edit: nothing left to remove.
    with contextlib.suppress(TelegramBadRequest, TelegramForbiddenError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


# --- internals -----------------------------------------------------------------------------


async def _switch(
    event: Message | CallbackQuery,
    state: FSMContext,
    t: Translator,
    data: dict[str, Any],
    paused: dict[str, Any],
    new_state: str,
    new_data: dict[str, Any],
) -> None:
    """Make `new_state` the active flow; the one it replaces is paused or left, in one line."""
    current = await state.get_state()
    line = None
    if current is not None and group_of(current) != group_of(new_state):
        info = flow_info(current)
        keep = info is not None and info.resumable
        if keep:
            own = {key: value for key, value in data.items() if key not in (PROMPT, PAUSED)}
            paused[group_of(current)] = {"state": current, "data": own}
        else:
            await runs.flow_ended(
                state.key.user_id, state.key.chat_id, group_of(current), runs.LEFT
            )
            await end_flow(current, state)
        line = left_line(t, current, paused=keep)
    # Written before the requests below (the first one makes the update durable).
    await state.set_state(new_state)
    await state.set_data({**new_data, PAUSED: paused} if paused else new_data)
    bot = _bot(event)
    chat_id = event.chat.id if isinstance(event, Message) else _callback_chat(event)
    previous = _prompt_of(data)
    if previous:
        await remove_buttons(bot, chat_id, previous["mid"])
    if line:
        await bot.send_message(chat_id, line)


async def _edit(
    bot: Bot, message: Message, text: str, markup: InlineKeyboardMarkup | None
) -> Message | None:
    try:
        result = await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
        )
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return message
        return None  # too old or deleted: send a new prompt instead
    return result if isinstance(result, Message) else message


def _prompt_of(data: dict[str, Any]) -> dict[str, Any] | None:
    stored = data.get(PROMPT)
    return stored if isinstance(stored, dict) and "mid" in stored else None


def _paused(data: dict[str, Any]) -> dict[str, Any]:
    paused = data.get(PAUSED)
    return dict(paused) if isinstance(paused, dict) else {}


async def _stored(state: FSMContext) -> dict[str, Any] | None:
    return _prompt_of(await state.get_data())


def _bot(event: Message | CallbackQuery) -> Bot:
    bot = event.bot
    if bot is None:
        raise RuntimeError("event is not bound to a bot")
    return bot


def _callback_chat(callback: CallbackQuery) -> int:
    if callback.message is not None:
        return callback.message.chat.id
    return callback.from_user.id
