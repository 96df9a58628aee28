"""The /start greeting with its Help button: core's /start and the intro (a newcomer's /start)
both send it."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard

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
