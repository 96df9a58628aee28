"""Flows: which flow a state belongs to, what it is called, how to return to it, and the
context that declared flows (forms, pickers) hand to a feature's callbacks.

A flow is a StatesGroup. `declare_flow` says which command enters it and whether its answers are
kept when another flow pushes it aside (`prompts.start_flow` pauses it then, and the command
resumes it). Stale buttons of every flow get the same one alert (`expired`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.filters import or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.context import current_session
from bot.i18n import Translator
from bot.refusals import STALE
from bot.telegram import runs

# Ends what a flow keeps outside the FSM (the game's open row) when the flow is left:
# on_end(session, chat_id, user_id), in the update's transaction.
OnEnd = Callable[[AsyncSession, int, int], Awaitable[None]]


@dataclass(frozen=True)
class FlowInfo:
    command: str  # the command that enters the flow (without the slash)
    resumable: bool  # pushed aside by another flow, it is paused (its answers kept), not left
    on_end: OnEnd | None = None


_FLOWS: dict[str, FlowInfo] = {}


def declare_flow(
    group: type[StatesGroup], command: str, *, resumable: bool = False, on_end: OnEnd | None = None
) -> None:
    """Say how the user returns to the flow of `group` (named in the catalog as flow-<Group>),
    and what ends with it when it is left (`on_end`)."""
    name = group.__full_group_name__
    info = FlowInfo(command, resumable, on_end)
    if _FLOWS.setdefault(name, info) != info:
        raise ValueError(f"flow {name} is declared twice, differently")


def group_of(raw_state: str) -> str:
    """The StatesGroup name of a raw state ("Intro:waiting_for_about" -> "Intro")."""
    return raw_state.split(":", 1)[0]


def flow_info(raw_state: str) -> FlowInfo | None:
    return _FLOWS.get(group_of(raw_state))


async def end_flow(raw_state: str | None, state: FSMContext) -> None:
    """Run the `on_end` of the flow of `raw_state`, if it has one (the flow is being left)."""
    info = flow_info(raw_state) if raw_state is not None else None
    session = current_session.get()
    if info is None or info.on_end is None or session is None:
        return
    await info.on_end(session, state.key.chat_id, state.key.user_id)


def flow_name(t: Translator, raw_state: str) -> str:
    """What a state's flow is called: the catalog key flow-<StatesGroup class name>."""
    key = f"flow-{group_of(raw_state)}"
    return t(key) if t.has(key) else t("cancel-generic")


def left_line(t: Translator, raw_state: str, *, paused: bool) -> str:
    """The one line that says which flow was paused or left, and how to return to it."""
    what = flow_name(t, raw_state)
    info = flow_info(raw_state)
    if info is None:
        return t("flows-left-plain", what=what)
    return t("flows-paused" if paused else "flows-left", what=what, command=info.command)


async def leave_flow(event: Message | CallbackQuery, state: FSMContext, t: Translator) -> bool:
    """End the active flow for a command that starts no flow (/start): one line says so, as
    `prompts.start_flow` does; a resumable flow is paused (its command resumes it), others are
    left. The flow's last prompt loses its buttons. False when no flow was active."""
    from bot.telegram import prompts  # prompts builds on this module

    current = await state.get_state()
    if current is None:
        return False
    data = await state.get_data()
    info = flow_info(current)
    keep = info is not None and info.resumable
    paused = data.get(prompts.PAUSED)
    paused = dict(paused) if isinstance(paused, dict) else {}
    if keep:
        own = {k: v for k, v in data.items() if k not in (prompts.PROMPT, prompts.PAUSED)}
        paused[group_of(current)] = {"state": current, "data": own}
    # Written before the requests below (the first one makes the update durable).
    if not keep:
        await runs.flow_ended(state.key.user_id, state.key.chat_id, group_of(current), runs.LEFT)
        await end_flow(current, state)
    await state.set_state(None)
    await state.set_data({prompts.PAUSED: paused} if paused else {})
    bot = event.bot
    assert bot is not None
    if isinstance(event, Message):
        chat_id = event.chat.id
    else:
        chat_id = event.message.chat.id if event.message else event.from_user.id
    prompt = data.get(prompts.PROMPT)
    if isinstance(prompt, dict) and "mid" in prompt:
        await prompts.remove_buttons(bot, chat_id, prompt["mid"])
    await bot.send_message(chat_id, left_line(t, current, paused=keep))
    return True


# --- stale buttons ---------------------------------------------------------------------------


async def expired(callback: CallbackQuery, t: Translator) -> None:
    """The one alert for a button whose flow or list is gone."""
    await callback.answer(t(STALE), show_alert=True)


def expire_stale(router: Router, *filters: Any) -> None:
    """Register last in `router`: any other press of these buttons is stale.

    On a guarded router a forged press is refused by the guard before it gets here.
    """
    if filters:
        router.callback_query.register(expired, or_f(*filters))


# --- the context of a declared flow's step ----------------------------------------------------


@dataclass
class Ctx:
    """One update as a form's or a picker's callbacks see it."""

    event: Message | CallbackQuery
    state: FSMContext
    t: Translator
    data: Mapping[str, Any]  # the handler's keyword data: session, settings, clock, user, ...
    values: dict[str, Any] = field(default_factory=dict)  # the flow's FSM data
    subject: Any = None  # the object the flow works on (a form's `load`)
    answered: bool = False

    @classmethod
    async def of(
        cls,
        event: Message | CallbackQuery,
        state: FSMContext,
        t: Translator,
        data: Mapping[str, Any],
    ) -> Ctx:
        return cls(event, state, t, data, await state.get_data())

    @property
    def session(self) -> AsyncSession:
        session: AsyncSession = self.data["session"]
        return session

    @property
    def settings(self) -> Settings:
        settings: Settings = self.data["settings"]
        return settings

    def now(self) -> datetime:
        clock: Callable[[], datetime] = self.data["clock"]
        return clock()

    @property
    def user(self) -> User:
        user = self.event.from_user
        assert user is not None
        return user

    @property
    def chat_id(self) -> int:
        if isinstance(self.event, Message):
            return self.event.chat.id
        return self.event.message.chat.id if self.event.message else self.event.from_user.id

    async def update(self, **values: Any) -> None:
        """Keep values in the flow's FSM data (and in `values`)."""
        self.values.update(values)
        await self.state.update_data(values)

    async def ack(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button, once (a message needs no answer)."""
        if isinstance(self.event, CallbackQuery) and not self.answered:
            self.answered = True
            await self.event.answer(text, show_alert=alert)

    async def expire(self) -> None:
        """Answer the pressed button with the one alert of a stale button."""
        await self.ack(self.t(STALE), alert=True)

    async def say(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """A message in the chat of the update (not a prompt)."""
        bot = self.event.bot
        assert bot is not None
        await bot.send_message(self.chat_id, text, reply_markup=markup)
