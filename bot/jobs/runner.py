"""The periodic jobs runner: each job runs when its work is due, and otherwise sleeps.

A job finds due work in the database (deadlines are columns, never sleeps), so it picks up
what fell due while the bot was down, and claims rows (see bot.jobs.claim) so that
several processes running the same job never act twice on one row.

When a job runs:

- Every job runs once when the runner starts.
- A job with `until_due` (the seconds until its earliest row falls due, from one cheap read)
  runs only when something is due, and sleeps until then; an idle bot makes one such read per
  job every `interval` seconds and nothing else. After a round that did something it looks
  again at once (more rows may be due than one round takes); after a round that did nothing
  although a row was due (it failed, or another process holds it) it waits `interval`.
- A job without it runs every `interval` seconds.
- Either wakes early when its `wake` event is set, or when `wake(name)` is called: new work
  committed in this process (`wake_on_commit` in the transaction that writes it). Work that
  other processes commit is found at the next look, at most `interval` seconds later.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.db.base import utcnow
from bot.db.context import on_commit
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

    def now(self) -> datetime:
        return self.clock()


def seconds_until(moment: datetime | None, now: datetime) -> float | None:
    """For `until_due`: the seconds from `now` to `moment` (None stays None)."""
    return None if moment is None else (moment - now).total_seconds()


@dataclass(frozen=True)
class Job:
    """`run` when work is due (see the module's doc).

    `until_due(context)`: seconds until the job has work (0 or less: now; None: nothing
    pending). `run(context)` returns what it did, truthy when it did anything (e.g. a count).
    """

    name: str
    interval: float
    run: Callable[[JobContext], Awaitable[object]]
    wake: asyncio.Event | None = None
    until_due: Callable[[JobContext], Awaitable[float | None]] | None = None


# Every runner of this process, for `wake` (an app and a worker may share a process in tests).
_runners: weakref.WeakSet[JobRunner] = weakref.WeakSet()


def wake(name: str) -> None:
    """Have job `name` look for due work now, in every runner of this process."""
    for runner in list(_runners):
        runner.wake(name)


@functools.cache
def _waker(name: str) -> Callable[[], None]:
    # One callable per job: on_commit registers a callback once per transaction.
    return functools.partial(wake, name)


def wake_on_commit(session: AsyncSession, name: str) -> None:
    """Wake job `name` once the session's transaction commits (its new deadline is visible)."""
    on_commit(session, _waker(name))


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
        self._wakes: dict[str, asyncio.Event] = {
            job.name: job.wake if job.wake is not None else asyncio.Event() for job in jobs
        }
        self._asleep_until: dict[str, float] = {}  # loop time each pausing job looks again
        _runners.add(self)

    def wake(self, name: str) -> None:
        """Have job `name` look for due work now (nothing when this runner has no such job)."""
        event = self._wakes.get(name)
        if event is not None:
            event.set()

    async def run_once(self, name: str) -> object:
        """Run one job now (the loop uses it; tests too)."""
        async with self._busy[name]:
            return await self.jobs[name].run(self.context)

    def asleep(self, name: str) -> float | None:
        """Seconds until job `name` looks for work again (None: it is looking or running)."""
        until = self._asleep_until.get(name)
        return None if until is None else max(0.0, until - asyncio.get_running_loop().time())

    async def until_due(self, name: str) -> float | None:
        """Seconds until job `name` has work (0 for a job that cannot tell: run it)."""
        job = self.jobs[name]
        if job.until_due is None:
            return 0.0
        return await job.until_due(self.context)

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
        woken = self._wakes[job.name]
        planned: float | None = None  # when an interval round should have started
        first = True  # every job runs once at the start
        while not self._stopping.is_set():
            woken.clear()  # set again meanwhile: the pause below ends at once
            delay = 0.0 if first else await self._check(job)
            pause = job.interval
            if delay is None:
                planned = None  # nothing pending: look again after the interval
            elif delay > 0:
                pause, planned = min(delay, job.interval), None
            else:
                started = loop.time()
                if job.until_due is not None:
                    JOB_LAG.labels(job.name).set(max(0.0, -delay))  # late after falling due
                elif planned is not None:
                    JOB_LAG.labels(job.name).set(max(0.0, started - planned))
                did = await self._round(job)
                if job.until_due is not None and (did or first):
                    pause = 0.0  # more may be due than one round takes: look again now
                planned = loop.time() + job.interval
            first = False
            if pause > 0:
                await self._pause(job, pause)
                if woken.is_set():
                    planned = None  # woken early on purpose: no lag to speak of

    async def _check(self, job: Job) -> float | None:
        """Seconds until the job has work; a failed look counts as due (the job then runs,
        as without `until_due`)."""
        try:
            return await self.until_due(job.name)
        except Exception:
            log.exception("job %s: looking for due work failed", job.name)
            return 0.0

    async def _round(self, job: Job) -> bool:
        """One run of the job; whether it did anything."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            result = await self.run_once(job.name)
        except Exception:
            JOB_RUNS.labels(job.name, "failed").inc()
            log.exception("job %s failed", job.name)
            return False
        else:
            JOB_RUNS.labels(job.name, "ok").inc()
            return bool(result)
        finally:
            JOB_SECONDS.labels(job.name).observe(loop.time() - started)

    async def _pause(self, job: Job, seconds: float) -> None:
        """`seconds`, or until a wake-up or the stop, whichever comes first."""
        waits = [
            asyncio.ensure_future(self._stopping.wait()),
            asyncio.ensure_future(self._wakes[job.name].wait()),
        ]
        self._asleep_until[job.name] = asyncio.get_running_loop().time() + seconds
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._asleep_until.pop(job.name, None)
            for waiting in waits:
                waiting.cancel()
