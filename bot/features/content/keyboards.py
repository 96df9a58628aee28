"""Buttons of the /content search."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import Page, button, keyboard, pager_row

RESULTS_LIST = "ct"


class CtRefineCb(CallbackData, prefix="ct-refine"):
    pass


class CtRestartCb(CallbackData, prefix="ct-again"):
    pass


def results_keyboard(t: Translator, page: Page, *, found: bool) -> InlineKeyboardMarkup:
    actions = [button(t("content-btn-start-over"), CtRestartCb())]
    if found:
        actions.insert(0, button(t("content-btn-refine"), CtRefineCb()))
    return keyboard([pager_row(t, RESULTS_LIST, page.number, page.pages), actions], t=t)
