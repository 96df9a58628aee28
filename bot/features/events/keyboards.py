"""Buttons of the events flows (forms and pickers make the flows' own), and their labels."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import keyboard, url_button


def type_label(t: Translator, kind: str) -> str:
    return t(f"events-type-{kind.replace('_', '-')}")


def join_keyboard(t: Translator, link: str) -> InlineKeyboardMarkup:
    row: list[InlineKeyboardButton] = [url_button(t("events-btn-join"), link)]
    return keyboard([row])
