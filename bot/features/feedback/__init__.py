"""Feedback: /feedback passes a member's next message on to the admins."""

from bot.features.feedback.router import COMMANDS, build_router
from bot.features.feedback.states import Feedback
from bot.features.registry import Feature

feature = Feature(name="feedback", build_router=build_router, commands=COMMANDS, states=(Feedback,))
