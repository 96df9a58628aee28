"""Migrations: every revision upgrades, downgrades and upgrades again; models match them."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.metadata import include_object, load_all_models, migration_only
from bot.db.migrate import alembic_config, downgrade, upgrade


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def _pending_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include_object,
        },
    )
    return list(compare_metadata(context, load_all_models()))


def _tables(connection: Connection) -> set[str]:
    names = set(inspect(connection).get_table_names()) - {"alembic_version"}
    return {name for name in names if not migration_only(name, "table")}


def _search_objects(connection: Connection) -> set[str]:
    """The search tables and indexes that only migrations make (0009), present now."""
    inspector = inspect(connection)
    names = set(inspector.get_table_names())
    for table in ("profiles", "content_messages"):
        names |= {str(index["name"]) for index in inspector.get_indexes(table)}
    return {
        name for name in names if migration_only(name, "table") or migration_only(name, "index")
    }


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
            search = await connection.run_sync(_search_objects)
            if connection.dialect.name == "postgresql":
                assert search == {"ix_profiles_first_name_trgm", "ix_profiles_last_name_trgm"}
            else:
                assert {"profiles_fts", "content_fts"} <= search
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
            assert await connection.run_sync(_all_tables) == []  # the FTS tables too
    finally:
        await engine.dispose()


def _all_tables(connection: Connection) -> list[str]:
    return [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
