"""Game handlers (/game, typed answers, 👀)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.game import service
from bot.features.game.jobs import TimeoutNotice, end_by_timeout
from bot.features.game.keyboards import GmRevealCb, game_card_keyboard
from bot.features.game.models import GameSession
from bot.features.game.states import Game
from bot.features.game.views import answered_text, card_text, score_text
from bot.features.training.messages import drop_expired, edit_quietly, resume_on_activity
from bot.features.training.service import is_expired, touch_activity
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.flows import declare_flow
from bot.telegram.guards import guard
from bot.telegram.prompts import finish_flow, remove_buttons, start_flow

log = logging.getLogger(__name__)

COMMANDS = (CommandSpec("game", Where.PRIVATE),)

# Another flow's command or /cancel ends the open game (a new /game starts afresh).
declare_flow(Game, "game", on_end=service.abandon_game)

Clock = Callable[[], datetime]


# --- card messages ---------------------------------------------------------------------------


async def send_card(bot: Bot, chat_id: int, t: Translator, card: service.GameCard) -> Message:
    return await bot.send_message(
        chat_id, card_text(t, card), reply_markup=game_card_keyboard(t, card.token)
    )


async def tell_timeout(bot: Bot, notice: TimeoutNotice) -> None:
    """In a handler: at once, before its own answer."""
    if notice.card_message_id is not None:
        await edit_quietly(bot, notice.chat_id, notice.card_message_id, notice.card_text)
    await bot.send_message(notice.chat_id, notice.score_text)


async def after_answer(
    bot: Bot,
    session: AsyncSession,
    row: GameSession,
    t: Translator,
    outcome: service.AnswerOutcome,
    answer: str | None,
) -> None:
    chat_id = row.chat_id
    if outcome.message_id is not None:
        text = answered_text(t, outcome.card, outcome.correct, answer)
        await edit_quietly(bot, chat_id, outcome.message_id, text)
    if outcome.next_card is not None:
        sent = await send_card(bot, chat_id, t, outcome.next_card)
        row.message_id = sent.message_id
    elif outcome.score is not None:
        await bot.send_message(chat_id, score_text(t, outcome.score))


# --- handlers ----------------------------------------------------------------------------------


async def cmd_game(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    assert message.from_user is not None
    user_id, chat_id, now = message.from_user.id, message.chat.id, clock()
    if raw_state != Game.answering.state:
        # Another flow ends first, with one line; a game already going on is resumed below.
        await start_flow(message, state, Game.answering, t=t)
    await touch_activity(session, user_id, now)
    row = await service.open_game(session, chat_id, user_id, lock=True)
    if row is not None and is_expired(row, now):
        await drop_expired(bot, session, row, t("game-expired"))
        row = None
    if row is not None and now >= row.answer_by:
        await tell_timeout(bot, await end_by_timeout(session, row, t, now))
        row = None
    card: service.GameCard | None = None
    if row is not None:
        old_message = row.message_id
        card = await service.resume_game_card(session, row, now)
        if old_message is not None:
            await remove_buttons(bot, chat_id, old_message)
    if row is None or card is None:
        row = await service.start_game(session, chat_id, user_id, now)
        card = await service.current_game_card(session, row) if row is not None else None
    if row is None or card is None:
        await finish_flow(bot, chat_id, state, done=True)
        await message.answer(t("game-no-words"))
        return
    sent = await send_card(bot, chat_id, t, card)
    row.message_id = sent.message_id


async def on_answer(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
    clock: Clock,
) -> None:
    assert message.from_user is not None
    assert message.text is not None
    now, chat_id = clock(), message.chat.id
    row = await service.open_game(session, chat_id, message.from_user.id, lock=True)
    if row is None or is_expired(row, now):
        # The game ended meanwhile (a job ended it): so does the flow, and the text is no
        # answer to anything, as any text outside a flow that nothing takes.
        await finish_flow(bot, chat_id, state, done=True)
        await message.answer(t("fallback-unknown"))
        return
    if row.last_answer_id is not None and message.message_id <= row.last_answer_id:
        return  # delivered again (after a restart): already answered
    if now >= row.answer_by:
        await finish_flow(bot, chat_id, state, done=True)
        await tell_timeout(bot, await end_by_timeout(session, row, t, now))
        return
    row.last_answer_id = message.message_id
    outcome = await service.answer_card(session, row, message.text, now)
    if outcome.score is not None:
        await finish_flow(bot, chat_id, state, done=True)  # the last card: the game is over
    await after_answer(bot, session, row, t, outcome, message.text)


async def on_reveal(
    callback: CallbackQuery,
    callback_data: GmRevealCb,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
    clock: Clock,
) -> None:
    # The button check (keyboards.card_target) took only a press of this chat's open game's
    # current card; the service refuses one that lost a race since.
    assert callback.message is not None
    now, chat_id = clock(), callback.message.chat.id
    row = await service.pressed_game(
        session, chat_id, callback.from_user.id, callback_data.token, now
    )
    if now >= row.answer_by:
        await callback.answer()
        await finish_flow(bot, chat_id, state, done=True)
        await tell_timeout(bot, await end_by_timeout(session, row, t, now))
        return
    outcome = await service.answer_card(session, row, None, now)
    await callback.answer()
    if outcome.score is not None:
        await finish_flow(bot, chat_id, state, done=True)  # the last card: the game is over
    await after_answer(bot, session, row, t, outcome, None)


def build_router() -> Router:
    router = guard(Router(name="game"), where=Where.PRIVATE)
    router.message.middleware(resume_on_activity)
    router.callback_query.middleware(resume_on_activity)
    router.message.register(cmd_game, Command("game"))
    router.message.register(on_answer, TEXT_INPUT, F.chat.type == "private", Game.answering)
    router.callback_query.register(on_reveal, GmRevealCb.filter())
    return router
