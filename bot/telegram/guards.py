"""Router guards: where a router's handlers work and who may use them.

Attached as inner middlewares (`guard(router, ...)`), they run after a handler's filters
matched, so a command that exists but is used in the wrong chat, or by someone who may not
use it, gets a clear sentence (a message, or an alert for a button) instead of silence.
Buttons are checked like commands: a button proves nothing about who pressed it, nor about the
object it names. A CallbackData whose ids name an object is declared once, next to the class
(`declare_button(VoteCb, target=...)`); every guarded router then refuses a press of it whose
object is gone, closed, or of another chat (a forged button of group A pressed in group B) with
the one alert of a stale button (`refusals.STALE`), before any handler runs. Buttons of a flow
are taken only in the flow's state (`flows`); any other press of them gets the same alert.

Domain refusals (`bot.refusals.Refused`) are answered here too, by `RefusalAnswer`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
    User,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.outbox import sender as outbox
from bot.refusals import STALE, Refused
from bot.telegram.access import Access
from bot.telegram.commands import Where, Who

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def refuse(event: TelegramObject, text: str, data: dict[str, Any]) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    elif isinstance(event, Message):
        await outbox.answer(event, text, data.get("session"))


class ChatGuard(BaseMiddleware):
    def __init__(self, where: Where) -> None:
        self.where = where

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or self.where is Where.ANYWHERE:
            return await handler(event, data)
        is_private = chat.type == "private"
        if is_private == (self.where is Where.PRIVATE):
            return await handler(event, data)
        t: Translator = data["t"]
        session: AsyncSession | None = data.get("session")
        if self.where is Where.PRIVATE and isinstance(event, Message) and session is not None:
            # A private command typed in a group: point to the bot, and tidy up (the command
            # and this reply go ~10 s later, where the bot may delete them).
            markup = await bot_button(event)
            await outbox.reply_and_tidy(session, event, t("only-in-private"), markup=markup)
            return None
        key = "only-in-private" if self.where is Where.PRIVATE else "only-in-groups"
        await refuse(event, t(key), data)
        return None


async def bot_button(message: Message) -> InlineKeyboardMarkup | None:
    """A button that opens the private chat with the bot (None without a bot username)."""
    if message.bot is None:
        return None
    me = await message.bot.me()  # asked once per process, then kept by aiogram
    if not me.username:
        return None
    button = InlineKeyboardButton(text=f"@{me.username}", url=f"https://t.me/{me.username}")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


class AccessGuard(BaseMiddleware):
    def __init__(self, who: Who) -> None:
        self.who = who

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        access: Access = data["access"]
        if user is None:
            return None
        if self.who is Who.EVERYONE:
            allowed = True
        elif self.who is Who.ADMIN:
            allowed = await access.is_admin(user.id)
        elif self.who is Who.GROUP_ADMIN:
            chat: Chat | None = data.get("event_chat")
            allowed = chat is not None and await access.is_group_admin(chat.id, user.id)
        else:
            allowed = await access.is_member(user.id)
        if allowed:
            return await handler(event, data)
        t: Translator = data["t"]
        await refuse(event, t(f"only-for-{self.who.value.replace('_', '-')}"), data)
        return None


# --- the objects buttons name -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """The object a button names, as it is now: the chat it belongs to (None: an object of no
    chat, pressed wherever its router takes it, e.g. in an admin's private chat), and whether
    it still takes presses (a closed proposal, an expired review, a card no longer current)."""

    chat_id: int | None
    open: bool = True


# The object named by a button's data, now; None when it no longer exists.
TargetOf = Callable[[AsyncSession, Any, datetime], Awaitable[Target | None]]
_TARGETS: dict[type[CallbackData], TargetOf] = {}


def declare_button(factory: type[CallbackData], *, target: TargetOf) -> None:
    """Declare how to find the object `factory`'s data names: every guarded router then takes a
    press of it only in that object's chat, and only while the object exists and is open
    (see ButtonCheck). The handler never sees any other press."""
    if _TARGETS.setdefault(factory, target) is not target:
        raise ValueError(f"{factory.__name__} is declared twice")


def button_target(factory: type[CallbackData]) -> TargetOf | None:
    return _TARGETS.get(factory)


class ButtonCheck(BaseMiddleware):
    """A press of a declared button is taken only in the chat of the object it names, while
    that object exists and is open; any other press (gone, closed, another chat's, on no
    message) gets the one stale alert. Who may press is the router's guard (admins), the chat
    (a private object's chat is its owner's), or the service's own rule (a participant), which
    refuses through `Refused`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        callback_data = data.get("callback_data")
        target_of = _TARGETS.get(type(callback_data)) if callback_data is not None else None
        if target_of is None or not isinstance(event, CallbackQuery) or data.get(_CHECKED):
            return await handler(event, data)
        pressed_in = event.message.chat.id if event.message is not None else None
        target = await target_of(data["session"], callback_data, data["clock"]())
        if target is None or not target.open or target.chat_id not in (None, pressed_in):
            t: Translator = data["t"]
            await event.answer(t(STALE), show_alert=True)
            return None
        data[_CHECKED] = True  # a nested guarded router does not check again
        return await handler(event, data)


_CHECKED = "_button_checked"


# --- domain refusals --------------------------------------------------------------------------


class RefusalAnswer(BaseMiddleware):
    """The one place a `Refused` raised by a service (or a handler) is answered.

    An update-level outer middleware inside the update's session: what the update wrote since
    its last commit is rolled back, then the user gets the refusal's sentence (an alert for a
    button, a reply for a message: in a group through the outbox).
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Refused as refused:
            session: AsyncSession | None = data.get("session")
            if session is not None:
                await session.rollback()
            inner = event.event if isinstance(event, Update) else event
            t: Translator = data["t"]
            await refuse(inner, t(refused.key, **refused.params), data)
            return None


def in_private_or_command(message: Message) -> bool:
    """A message a private-only router may take: any in a private chat, only commands elsewhere
    (so a command in the wrong chat still gets its refusal, and group chatter skips the router)."""
    return message.chat.type == "private" or _is_command(message)


def in_group_or_command(message: Message) -> bool:
    """The same for a group-only router: any message in a group, only commands in private."""
    return message.chat.type != "private" or _is_command(message)


def _is_command(message: Message) -> bool:
    text = message.text or message.caption
    return text is not None and text.startswith("/")


def guard(router: Router, *, where: Where = Where.ANYWHERE, who: Who = Who.EVERYONE) -> Router:
    """Make every message and button handler of `router` check the chat, then the user, then
    (buttons) the chat of the object the button names (`declare_button`).

    Messages that cannot concern the router (chatter in a chat where it works nowhere) skip it
    whole, before any handler filter runs.
    """
    if where is Where.PRIVATE:
        router.message.filter(in_private_or_command)
    elif where is Where.GROUP:
        router.message.filter(in_group_or_command)
    for observer in (router.message, router.callback_query):
        if where is not Where.ANYWHERE:
            observer.middleware(ChatGuard(where))
        if who is not Who.EVERYONE:
            observer.middleware(AccessGuard(who))
    router.callback_query.middleware(ButtonCheck())
    return router
