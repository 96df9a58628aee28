"""Data rights: /forget, /export_me, and the intro card of members who leave."""

from bot.features.privacy.router import COMMANDS, build_router
from bot.features.privacy.states import Forget
from bot.features.registry import Feature

feature = Feature(name="privacy", build_router=build_router, commands=COMMANDS, states=(Forget,))
