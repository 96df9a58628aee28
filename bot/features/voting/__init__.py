"""Voting: group sessions, timed proposals and votes (router.py, service.py, jobs.py)."""

from bot.features.registry import Feature
from bot.features.voting.jobs import JOBS
from bot.features.voting.router import COMMANDS, build_router

feature = Feature(name="voting", build_router=build_router, commands=COMMANDS, jobs=JOBS)
