"""Jobs: due rows claimed by several runners at once are acted on exactly once; a job runs
when its work is due (its next due row, a wake-up), not by polling."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.base import UtcDateTime, utcnow
from bot.db.engine import create_engine, create_session_factory
from bot.jobs.claim import for_claim
from bot.jobs.runner import Job, JobContext, JobRunner, seconds_until, wake_on_commit

metadata = MetaData()
deadlines = Table(
    "test_deadlines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("fired_at", UtcDateTime()),
    Column("fired_by", BigInteger),
)


async def _until(condition: Callable[[], bool]) -> None:
    # The runner loop is a background task: yield to it until it has done its round.
    while not condition():  # noqa: ASYNC110 - polling a plain list filled by the job
        await asyncio.sleep(0.01)


async def next_due(context: JobContext) -> float | None:
    async with context.session_factory() as session:
        moment = await session.scalar(
            select(func.min(deadlines.c.due_at)).where(deadlines.c.fired_at.is_(None))
        )
    return seconds_until(moment, context.now())


def make_job(
    acted: list[tuple[int, int]], runner_id: int, *, interval: float = 0.01, due: bool = False
) -> Job:
    async def fire_due(context: JobContext) -> int:
        async with context.session_factory() as session, session.begin():
            stmt = (
                select(deadlines.c.id)
                .where(deadlines.c.due_at <= context.now(), deadlines.c.fired_at.is_(None))
                .order_by(deadlines.c.id)
                .limit(7)
            )
            ids = list((await session.scalars(for_claim(session, stmt))).all())
            for row_id in ids:
                await asyncio.sleep(0)  # the "send": give the other runner a chance to race
                acted.append((row_id, runner_id))
            if ids:
                await session.execute(
                    update(deadlines)
                    .where(deadlines.c.id.in_(ids))
                    .values(fired_at=context.now(), fired_by=runner_id)
                )
            return len(ids)

    return Job("fire-due", interval=interval, run=fire_due, until_due=next_due if due else None)


async def test_two_runners_on_postgres_act_once_per_row(pg_url: str) -> None:
    engines = [create_engine(pg_url), create_engine(pg_url)]
    try:
        async with engines[0].begin() as conn:
            await conn.run_sync(metadata.create_all)
            now = utcnow()
            await conn.execute(
                deadlines.insert(),
                [{"id": i, "due_at": now - timedelta(minutes=1)} for i in range(1, 201)]
                + [{"id": 1000, "due_at": now + timedelta(hours=1)}],
            )
        acted: list[tuple[int, int]] = []
        runners = [
            JobRunner(
                [make_job(acted, runner_id)],
                JobContext(
                    bot=None,  # type: ignore[arg-type]
                    session_factory=create_session_factory(engine),
                    settings=Settings(),
                ),
            )
            for runner_id, engine in enumerate(engines)
        ]

        async def drain(runner: JobRunner) -> None:
            while await runner.run_once("fire-due"):
                pass

        await asyncio.gather(*(drain(runner) for runner in runners))
        ids = [row_id for row_id, _ in acted]
        assert sorted(ids) == list(range(1, 201)), "every due row acted on exactly once"
        assert {runner_id for _, runner_id in acted} == {0, 1}, "both runners took part"
        async with engines[0].connect() as conn:
            not_due = (await conn.execute(select(deadlines).where(deadlines.c.id == 1000))).one()
            assert not_due.fired_at is None
    finally:
        for engine in engines:
            await engine.dispose()


async def test_runner_loop_picks_up_work_due_before_start_and_stops_cleanly(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.execute(
                deadlines.insert(), [{"id": 1, "due_at": utcnow() - timedelta(days=2)}]
            )
        acted: list[tuple[int, int]] = []
        runner = JobRunner(
            [make_job(acted, 7)],
            JobContext(
                bot=None,  # type: ignore[arg-type]
                session_factory=create_session_factory(engine),
                settings=Settings(),
            ),
        )
        runner.start()
        await asyncio.wait_for(_until(lambda: bool(acted)), timeout=10)
        await runner.stop()
        assert acted == [(1, 7)]
    finally:
        await engine.dispose()


# --- when a job runs ---------------------------------------------------------------------------

AN_HOUR = 3600.0


def runner_for(engine: AsyncEngine, job: Job) -> JobRunner:
    context = JobContext(
        bot=None,  # type: ignore[arg-type]
        session_factory=create_session_factory(engine),
        settings=Settings(),
    )
    return JobRunner([job], context)


async def asleep_for(runner: JobRunner, name: str) -> float:
    """Until the job is between two looks; the seconds it will sleep."""
    while (left := runner.asleep(name)) is None:  # noqa: ASYNC110 - state of a background task
        await asyncio.sleep(0.01)
    return left


async def with_rows(engine: AsyncEngine, *due_in: float) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        now = utcnow()
        rows = [{"due_at": now + timedelta(seconds=s)} for s in due_in]
        if rows:
            await conn.execute(deadlines.insert(), rows)


async def test_a_job_sleeps_until_its_next_due_row_not_its_interval(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await with_rows(engine, 3.0)
        acted: list[tuple[int, int]] = []
        runner = runner_for(engine, make_job(acted, 1, interval=AN_HOUR, due=True))
        runner.start()
        try:
            # Polling every hour, the row would wait an hour: it is acted on once it is due.
            await asyncio.wait_for(_until(lambda: bool(acted)), timeout=60)
            await asyncio.wait_for(
                _until(lambda: (runner.asleep("fire-due") or 0) > AN_HOUR - 600), timeout=60
            )  # then nothing is pending: it sleeps the interval
            assert await runner.until_due("fire-due") is None
        finally:
            await runner.stop()
        assert acted == [(1, 1)]
    finally:
        await engine.dispose()


async def test_a_job_is_woken_by_a_deadline_committed_in_this_process(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await with_rows(engine)
        acted: list[tuple[int, int]] = []
        runner = runner_for(engine, make_job(acted, 1, interval=AN_HOUR, due=True))
        runner.start()
        try:
            assert await asleep_for(runner, "fire-due") > AN_HOUR - 600  # nothing pending
            factory = create_session_factory(engine)
            async with factory() as session, session.begin():
                later = utcnow() + timedelta(minutes=30)
                await session.execute(deadlines.insert().values(id=1, due_at=later))
                wake_on_commit(session, "fire-due")
            # Woken, it looks again and sleeps until that row is due, not a whole interval.
            await asyncio.wait_for(
                _until(lambda: (runner.asleep("fire-due") or AN_HOUR) <= 1800), timeout=60
            )
            assert await asleep_for(runner, "fire-due") > 1800 - 600
            async with factory() as session, session.begin():
                await session.execute(deadlines.insert().values(id=2, due_at=utcnow()))
                wake_on_commit(session, "fire-due")
            await asyncio.wait_for(_until(lambda: bool(acted)), timeout=60)
        finally:
            await runner.stop()
        assert acted == [(2, 1)]
    finally:
        await engine.dispose()


async def test_more_rows_due_than_a_round_takes_are_done_without_waiting(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url)
    try:
        await with_rows(engine, *([-60.0] * 20))  # a round takes 7
        acted: list[tuple[int, int]] = []
        runner = runner_for(engine, make_job(acted, 1, interval=AN_HOUR, due=True))
        runner.start()
        try:
            await asyncio.wait_for(_until(lambda: len(acted) == 20), timeout=60)
            assert await asleep_for(runner, "fire-due") > AN_HOUR - 600
        finally:
            await runner.stop()
        assert sorted(row_id for row_id, _ in acted) == list(range(1, 21))
    finally:
        await engine.dispose()


async def test_a_round_that_does_nothing_although_work_is_due_waits_the_interval() -> None:
    """A row that fails, or that another process holds, is not retried in a busy loop."""
    runs: list[int] = []

    async def run(_context: JobContext) -> int:
        runs.append(1)
        return 0  # the due row could not be taken

    async def always_due(_context: JobContext) -> float:
        return 0.0

    job = Job("stuck", interval=AN_HOUR, run=run, until_due=always_due)
    runner = JobRunner([job], JobContext(bot=None, session_factory=None, settings=Settings()))  # type: ignore[arg-type]
    runner.start()
    try:
        # The start round, then a look (due), a round that did nothing: the interval.
        assert await asleep_for(runner, "stuck") > AN_HOUR - 600
        assert len(runs) == 2
    finally:
        await runner.stop()


async def test_a_job_without_until_due_runs_every_interval_and_on_a_wake() -> None:
    runs: list[int] = []

    async def run(_context: JobContext) -> int:
        runs.append(1)
        return 1

    runner = JobRunner(
        [Job("plain", interval=AN_HOUR, run=run)],
        JobContext(bot=None, session_factory=None, settings=Settings()),  # type: ignore[arg-type]
    )
    runner.start()
    try:
        assert await asleep_for(runner, "plain") > AN_HOUR - 600
        assert len(runs) == 1
        runner.wake("plain")
        await asyncio.wait_for(_until(lambda: len(runs) == 2), timeout=60)
    finally:
        await runner.stop()
