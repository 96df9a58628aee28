"""/stats: flow runs (bot.telegram.runs) and the community's figures, for admins."""

from bot.features.registry import Feature
from bot.features.stats.router import COMMANDS, build_router

feature = Feature(name="stats", build_router=build_router, commands=COMMANDS)
