"""Buttons of the game: 👀 reveals the answer of the card whose token it carries.

The button is declared with the object it names (bot.telegram.guards.declare_button): the open
game whose current card carries the token. A press of an older card, of a game that ended or
expired, or of another chat's game is refused with the one stale alert before a handler runs.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.game.models import GameSession
from bot.i18n import Translator
from bot.telegram.guards import Target, declare_button
from bot.telegram.keyboards import button, keyboard


class GmRevealCb(CallbackData, prefix="gmr"):
    token: int


async def card_target(session: AsyncSession, data: GmRevealCb, now: datetime) -> Target | None:
    """The game whose current card carries the token: open until it expires (a game past its
    answer time is still pressed: the handler ends it and says so)."""
    stmt = select(GameSession.chat_id, GameSession.expires_at).where(
        GameSession.token == data.token
    )
    row = (await session.execute(stmt.limit(1))).first()
    if row is None:
        return None
    return Target(row.chat_id, open=now < row.expires_at)


declare_button(GmRevealCb, target=card_target)


def game_card_keyboard(t: Translator, token: int) -> InlineKeyboardMarkup:
    return keyboard([[button(t("game-btn-reveal"), GmRevealCb(token=token))]])
