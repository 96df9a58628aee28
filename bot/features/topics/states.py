"""The topics flows: proposing one, reading them, and managing them (admins)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class TopicAdd(StatesGroup):
    choosing_event = State()
    waiting_for_text = State()


class TopicsBrowse(StatesGroup):
    choosing_event = State()
    viewing = State()


class TopicsManage(StatesGroup):
    choosing_event = State()
    viewing = State()
