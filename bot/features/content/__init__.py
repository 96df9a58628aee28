"""Content: the archive of the community's content topic and its search (/content)."""

from bot.features.content.router import COMMANDS, build_router
from bot.features.content.states import ContentSearch
from bot.features.registry import Feature

feature = Feature(
    name="content", build_router=build_router, commands=COMMANDS, states=(ContentSearch,)
)
