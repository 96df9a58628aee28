"""Topics: see router.py for the handlers and service.py for the domain logic."""

from bot.features.registry import Feature
from bot.features.topics.router import COMMANDS, build_router
from bot.features.topics.states import TopicAdd, TopicsBrowse, TopicsManage

feature = Feature(
    name="topics",
    build_router=build_router,
    commands=COMMANDS,
    states=(TopicAdd, TopicsBrowse, TopicsManage),
)
