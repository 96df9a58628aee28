"""The "pick an event, then act on it" step shared by the events and topics flows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.events import service
from bot.features.events.keyboards import EventPickCb, pick_event_keyboard
from bot.features.events.models import Event
from bot.i18n import Translator
from bot.telegram.prompts import ask, finish_flow

Prompted = Message | CallbackQuery


@dataclass(frozen=True)
class Pick:
    """One command's "pick an event" list: what it lists and how it says so."""

    state: State  # the flow's choosing_event
    action: str  # EventPickCb.action of its buttons
    prompt: str  # text key above the list
    empty: str  # text key when there is nothing to list
    events: Callable[[AsyncSession], Awaitable[Sequence[Event]]]


async def show_pick(
    where: Prompted,
    state: FSMContext,
    t: Translator,
    settings: Settings,
    pick: Pick,
    events: Sequence[Event],
) -> None:
    await state.set_state(pick.state)
    markup = pick_event_keyboard(t, events, pick.action, settings.timezone)
    await ask(where, state, t(pick.prompt), markup, edit=isinstance(where, CallbackQuery))


async def gone(callback: CallbackQuery, t: Translator) -> None:
    await callback.answer(t("events-gone"), show_alert=True)


async def end_gone(message: Message, state: FSMContext, t: Translator) -> None:
    """The event of a flow disappeared while the user was typing: say so, leave the flow."""
    await finish_flow(message.bot, message.chat.id, state)
    await message.answer(t("events-gone"))


async def find_event(session: AsyncSession, event_id: object, *statuses: str) -> Event | None:
    """The event, if it exists and is in one of `statuses` (any status when none are given)."""
    if not isinstance(event_id, int):
        return None
    event = await service.get_event(session, event_id)
    if event is None or (statuses and event.status not in statuses):
        return None
    return event


async def flow_event(session: AsyncSession, state: FSMContext, *statuses: str) -> Event | None:
    """The flow's event (its id in FSM data), as `find_event` finds it."""
    return await find_event(session, (await state.get_data()).get("event_id"), *statuses)


async def picked(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    session: AsyncSession,
    t: Translator,
    *statuses: str,
) -> Event | None:
    """The event whose button was pressed; when it is gone, the press gets a short alert."""
    event = await find_event(session, callback_data.event_id, *statuses)
    if event is None:
        await gone(callback, t)
    return event
