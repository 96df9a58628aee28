"""The one multi-step flow of training: /add without a pair asks for it."""

from aiogram.fsm.state import State, StatesGroup


class TrainingAdd(StatesGroup):
    waiting_for_pair = State()
