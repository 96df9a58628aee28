"""Buttons of the core commands."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import SUPPORTED_LOCALES
from bot.telegram.keyboards import button, keyboard

LANGUAGE_NAMES = {"en": "🇬🇧 English", "ru": "🇷🇺 Русский"}


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class HelpCb(CallbackData, prefix="help"):
    """The Help button of the greeting (bot.telegram.greeting packs it as HELP_DATA)."""


def language_keyboard() -> InlineKeyboardMarkup:
    return keyboard(
        [[button(LANGUAGE_NAMES[code], LanguageCb(code=code)) for code in SUPPORTED_LOCALES]]
    )
