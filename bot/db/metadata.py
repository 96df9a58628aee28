"""The complete metadata: every table of every feature (for Alembic and test databases)."""

from __future__ import annotations

import importlib
import pkgutil

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
