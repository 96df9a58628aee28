"""The intro flow: first name → last name → about → preview (Confirm / Edit / Cancel)."""

from aiogram.fsm.state import State, StatesGroup


class Intro(StatesGroup):
    waiting_for_first_name = State()
    waiting_for_last_name = State()
    waiting_for_about = State()
    confirming = State()
    choosing_field = State()
