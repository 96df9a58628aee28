"""The greeting's Help button is core's HelpCb (bot.telegram.greeting cannot import core)."""

from bot.features.core.keyboards import HelpCb
from bot.telegram.greeting import HELP_DATA


def test_help_button_packs_to_core_help_callback() -> None:
    assert HelpCb().pack() == HELP_DATA
    assert HelpCb.filter().callback_data.unpack(HELP_DATA) == HelpCb()
