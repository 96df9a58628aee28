"""Moderation: read-only topics, a tidy community chat, and the bot's own rights checked."""

from bot.features.moderation.jobs import rights_job
from bot.features.moderation.router import build_router
from bot.features.registry import Feature

feature = Feature(name="moderation", build_router=build_router, jobs=(rights_job,))
