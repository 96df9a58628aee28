"""Buttons of the topics lists (the "pick an event" list comes from events.keyboards)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.topics.models import Topic
from bot.i18n import Translator
from bot.telegram.guards import Target, declare_button
from bot.telegram.keyboards import Page, button, keyboard, pager_row

BROWSE_LIST = "tp"  # PageCb.list_id of /topics
MANAGE_LIST = "tpm"  # PageCb.list_id of /topics_manage


class TopicDeleteCb(CallbackData, prefix="tpdel"):
    topic_id: int


async def topic_target(session: AsyncSession, data: TopicDeleteCb, _now: datetime) -> Target | None:
    """The topic a Delete button names (admins, in their private chat): gone once deleted."""
    found = await session.scalar(select(Topic.id).where(Topic.id == data.topic_id))
    return Target(None) if found is not None else None


declare_button(TopicDeleteCb, target=topic_target)


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
