"""The game's flow: while a game is open its typed answers are this state's input.

The open game itself is a row (bot.features.game.models); the state only routes the answers,
so that no other flow takes them and a game takes no other flow's.
"""

from aiogram.fsm.state import State, StatesGroup


class Game(StatesGroup):
    answering = State()
