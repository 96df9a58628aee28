"""Jobs: due rows claimed by several runners at once are acted on exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, select, update

from bot.config import Settings
from bot.db.base import utcnow
from bot.db.engine import create_engine, create_session_factory
from bot.jobs.claim import for_claim
from bot.jobs.runner import Job, JobContext, JobRunner

metadata = MetaData()
deadlines = Table(
    "test_deadlines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True)),
    Column("fired_by", BigInteger),
)


async def _until(condition: Callable[[], bool]) -> None:
    # The runner loop is a background task: yield to it until it has done its round.
    while not condition():  # noqa: ASYNC110 - polling a plain list filled by the job
        await asyncio.sleep(0.01)


def make_job(acted: list[tuple[int, int]], runner_id: int) -> Job:
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

    return Job("fire-due", interval=0.01, run=fire_due)


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
