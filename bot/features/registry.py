"""What a feature brings to the app: its router, commands, flows and periodic jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiogram import Router
from aiogram.fsm.state import StatesGroup

from bot.jobs.runner import Job
from bot.telegram.commands import CommandSpec


@dataclass(frozen=True)
class Feature:
    name: str
    build_router: Callable[[], Router]
    commands: Sequence[CommandSpec] = ()
    states: Sequence[type[StatesGroup]] = ()
    jobs: Sequence[Job] = field(default_factory=tuple)

    def state_names(self) -> set[str]:
        return {
            state.state for group in self.states for state in group.__all_states__ if state.state
        }
