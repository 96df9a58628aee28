"""Alembic upgrades from code: `agora migrate`, the embedded default on start, and tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# Inside the package, so a regular (non-editable) install finds them from any directory.
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration built in code: no alembic.ini is needed at run time (the one at
    the top of the repository serves `alembic revision` for developers)."""
    config = Config()
    # ConfigParser interpolates "%": a path containing one must not be read as a reference.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if url is not None:
        config.attributes["url"] = url
    return config


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this version ships."""

    current: tuple[str, ...]  # stamped in the database; empty when it was never migrated
    heads: tuple[str, ...]
    known: frozenset[str]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Revisions in the database that this version does not ship (a newer Agora's)."""
        return tuple(revision for revision in self.current if revision not in self.known)


async def schema_state(engine: AsyncEngine) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config())

    def read(connection: Connection) -> tuple[str, ...]:
        # Only reading the version: Alembic's "Context impl …" lines would read as a migration.
        chatter = logging.getLogger("alembic.runtime.migration")
        level = chatter.level
        chatter.setLevel(logging.WARNING)
        try:
            return tuple(MigrationContext.configure(connection).get_current_heads())
        finally:
            chatter.setLevel(level)

    async with engine.connect() as connection:
        current = await connection.run_sync(read)
    return SchemaState(
        current=current,
        heads=tuple(script.get_heads()),
        known=frozenset(revision.revision for revision in script.walk_revisions()),
    )


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run(engine, command.downgrade, revision)


async def _run(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    # Alembic is synchronous: hand it our connection inside the engine's own transaction.
    def run_step(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run_step)
