"""Flows of /profile (edit a field, search) and of the admins' /profiles manager."""

from aiogram.fsm.state import State, StatesGroup


class ProfileEdit(StatesGroup):
    waiting_for_value = State()


class ProfileSearch(StatesGroup):
    # Results are shown while waiting: a new query typed at any time searches again.
    waiting_for_query = State()


class ProfileAdmin(StatesGroup):
    waiting_for_target = State()
    managing = State()
    waiting_for_value = State()
    # Remove profile pressed: the question (Remove / Back to the card).
    removing = State()
