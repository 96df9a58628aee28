"""Game: a quick quiz over the learner's vocabulary, with stored statistics."""

from bot.features.game.jobs import JOBS
from bot.features.game.router import COMMANDS, build_router
from bot.features.game.states import Game
from bot.features.registry import Feature

feature = Feature(
    name="game", build_router=build_router, commands=COMMANDS, states=(Game,), jobs=JOBS
)
