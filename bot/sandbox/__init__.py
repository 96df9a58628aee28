"""Offline Telegram: a fake Bot API server over HTTP, its world state and a test client."""

from bot.sandbox.client import ChatMessage, GroupActor, Reply, UserActor
from bot.sandbox.limits import Limits, ManualClock, Rate
from bot.sandbox.models import CallbackAnswer, RequestRecord, Violation
from bot.sandbox.server import FakeTelegram
from bot.sandbox.world import SandboxEvent, SandboxTimeout, World

__all__ = [
    "CallbackAnswer",
    "ChatMessage",
    "FakeTelegram",
    "GroupActor",
    "Limits",
    "ManualClock",
    "Rate",
    "Reply",
    "RequestRecord",
    "SandboxEvent",
    "SandboxTimeout",
    "UserActor",
    "Violation",
    "World",
]
