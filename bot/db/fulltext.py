"""Ranked any-word search over a folded `search` column, on PostgreSQL and SQLite alike.

A query becomes terms: case-folded runs of letters and digits (so no character of the user's
text ever reaches a query syntax), without duplicates, without one-letter words and without a
few stop words ("of", "and", "и", "в"...) unless nothing else is left; the first MAX_TERMS of
them. A row matches when any term matches one of its words: terms of three letters or more as
prefixes ("pipe" finds "pipelines"), shorter ones ("go") only as whole words, so they cannot
match everything.

The score is the same on both: the number of terms matched (one of one or two letters counts a
half), plus the engine's relevance squeezed below 1, plus up to 1 for a name that matches a term
with one letter wrong (terms of four letters or more) — so the rows with most words come first.

- PostgreSQL: the tsvector column ('simple' configuration, multilingual) is matched with
  `to_tsquery('simple', 'w1':* | 'w2' | ...)`; relevance is `ts_rank(..., 32)`; a name is near
  a term when pg_trgm says so (`name % term`), and adds its `similarity()`.
- SQLite: an FTS5 table kept in step with the `search` column by triggers (migration 0009) is
  matched with `"w1"* OR "w2" OR ...`; relevance is `-bm25() / (1 - bm25())`. A name is near a
  term when it is within one edit of it: the distinct names are read and compared in Python,
  fine for a community's members (a very large table would want a trigram table instead).

Best score first, ties by id. `matched_terms` tells which terms a row matched, for display.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialect import dialect_name

TOKEN = re.compile(r"[^\W_]+")
PREFIX_FROM = 3  # a term this long matches as a prefix; shorter ones as a whole word
TYPO_FROM = 4  # a term this long finds a name with one letter wrong
MAX_TERMS = 12  # a pasted paragraph searches for its first words, not for a hundred
SHORT_WEIGHT = 0.5  # what a matched one- or two-letter term adds to the score (a longer one: 1)
_STOP = "a an and are as at be by for from in is it of on or the to with"
_STOP_RU = "а в во да и или к ко на не о об от по с со у что это"
STOP_WORDS = frozenset(f"{_STOP} {_STOP_RU}".split())


def fold(text: str) -> str:
    """Case-folded text for the searches (Python folds every script, SQLite's lower() does not)."""
    return " ".join(text.casefold().split())


def words(text: str) -> list[str]:
    """The searchable words of a text: folded runs of letters and digits."""
    return TOKEN.findall(fold(text))


def terms(query: str) -> list[str]:
    """The terms a query searches for (see the module docstring); [] when there are none."""
    found = list(dict.fromkeys(words(query)))
    kept = [term for term in found if len(term) > 1 and term not in STOP_WORDS]
    if not kept:
        kept = [term for term in found if len(term) > 1] or found
    return kept[:MAX_TERMS]


def _term_matches(term: str, tokens: Iterable[str]) -> bool:
    if len(term) >= PREFIX_FROM:
        return any(token.startswith(term) for token in tokens)
    return term in tokens


def one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one inserted, deleted or replaced letter."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _typo_of(term: str, names: Iterable[str]) -> bool:
    if len(term) < TYPO_FROM:
        return False
    return any(one_edit(term, word) for name in names for word in words(name) if len(word) > 2)


def matched_terms(query: str, text: str, names: Sequence[str] = ()) -> list[str]:
    """The terms of `query` that `text` matches, or that a name matches with one typo."""
    tokens = set(words(text))
    return [term for term in terms(query) if _term_matches(term, tokens) or _typo_of(term, names)]


@dataclass(frozen=True)
class Searchable:
    """A table that the search reads: its id, its `search` column, its FTS5 table, its names."""

    id: Any
    search: Any
    fts_table: str
    names: tuple[Any, ...] = ()


def _tsquery(terms_: Sequence[str]) -> Any:
    parts = [f"'{term}':*" if len(term) >= PREFIX_FROM else f"'{term}'" for term in terms_]
    return func.to_tsquery(literal_column("'simple'"), " | ".join(parts))


def _fts_query(terms_: Sequence[str]) -> str:
    return " OR ".join(f'"{term}"*' if len(term) >= PREFIX_FROM else f'"{term}"' for term in terms_)


def _near(terms_: Sequence[str], name: str) -> bool:
    return any(_typo_of(term, [name]) for term in terms_)


async def _typo_names(session: AsyncSession, spec: Searchable, terms_: Sequence[str]) -> list[Any]:
    """SQLite: conditions on names within one edit of a long term (read and compared here)."""
    long_terms = [term for term in terms_ if len(term) >= TYPO_FROM]
    if not long_terms or not spec.names:
        return []
    conditions = []
    for column in spec.names:
        values = (await session.scalars(select(column).distinct())).all()
        near = [value for value in values if value and _near(long_terms, value)]
        if near:
            conditions.append(column.in_(near))
    return conditions


async def scored(
    session: AsyncSession, spec: Searchable, query: str
) -> tuple[ColumnElement[bool], ColumnElement[float], Any] | None:
    """(condition, score, from) of a query, or None when it has no terms.

    `from` is a subquery to outer-join on the id (SQLite's FTS ranks), or None.
    """
    terms_ = terms(query)
    if not terms_:
        return None
    long_terms = [term for term in terms_ if len(term) >= TYPO_FROM]
    if dialect_name(session) == "postgresql":
        tsquery = _tsquery(terms_)
        count = _weighted([(term, _ts_match(spec, [term])) for term in terms_])
        # ts_rank normalised to rank / (rank + 1): below 1, so the number of words comes first.
        score: Any = count + func.coalesce(func.ts_rank(spec.search, tsquery, 32), 0.0)
        near = [(column, term) for column in spec.names for term in long_terms]
        if near:
            similar = [
                case((column.op("%")(term), func.similarity(column, term)), else_=0.0)
                for column, term in near
            ]
            score = score + (func.greatest(*similar) if len(similar) > 1 else similar[0])
        condition = or_(
            _ts_match(spec, terms_),
            *(column.op("%")(term) for column, term in near),
        )
        return condition, cast(score, Float), None
    ranks = (
        select(
            literal_column("rowid").label("rowid"),
            literal_column(f"bm25({spec.fts_table})").label("rank"),
        )
        .select_from(text(spec.fts_table))
        .where(_fts_match(spec, terms_))
        .subquery("fts")
    )
    count = _weighted([(term, spec.id.in_(_fts_ids(spec, term))) for term in terms_])
    typos = await _typo_names(session, spec, long_terms)
    typo_hit: Any = or_(*typos) if typos else false()
    condition = or_(ranks.c.rowid.is_not(None), typo_hit)
    # bm25() is negative, lower is better: -bm25 / (1 - bm25) is below 1, as on PostgreSQL.
    relevance = -func.coalesce(ranks.c.rank, 0.0)
    score = count + relevance / (relevance + 1.0) + case((and_(typo_hit), 1.0), else_=0.0)
    return condition, cast(score, Float), ranks


def _weighted(matches: Sequence[tuple[str, Any]]) -> Any:
    """The number of terms matched, a term of one or two letters counting a half."""
    parts = [
        case((matched, 1.0 if len(term) >= PREFIX_FROM else SHORT_WEIGHT), else_=0.0)
        for term, matched in matches
    ]
    return sum(parts[1:], parts[0])


def _ts_match(spec: Searchable, terms_: Sequence[str]) -> Any:
    return func.coalesce(spec.search.op("@@")(_tsquery(terms_)), false())


def _fts_ids(spec: Searchable, term: str) -> Any:
    return (
        select(literal_column("rowid"))
        .select_from(text(spec.fts_table))
        .where(_fts_match(spec, [term]))
    )


def _fts_match(spec: Searchable, terms_: Sequence[str]) -> Any:
    return literal_column(spec.fts_table).op("MATCH")(literal(_fts_query(terms_)))


def apply(stmt: Select[Any], spec: Searchable, joined: Any) -> Select[Any]:
    """Outer-join SQLite's FTS ranks (the `from` of `scored`) to a statement over the table."""
    if joined is None:
        return stmt
    return stmt.outerjoin(joined, joined.c.rowid == spec.id)
