"""Training: vocabulary, spaced-repetition review, learning settings and reminders."""

from bot.features.registry import Feature
from bot.features.training.router import COMMANDS, build_router, run_cleanup, run_reminders
from bot.features.training.states import TrainingAdd
from bot.jobs.runner import Job

feature = Feature(
    name="training",
    build_router=build_router,
    commands=COMMANDS,
    states=(TrainingAdd,),
    jobs=(
        Job("training-reminders", interval=60, run=run_reminders),
        Job("training-cleanup", interval=3600, run=run_cleanup),
    ),
)
