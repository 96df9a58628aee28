"""Intro: onboarding of a new member, ending with the intro card in the community chat."""

from bot.features.intro.router import COMMANDS, build_router
from bot.features.intro.states import Intro
from bot.features.registry import Feature

feature = Feature(name="intro", build_router=build_router, commands=COMMANDS, states=(Intro,))
