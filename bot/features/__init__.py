"""Features: each is a folder (router, states, keyboards, service, models) listed here once."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Router

from bot.features import (
    coffee,
    content,
    core,
    events,
    feedback,
    game,
    intro,
    moderation,
    privacy,
    profile,
    stats,
    topics,
    training,
    voting,
)
from bot.features.core.router import build_fallback_router
from bot.features.registry import Feature

# The order is the routing order: core early (/cancel works in every state), then features.
FEATURES: tuple[Feature, ...] = (
    # First of all: a member's message in a read-only topic is removed before any feature
    # takes it (a command, the content archive); it takes nothing else but group service
    # messages (passed on) and the bot's own membership in groups.
    moderation.feature,
    core.feature,
    # Before the others: it takes only its command and its own state's input, and a document
    # sent as feedback must not reach training's CSV import (which takes any private document).
    feedback.feature,
    intro.feature,
    profile.feature,
    content.feature,
    events.feature,
    topics.feature,
    voting.feature,
    coffee.feature,
    stats.feature,
    training.feature,
    game.feature,
    # Last: /forget and /export_me, and it watches members leave the community chat.
    privacy.feature,
)


def build_routers(features: Sequence[Feature] = FEATURES) -> list[Router]:
    """Fresh routers for one Dispatcher: used by the app and the tests alike."""
    known_states = frozenset().union(*(feature.state_names() for feature in features))
    routers = [feature.build_router() for feature in features]
    routers.append(build_fallback_router(known_states))
    return routers
