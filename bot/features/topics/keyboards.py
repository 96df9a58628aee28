"""Buttons of the topics lists (the "pick an event" list comes from events.keyboards)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.telegram.keyboards import Page, button, keyboard, pager_row

BROWSE_LIST = "tp"  # PageCb.list_id of /topics
MANAGE_LIST = "tpm"  # PageCb.list_id of /topics_manage


class TopicDeleteCb(CallbackData, prefix="tpdel"):
    topic_id: int


def browse_keyboard(t: Translator, page: Page) -> InlineKeyboardMarkup:
    return keyboard([pager_row(t, BROWSE_LIST, page.number, page.pages)], t=t, back=True)


def manage_keyboard(t: Translator, page: Page, topic_ids: Sequence[int]) -> InlineKeyboardMarkup:
    """A delete button per listed topic (numbered as in the text), the pager, Back, Cancel."""
    deletes: list[InlineKeyboardButton] = [
        button(
            t("topics-btn-delete", number=str(page.offset + index + 1)), TopicDeleteCb(topic_id=tid)
        )
        for index, tid in enumerate(topic_ids)
    ]
    rows = [deletes[:3], deletes[3:], pager_row(t, MANAGE_LIST, page.number, page.pages)]
    return keyboard(rows, t=t, back=True)
