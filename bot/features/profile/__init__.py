"""Profile: /profile (card, edit, search) and the admins' /profiles manager."""

from bot.features.profile.router import COMMANDS, build_router
from bot.features.profile.states import ProfileAdmin, ProfileEdit, ProfileSearch
from bot.features.registry import Feature

feature = Feature(
    name="profile",
    build_router=build_router,
    commands=COMMANDS,
    states=(ProfileEdit, ProfileSearch, ProfileAdmin),
)
