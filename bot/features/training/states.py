"""The flows of training: /add without a pair asks for it; a review waits for its card's answer.

The review session itself is a row (bot.features.training.models.TrainingSession); the state only
routes the typed answers to it, so that no other flow takes them and the review takes no other
flow's.
"""

from aiogram.fsm.state import State, StatesGroup


class TrainingAdd(StatesGroup):
    waiting_for_pair = State()


class Review(StatesGroup):
    answering = State()


class TimeZone(StatesGroup):
    """/settings: the zone is chosen from a list, or searched for by a typed city or name."""

    choosing = State()
