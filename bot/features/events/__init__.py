"""Events: see router.py for the handlers, service.py for the domain logic, jobs.py for posts."""

from bot.features.events.jobs import reminders_job
from bot.features.events.router import COMMANDS, build_router
from bot.features.events.states import (
    EventDelete,
    EventEdit,
    EventFinish,
    EventSetup,
    EventStart,
)
from bot.features.registry import Feature

feature = Feature(
    name="events",
    build_router=build_router,
    commands=COMMANDS,
    states=(EventSetup, EventEdit, EventStart, EventFinish, EventDelete),
    jobs=(reminders_job,),
)
