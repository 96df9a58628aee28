"""Buttons of the /content search (its results are a picker's list: bot.telegram.pickers)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.i18n import Translator
from bot.telegram.keyboards import button

RESULTS_LIST = "ct"


class CtRefineCb(CallbackData, prefix="ct-refine"):
    pass


class CtRestartCb(CallbackData, prefix="ct-again"):
    pass


def results_rows(t: Translator, *, found: bool) -> list[list[InlineKeyboardButton]]:
    """Under the results: [Refine] (when something was found) [Start over]."""
    actions = [button(t("content-btn-start-over"), CtRestartCb())]
    if found:
        actions.insert(0, button(t("content-btn-refine"), CtRefineCb()))
    return [actions]
