"""Buttons of the training feature: card grades, snooze, /clear, /settings.

A card's grade and snooze buttons are declared with the object they name
(bot.telegram.guards.declare_button): the open review session whose current card carries their
token. A press of an older card, of a session that ended or expired, or of another chat's card is
refused with the one stale alert before a handler runs.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.training.models import LearningSettings, TrainingSession
from bot.features.training.service import (
    CARDS_MAX,
    CARDS_MIN,
    GRADES,
    SETTING_FIELDS,
    SNOOZE_DAYS,
    offset_label,
    zone_offset,
)
from bot.i18n import Translator
from bot.telegram.guards import Target, declare_button
from bot.telegram.keyboards import button, keyboard

CARD_PRESETS = (5, 10, 20, 30)
GRADE_KEYS = {1: "training-grade-again", 2: "training-grade-hard", 3: "training-grade-good"}
GRADE_KEYS[4] = "training-grade-easy"


class TrGradeCb(CallbackData, prefix="trg"):
    """A grade of the card whose buttons carry `token` (1 Again … 4 Easy)."""

    token: int
    grade: int


class TrSnoozeCb(CallbackData, prefix="trz"):
    token: int
    days: int


async def card_target(
    session: AsyncSession, data: TrGradeCb | TrSnoozeCb, now: datetime
) -> Target | None:
    """The review session whose current card carries the token (the token changes at every
    step): open until it expires, for a grade it offers (snooze: only where Snooze is offered)."""
    stmt = select(
        TrainingSession.chat_id, TrainingSession.expires_at, TrainingSession.offer_snooze
    ).where(TrainingSession.token == data.token)
    row = (await session.execute(stmt.limit(1))).first()
    if row is None:
        return None
    if isinstance(data, TrGradeCb):
        offered = data.grade in GRADES
    else:
        offered = row.offer_snooze and data.days in SNOOZE_DAYS
    return Target(row.chat_id, open=offered and now < row.expires_at)


declare_button(TrGradeCb, target=card_target)
declare_button(TrSnoozeCb, target=card_target)


class TrClearCb(CallbackData, prefix="trc"):
    confirm: int  # 1 delete everything, 0 keep
    asked: int  # when the question was asked (Unix time): an old question expires


class TrSettingsCb(CallbackData, prefix="trs"):
    """Sets one field to an absolute value (a double press sets the same value again)."""

    what: str  # c cards, z choose the time zone, m/a/e reminder slots, x close, n nothing
    value: int


def grade_label(t: Translator, grade: int) -> str:
    return t(GRADE_KEYS[grade])


def card_keyboard(t: Translator, token: int, *, snooze: bool) -> InlineKeyboardMarkup:
    rows = [[button(grade_label(t, g), TrGradeCb(token=token, grade=g)) for g in (1, 2, 3, 4)]]
    if snooze:
        rows.append(
            [
                button(t("training-btn-snooze-day"), TrSnoozeCb(token=token, days=1)),
                button(t("training-btn-snooze-week"), TrSnoozeCb(token=token, days=7)),
            ]
        )
    return keyboard(rows)


def clear_keyboard(t: Translator, asked: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("training-btn-clear-confirm"), TrClearCb(confirm=1, asked=asked)),
                button(t("training-btn-clear-keep"), TrClearCb(confirm=0, asked=asked)),
            ]
        ]
    )


class TrZoneCb(CallbackData, prefix="trtz"):
    """A zone of the time-zone prompt's list: its index in the list shown (kept in FSM data)."""

    index: int


def zone_label(name: str, now: datetime) -> str:
    """Europe/Berlin (UTC+1): the zone and its offset now."""
    return f"{name} ({offset_label(zone_offset(name, now))})"


def zone_keyboard(t: Translator, zones: list[str], now: datetime) -> InlineKeyboardMarkup:
    """The zones to choose from, two a row, and Cancel."""
    buttons = [button(zone_label(name, now), TrZoneCb(index=i)) for i, name in enumerate(zones)]
    return keyboard([buttons[i : i + 2] for i in range(0, len(buttons), 2)], t=t)


def settings_keyboard(
    t: Translator, settings: LearningSettings, now: datetime
) -> InlineKeyboardMarkup:
    cards = settings.cards_per_session

    def cb(what: str, value: int) -> TrSettingsCb:
        return TrSettingsCb(what=what, value=value)

    def toggle(what: str, key: str) -> InlineKeyboardButton:
        on = bool(getattr(settings, SETTING_FIELDS[what]))
        return button(t(key) + (" ✅" if on else " ❌"), cb(what, 0 if on else 1))

    rows = [
        [
            button("−", cb("c", max(cards - 1, CARDS_MIN))),
            button(t("training-settings-cards-button", cards=str(cards)), cb("n", 0)),
            button("+", cb("c", min(cards + 1, CARDS_MAX))),
        ],
        [button(str(n), cb("c", n)) for n in CARD_PRESETS],
    ]
    rows.append(
        [
            toggle("m", "training-settings-morning"),
            toggle("a", "training-settings-afternoon"),
            toggle("e", "training-settings-evening"),
        ]
    )
    rows += [
        [
            button(
                t("training-settings-zone-button", zone=zone_label(settings.time_zone, now)),
                cb("z", 0),
            )
        ],
        [button(t("training-btn-close"), cb("x", 0))],
    ]
    return keyboard(rows)
