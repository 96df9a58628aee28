"""Dialect-specific SQL in one place: upserts and row claiming differ between PG and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert(session: AsyncSession, model: Any) -> Any:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update on both dialects."""
    if dialect_name(session) == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def for_claim(session: AsyncSession, stmt: Select[Any]) -> Select[Any]:
    """Lock the selected rows so that no other process claims them (PostgreSQL).

    SQLite has no row locks; the embedded default runs one process and BEGIN IMMEDIATE
    (see bot.db.engine) already serialises writers.
    """
    if dialect_name(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt
