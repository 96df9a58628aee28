"""Per-update user and locale: `user` (a UserInfo, or None) and `t` (the Translator) for handlers.

A returning user whose Telegram data did not change costs no SQL (see UserDirectory).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject
from aiogram.types import User as TgUser
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.service import UserDirectory
from bot.i18n import get_translator, resolve_locale


class UserMiddleware(BaseMiddleware):
    def __init__(self, users: UserDirectory, default_locale: str) -> None:
        self.users = users
        self.default_locale = default_locale

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        session: AsyncSession = data["session"]
        if tg_user is None or tg_user.is_bot:
            data["user"] = None
            locale = self.default_locale
        else:
            user = await self.users.sync(
                session,
                user_id=tg_user.id,
                first_name=tg_user.first_name,
                last_name=tg_user.last_name,
                username=tg_user.username,
                language_code=tg_user.language_code,
                # A message or a button in the private chat means the bot is not blocked
                # (a my_chat_member update there may say the opposite: core handles it).
                unblock=chat is not None
                and chat.type == "private"
                and isinstance(event, Message | CallbackQuery),
            )
            data["user"] = user
            locale = resolve_locale(user.language, tg_user.language_code, self.default_locale)
        data["locale"] = locale
        data["t"] = get_translator(locale)
        return await handler(event, data)
