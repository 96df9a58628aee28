"""Claiming due rows so that several bot processes never act on the same row twice.

A job selects due rows through `for_claim` inside one transaction, acts on them, marks them
done and commits: on PostgreSQL `FOR UPDATE SKIP LOCKED` makes a second process skip the rows
the first one holds; after a restart the rows still due are simply found again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import dialect_name


def for_claim(session: AsyncSession, stmt: Select[Any], *, no_key: bool = False) -> Select[Any]:
    """Lock the selected rows so that no other process claims them.

    PostgreSQL skips rows another transaction holds. SQLite has no row locks: there the claim
    takes the database's write lock before it reads (see bot.db.engine), so claimers queue.
    `no_key`: the claimer changes no key of the row, so the row is claimed FOR NO KEY UPDATE,
    which readers holding FOR KEY SHARE (voters on a proposal) neither block nor are blocked by.
    """
    if dialect_name(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True, key_share=no_key)
    return stmt.with_for_update()
