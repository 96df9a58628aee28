"""Migrations: every revision upgrades, downgrades and upgrades again; models match them."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.metadata import load_all_models
from bot.db.migrate import alembic_config, downgrade, upgrade


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def _pending_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, load_all_models()))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_there_is_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


async def test_stairway(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        revisions = _revisions()
        assert revisions, "no migrations found"
        previous = "base"
        for revision in revisions:
            await upgrade(engine, revision)
            await downgrade(engine, previous)
            await upgrade(engine, revision)
            previous = revision
        async with engine.connect() as connection:
            assert await connection.run_sync(_pending_diff) == []
            assert await connection.run_sync(_tables) == set(load_all_models().tables)
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
    finally:
        await engine.dispose()
