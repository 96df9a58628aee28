"""The /content search flow: a query, results (refine / start over)."""

from aiogram.fsm.state import State, StatesGroup


class ContentSearch(StatesGroup):
    waiting_for_query = State()
    browsing = State()
    waiting_for_refinement = State()
