"""Game: a quick quiz over the learner's vocabulary, with stored statistics."""

from bot.features.game.router import COMMANDS, build_router, run_cleanup, run_timeouts
from bot.features.registry import Feature
from bot.jobs.runner import Job

feature = Feature(
    name="game",
    build_router=build_router,
    commands=COMMANDS,
    jobs=(
        Job("game-timeout", interval=30, run=run_timeouts),
        Job("game-cleanup", interval=3600, run=run_cleanup),
    ),
)
