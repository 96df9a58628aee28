"""Buttons of the game: 👀 reveals the answer of the card whose token it carries."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard


class GmRevealCb(CallbackData, prefix="gmr"):
    token: int


def game_card_keyboard(t: Translator, token: int) -> InlineKeyboardMarkup:
    return keyboard([[button(t("game-btn-reveal"), GmRevealCb(token=token))]])
