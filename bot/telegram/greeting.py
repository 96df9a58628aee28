"""The /start greeting with its Help button: core's /start and the intro (a newcomer's /start)
both send it. Someone not in the community yet gets the invitation with a Join button instead."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard, url_button

# The Help button's callback data: what core's HelpCb packs to (core answers it with /help).
HELP_DATA = "help"


def help_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([[button(t("btn-help"), HELP_DATA)]])


async def greet(message: Message, t: Translator) -> None:
    """The /start greeting with its Help button."""
    assert message.from_user is not None
    await message.answer(
        t("start-greeting", name=message.from_user.first_name), reply_markup=help_keyboard(t)
    )


async def invite(message: Message, t: Translator, link: str) -> None:
    """/start of someone not in the community chat: a short invitation with a Join button."""
    assert message.from_user is not None
    await message.answer(
        t("start-invite", name=message.from_user.first_name),
        reply_markup=keyboard([[url_button(t("btn-join"), link)]]),
    )
