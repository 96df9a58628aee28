"""The /forget flow: one confirmation card."""

from aiogram.fsm.state import State, StatesGroup


class Forget(StatesGroup):
    confirming = State()
