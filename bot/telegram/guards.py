"""Router guards: where a router's handlers work and who may use them.

Attached as inner middlewares (`guard(router, ...)`), they run after a handler's filters
matched, so a command that exists but is used in the wrong chat, or by someone who may not
use it, gets a clear sentence (a message, or an alert for a button) instead of silence.
Buttons are checked like commands: a button proves nothing about who pressed it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from bot.i18n import Translator
from bot.outbox import sender as outbox
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
        key = "only-in-private" if self.where is Where.PRIVATE else "only-in-groups"
        await refuse(event, t(key), data)
        return None


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
    """Make every message and button handler of `router` check the chat, then the user.

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
    return router
