"""The admin flows of events: setup, edit, start, finish, delete."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class EventSetup(StatesGroup):
    waiting_for_name = State()
    waiting_for_type = State()
    waiting_for_start = State()
    confirming = State()
    choosing_field = State()  # Edit on the confirmation card


class EventEdit(StatesGroup):
    choosing_event = State()
    choosing_field = State()
    waiting_for_name = State()
    waiting_for_type = State()
    waiting_for_start = State()


class EventStart(StatesGroup):
    choosing_event = State()
    waiting_for_link = State()
    confirming = State()


class EventFinish(StatesGroup):
    choosing_event = State()


class EventDelete(StatesGroup):
    choosing_event = State()
    confirming = State()
