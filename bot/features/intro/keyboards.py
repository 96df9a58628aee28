"""Buttons of the intro flow."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import button, confirm_rows, keyboard

FIELD_LABELS = {
    "first_name": "intro-field-first-name",
    "last_name": "intro-field-last-name",
    "about": "intro-field-about",
}


class InConfirmCb(CallbackData, prefix="in-ok"):
    pass


class InEditCb(CallbackData, prefix="in-edit"):
    pass


class InFieldCb(CallbackData, prefix="in-field"):
    field: str


def prompt_keyboard(t: Translator, *, back: bool) -> InlineKeyboardMarkup:
    return keyboard(t=t, back=back)


def preview_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(confirm_rows(t, InConfirmCb(), InEditCb()), t=t, back=True)


def fields_keyboard(t: Translator) -> InlineKeyboardMarkup:
    rows = [[button(t(label), InFieldCb(field=field))] for field, label in FIELD_LABELS.items()]
    return keyboard(rows, t=t, back=True)
