"""The /feedback flow: one prompt, the member's next message goes to the admins."""

from aiogram.fsm.state import State, StatesGroup


class Feedback(StatesGroup):
    waiting = State()
