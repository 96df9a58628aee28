"""ranked search

Any-word ranked search over profiles and the content archive (bot/db/fulltext.py).

PostgreSQL: the `search` tsvector columns and their GIN indexes exist already (0002); pg_trgm
is created and the profiles' names get trigram GIN indexes, for `similarity()` and `%` (a name
with one wrong letter). The extension stays on downgrade (others may use it); the indexes go.

SQLite: FTS5 tables over the `search` columns (external content: the text lives in the table
itself), filled from the existing rows and kept in step by triggers on insert, update and
delete. A later migration that rebuilds `profiles` or `content_messages` (batch mode copies
and drops the table, and its triggers with it) must create these triggers again.

These objects are not in the models: bot/db/metadata.py `include_object` leaves them out of
the comparison of models with migrations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS5 table, table it indexes)
FTS = (("profiles_fts", "profiles"), ("content_fts", "content_messages"))
TRIGRAM = (
    ("ix_profiles_first_name_trgm", "profiles", "first_name"),
    ("ix_profiles_last_name_trgm", "profiles", "last_name"),
)


def _sqlite_up(fts: str, table: str) -> list[str]:
    delete = f"INSERT INTO {fts}({fts}, rowid, search) VALUES ('delete', old.id, old.search);"
    insert = f"INSERT INTO {fts}(rowid, search) VALUES (new.id, new.search);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search, content='{table}', content_rowid='id')",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")
        return
    for fts, table in FTS:
        for statement in _sqlite_up(fts, table):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _column in reversed(TRIGRAM):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        return
    for fts, _table in reversed(FTS):
        for suffix in ("au", "ad", "ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
