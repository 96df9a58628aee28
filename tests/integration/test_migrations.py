"""Migrations: every revision upgrades, downgrades and upgrades again; models match them."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
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


async def test_fixed_offsets_become_equivalent_zones(db_url: str) -> None:
    """0010: a learner's UTC offset becomes the fixed zone of that offset (Etc signs are
    inverted), 0 becomes UTC; the downgrade gives the offsets back."""
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0008")
        async with engine.begin() as connection:
            for user_id, offset in [(1, 3), (2, 0), (3, -5), (4, 14)]:
                await connection.execute(
                    text("INSERT INTO users (id, first_name) VALUES (:id, 'L')"), {"id": user_id}
                )
                await connection.execute(
                    text("INSERT INTO learning_settings (user_id, utc_offset) VALUES (:id, :o)"),
                    {"id": user_id, "o": offset},
                )
        await upgrade(engine, "0010")
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT user_id, time_zone FROM learning_settings ORDER BY user_id")
            )
            assert [tuple(row) for row in rows] == [
                (1, "Etc/GMT-3"),
                (2, "UTC"),
                (3, "Etc/GMT+5"),
                (4, "Etc/GMT-14"),
            ]
        await downgrade(engine, "0008")
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT user_id, utc_offset FROM learning_settings ORDER BY user_id")
            )
            assert [tuple(row) for row in rows] == [(1, 3), (2, 0), (3, -5), (4, 14)]
    finally:
        await downgrade(engine, "base")
        await engine.dispose()
