"""Content: see router.py for the handlers and service.py for the domain logic."""

from bot.features.content.router import build_router
from bot.features.registry import Feature

feature = Feature(name="content", build_router=build_router)
