"""The buttons of /forget's confirmation card."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard


class PvForgetCb(CallbackData, prefix="pv-forget"):
    pass


def forget_keyboard(t: Translator) -> InlineKeyboardMarkup:
    """Delete everything, then the flow's Cancel (core's: it keeps everything)."""
    return keyboard([[button(t("privacy-btn-forget"), PvForgetCb())]], t=t)
