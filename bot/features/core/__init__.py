"""Core: /start /help /cancel /language, the users table, fallbacks and errors."""

from bot.features.core.router import COMMANDS, build_router
from bot.features.registry import Feature

feature = Feature(name="core", build_router=build_router, commands=COMMANDS)
