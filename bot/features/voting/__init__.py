"""Voting: see router.py for the handlers and service.py for the domain logic."""

from bot.features.registry import Feature
from bot.features.voting.router import build_router

feature = Feature(name="voting", build_router=build_router)
