"""Random Coffee: a weekly poll in the community chat, then pairs (router, service, jobs)."""

from bot.features.coffee.jobs import JOBS
from bot.features.coffee.router import COMMANDS, build_router
from bot.features.registry import Feature

feature = Feature(name="coffee", build_router=build_router, commands=COMMANDS, jobs=JOBS)
