"""Training: vocabulary, spaced-repetition review, learning settings and reminders."""

from bot.features.registry import Feature
from bot.features.training.jobs import JOBS
from bot.features.training.router import COMMANDS, build_router
from bot.features.training.states import Review, TrainingAdd

feature = Feature(
    name="training",
    build_router=build_router,
    commands=COMMANDS,
    states=(TrainingAdd, Review),
    jobs=JOBS,
)
