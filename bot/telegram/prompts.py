"""The one live prompt of a flow.

A flow asks through `ask()`: the previous prompt loses its buttons (or is edited in place),
and the prompt's text and keyboard are remembered in FSM data, so the fallback can repeat
the question after unexpected input and /cancel can remove the last buttons.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

PROMPT = "_prompt"


async def ask(
    event: Message | CallbackQuery,
    state: FSMContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> Message:
    """Show a prompt and make it the flow's live one.

    With `edit=True` and a button press, the pressed message is edited in place; otherwise a
    new message is sent and the previous prompt's buttons are removed.
    """
    bot = _bot(event)
    previous = await _stored(state)
    message: Message | None = None
    if edit and isinstance(event, CallbackQuery) and isinstance(event.message, Message):
        message = await _edit(bot, event.message, text, markup)
    if message is None:
        chat_id = event.chat.id if isinstance(event, Message) else _callback_chat(event)
        thread = event.message_thread_id if isinstance(event, Message) else None
        message = await bot.send_message(
            chat_id, text, reply_markup=markup, message_thread_id=thread
        )
    if previous and previous.get("mid") != message.message_id:
        await remove_buttons(bot, message.chat.id, previous["mid"])
    await state.update_data(
        {
            PROMPT: {
                "mid": message.message_id,
                "text": text,
                "markup": markup.model_dump(mode="json", exclude_none=True) if markup else None,
            }
        }
    )
    return message


async def reask(message: Message, state: FSMContext, hint: str) -> None:
    """Repeat the live prompt after input it cannot take, with a short hint above it."""
    stored = await _stored(state)
    if not stored:
        await message.answer(hint)
        return
    markup = InlineKeyboardMarkup.model_validate(stored["markup"]) if stored["markup"] else None
    await ask(message, state, f"{hint}\n\n{stored['text']}", markup)


async def start_flow(
    event: Message | CallbackQuery, state: FSMContext, first: State | None = None
) -> None:
    """Enter a flow from a command or button: the previous prompt loses its buttons, the previous
    flow's data goes, and the state becomes `first` (when given)."""
    message = event if isinstance(event, Message) else event.message
    if event.bot is not None and message is not None:
        await retire(event.bot, message.chat.id, state)
    await state.set_data({})
    if first is not None:
        await state.set_state(first)


async def finish_flow(bot: Bot | None, chat_id: int, state: FSMContext) -> None:
    """End a flow: its state is cleared, then its last prompt loses its buttons.

    The clearing is written before the request that removes the buttons, and with it everything
    the update wrote commits (bot.db.middleware.CommitBeforeRequest): a crash after the buttons
    went leaves the user out of the flow with what it saved, never in it with nothing saved.
    """
    stored = await _stored(state)
    await state.clear()
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


async def _stored(state: FSMContext) -> dict[str, Any] | None:
    data = await state.get_data()
    stored = data.get(PROMPT)
    return stored if isinstance(stored, dict) and "mid" in stored else None


def _bot(event: Message | CallbackQuery) -> Bot:
    bot = event.bot
    if bot is None:
        raise RuntimeError("event is not bound to a bot")
    return bot


def _callback_chat(callback: CallbackQuery) -> int:
    if callback.message is not None:
        return callback.message.chat.id
    return callback.from_user.id
