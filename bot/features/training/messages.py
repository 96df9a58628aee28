"""What the training and game handlers share (the game's cards are training's vocabulary):
quiet edits of card messages, the end of an expired session, and the middleware by which any
activity resumes paused reminders."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.features.game.models import GameSession
from bot.features.training import service
from bot.features.training.models import TrainingSession


async def edit_quietly(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """Edit a card message and drop its buttons; a message gone or unchanged is no error."""
    with contextlib.suppress(TelegramBadRequest, TelegramForbiddenError):
        await bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id)


async def drop_expired(
    bot: Bot, session: AsyncSession, row: TrainingSession | GameSession, text: str
) -> None:
    """An expired session row goes; its last card, if any, says why (`text`)."""
    if row.message_id is not None:
        await edit_quietly(bot, row.chat_id, row.message_id, text)
    await session.delete(row)
    await session.flush()


async def resume_on_activity(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    user: User | None = data.get("user")
    chat = data.get("event_chat")
    session: AsyncSession | None = data.get("session")
    if user is not None and session is not None and chat is not None and chat.type == "private":
        await service.resume_reminders(session, user.id)
    return await handler(event, data)
