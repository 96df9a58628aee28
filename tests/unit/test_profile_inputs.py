"""Intro cards and the paste-tail rule of the profile flows."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Chat, Message

from bot.features.profile.cards import card_text
from bot.features.profile.inputs import PasteTail, remember_answer
from bot.features.profile.service import CardData, fold, normalize_username
from bot.i18n import get_translator
from bot.telegram.prompts import PROMPT

T = get_translator("en")


def test_card_escapes_user_text_and_links_the_name() -> None:
    card = CardData(7, "<b>Mia</b>", "Tom & Jerry", "mia", "I <i>love</i> R&D")
    text = card_text(T, card)
    assert text.startswith('<a href="tg://user?id=7">&lt;b&gt;Mia&lt;/b&gt; Tom &amp; Jerry</a>')
    assert " · @mia" in text
    assert "I &lt;i&gt;love&lt;/i&gt; R&amp;D" in text


def test_card_without_username_or_about() -> None:
    text = card_text(T, CardData(7, "Mia", "", None, ""))
    assert "@" not in text
    assert "❌ missing" in text


def test_fold_and_usernames() -> None:
    assert fold("  ШАХМАТЫ   Chess ") == "шахматы chess"
    assert normalize_username("@Mia_W") == "Mia_W"
    assert normalize_username("mia w") is None
    assert normalize_username("1mia") is None


def message(message_id: int, date: int) -> Message:
    return Message(
        message_id=message_id,
        date=datetime.fromtimestamp(date, UTC),
        chat=Chat(id=5, type="private"),
        text="x",
    )


async def test_paste_tail_is_same_date_and_before_the_next_prompt() -> None:
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=5, user_id=5))
    tail = PasteTail()
    first = message(10, 1000)
    assert not await tail(first, state)  # nothing answered yet
    await remember_answer(first, state)
    await state.update_data({PROMPT: {"mid": 13, "text": "q", "markup": None}})
    assert await tail(message(11, 1000), state)  # the rest of the paste
    assert await tail(message(12, 1000), state)
    assert not await tail(message(14, 1000), state)  # typed after the prompt, same second
    assert not await tail(message(12, 1001), state)  # another second
