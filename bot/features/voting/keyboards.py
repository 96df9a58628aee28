"""Buttons of the voting cards: Join / Skip on a session card, Yes / No on a proposal card."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard


class JoinCb(CallbackData, prefix="vtj"):
    session_id: int


class SkipCb(CallbackData, prefix="vts"):
    session_id: int


class VoteCb(CallbackData, prefix="vtv"):
    proposal_id: int
    choice: str  # "yes" or "no"


def session_keyboard(t: Translator, session_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("voting-btn-join"), JoinCb(session_id=session_id)),
                button(t("voting-btn-skip"), SkipCb(session_id=session_id)),
            ]
        ]
    )


def proposal_keyboard(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("voting-btn-yes"), VoteCb(proposal_id=proposal_id, choice="yes")),
                button(t("voting-btn-no"), VoteCb(proposal_id=proposal_id, choice="no")),
            ]
        ]
    )
