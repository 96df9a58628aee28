"""Typed answers of the profile flows: one long paste split by Telegram counts only once.

Telegram delivers a long paste as several messages from the same sender with the same `date`,
one right after the other, before the bot could answer the first. An answer is remembered with
its date and id; a later message with the same date that arrived before the prompt that followed
the answer (a lower message id) is the tail of that paste and is ignored, with one notice.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.i18n import Translator
from bot.telegram.prompts import PROMPT

ANSWER = "_answer"


def _date(message: Message) -> int:
    return int(message.date.timestamp())


async def remember_answer(message: Message, state: FSMContext) -> None:
    """Call for every typed answer taken (or refused) before asking the next prompt."""
    await state.update_data({ANSWER: {"date": _date(message), "mid": message.message_id}})


class PasteTail(Filter):
    """A message that is the continuation of the previous answer's paste."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        data = await state.get_data()
        answer: Any = data.get(ANSWER)
        if not isinstance(answer, dict) or message.date is None:
            return False
        prompt: Any = data.get(PROMPT)
        before_prompt = not isinstance(prompt, dict) or message.message_id < prompt.get("mid", 0)
        return bool(
            answer.get("date") == _date(message)
            and message.message_id > answer.get("mid", 0)
            and before_prompt
        )


async def on_paste_tail(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    answer = dict(data[ANSWER])
    if answer.get("noticed"):
        return
    answer["noticed"] = True
    await state.update_data({ANSWER: answer})
    await message.answer(t("profile-paste-ignored"))
