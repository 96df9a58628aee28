"""Buttons of the events flows, and the "pick an event" list shared with topics."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.features.events.models import Event
from bot.features.events.service import EVENT_TYPES, format_local
from bot.i18n import Html, Translator
from bot.telegram.keyboards import button, choice_rows, confirm_rows, keyboard, url_button

# What a "pick an event" list is for (the `action` of EventPickCb).
PICK_EDIT = "edit"
PICK_START = "start"
PICK_FINISH = "finish"
PICK_DELETE = "delete"
PICK_TOPIC_ADD = "tadd"
PICK_TOPICS = "tlist"
PICK_TOPICS_MANAGE = "tman"
ADMIN_PICKS = frozenset({PICK_EDIT, PICK_START, PICK_FINISH, PICK_DELETE})

# Fields of an event an admin can change.
FIELDS: tuple[str, ...] = ("name", "type", "start")


class EventPickCb(CallbackData, prefix="evpick"):
    action: str
    event_id: int


class EventTypeCb(CallbackData, prefix="evtype"):
    kind: str


class EventFieldCb(CallbackData, prefix="evfield"):
    field: str


class EventConfirmCb(CallbackData, prefix="evok"):
    """Confirm of the setup card, of starting an event and of deleting one."""


class EventEditCardCb(CallbackData, prefix="evedit"):
    """Edit on the setup card."""


def type_label(t: Translator, kind: str) -> str:
    return t(f"events-type-{kind.replace('_', '-')}")


def field_label(t: Translator, field: str) -> str:
    return t(f"events-field-{field}")


def pick_event_keyboard(
    t: Translator,
    events: Sequence[Event],
    action: str,
    tz: ZoneInfo,
    *,
    back: bool = False,
) -> InlineKeyboardMarkup:
    """One button per event ("name · 12.01.2026 19:00"), then [Back] [Cancel]."""
    rows = [
        [
            button(
                # Button labels are plain text, not HTML: the name goes in unescaped.
                t(
                    "events-pick-item",
                    name=Html(event.name),
                    start=format_local(event.starts_at, tz),
                ),
                EventPickCb(action=action, event_id=event.id),
            )
        ]
        for event in events
    ]
    return keyboard(rows, t=t, back=back)


def type_keyboard(t: Translator, *, back: bool) -> InlineKeyboardMarkup:
    options = [(type_label(t, kind), EventTypeCb(kind=kind)) for kind in EVENT_TYPES]
    return keyboard(choice_rows(options, per_row=2), t=t, back=back)


def field_keyboard(t: Translator, *, back: bool = True) -> InlineKeyboardMarkup:
    rows = [[button(field_label(t, field), EventFieldCb(field=field)) for field in FIELDS]]
    return keyboard(rows, t=t, back=back)


def setup_card_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(confirm_rows(t, EventConfirmCb(), EventEditCardCb()), t=t, back=True)


def confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(confirm_rows(t, EventConfirmCb()), t=t, back=True)


def prompt_keyboard(t: Translator, *, back: bool) -> InlineKeyboardMarkup:
    return keyboard(t=t, back=back)


def join_keyboard(t: Translator, link: str) -> InlineKeyboardMarkup:
    row: list[InlineKeyboardButton] = [url_button(t("events-btn-join"), link)]
    return keyboard([row])
