"""The complete metadata: every table of every feature (for Alembic and test databases)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from sqlalchemy import MetaData

import bot.features
from bot.db.base import Base


def load_all_models() -> MetaData:
    """Import the models of bot/fsm, bot/outbox and every feature; return the metadata."""
    importlib.import_module("bot.fsm.models")
    importlib.import_module("bot.outbox.models")
    for module in pkgutil.iter_modules(bot.features.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"bot.features.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"bot.features.{module.name}.models":
                    raise
    return Base.metadata


# Made by migrations only (0009, ranked search), never by the models: SQLite's FTS5 tables (and
# the shadow tables FTS5 makes for them) and PostgreSQL's trigram indexes.
SEARCH_TABLES = ("profiles_fts", "content_fts")
SEARCH_INDEX_SUFFIX = "_trgm"


def migration_only(name: str | None, type_: str) -> bool:
    """Whether a table or index is one of the search objects that only migrations make."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith(SEARCH_TABLES)
    return type_ == "index" and name.endswith(SEARCH_INDEX_SUFFIX)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter for comparing models with the database: leave out `migration_only`."""
    return not migration_only(name, type_)
