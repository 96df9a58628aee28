"""The periodic jobs runner: each registered job runs every `interval` seconds.

A job finds due work in the database (deadlines are columns, never sleeps), so it picks up
what fell due while the bot was down, and claims rows (see bot.jobs.claim) so that
several processes running the same job never act twice on one row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.db.base import utcnow
from bot.metrics import JOB_LAG, JOB_RUNS, JOB_SECONDS

if TYPE_CHECKING:
    from aiogram import Bot
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    bot: Bot
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Callable[[], datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


@dataclass(frozen=True)
class Job:
    """`run` every `interval` seconds, or sooner when `wake` is set (new work in this process)."""

    name: str
    interval: float
    run: Callable[[JobContext], Awaitable[object]]
    wake: asyncio.Event | None = None


class JobRunner:
    def __init__(self, jobs: list[Job], context: JobContext) -> None:
        names = [job.name for job in jobs]
        if len(names) != len(set(names)):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = {job.name: job for job in jobs}
        self.context = context
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._busy: dict[str, asyncio.Lock] = {name: asyncio.Lock() for name in self.jobs}

    async def run_once(self, name: str) -> object:
        """Run one job now (the loop uses it; tests and `agora worker --once` too)."""
        async with self._busy[name]:
            return await self.jobs[name].run(self.context)

    def start(self) -> None:
        self._stopping.clear()
        for job in self.jobs.values():
            self._tasks.append(asyncio.create_task(self._loop(job), name=f"job:{job.name}"))
        log.info("jobs started: %s", ", ".join(self.jobs) or "none")

    async def stop(self) -> None:
        """Let a running job finish its round, then stop the loops."""
        self._stopping.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _loop(self, job: Job) -> None:
        loop = asyncio.get_running_loop()
        due: float | None = None  # when this round should have started
        while not self._stopping.is_set():
            started = loop.time()
            if due is not None:
                JOB_LAG.labels(job.name).set(max(0.0, started - due))
            try:
                await self.run_once(job.name)
            except Exception:
                JOB_RUNS.labels(job.name, "failed").inc()
                log.exception("job %s failed", job.name)
            else:
                JOB_RUNS.labels(job.name, "ok").inc()
            finally:
                JOB_SECONDS.labels(job.name).observe(loop.time() - started)
            due = loop.time() + job.interval
            await self._pause(job)
            if job.wake is not None and job.wake.is_set():
                due = None  # woken early on purpose: no lag to speak of

    async def _pause(self, job: Job) -> None:
        """Until the next round: the interval, a wake-up, or the stop, whichever comes first."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if job.wake is not None:
            waits.append(asyncio.ensure_future(job.wake.wait()))
        try:
            await asyncio.wait(waits, timeout=job.interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
