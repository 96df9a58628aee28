"""Profile and content searches on SQLite (FTS5) and PostgreSQL (full-text): any word, ranked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.content import service as content
from bot.features.profile import service

PEOPLE = [
    (1, "Mia", "Wallace", "mia", "Marine biologist diving with sharks"),
    (2, "Otto", "Кузнецов", "otto", "Пишу стихи, играю в шахматы"),
    (3, "Ada", "Lovelace", None, "Analytical engines and poetry 100%_sure"),
    (4, "Mia", "Farrow", "farrow", "Actress"),
]


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    await upgrade(engine, "heads")  # the search reads what 0009 adds (SQLite's FTS5 tables)
    factory = create_session_factory(engine)
    async with factory() as session:
        for user_id, first, last, username, about in PEOPLE:
            await service.ensure_user(session, user_id, first_name=first)
            await service.save_profile(
                session, user_id, first_name=first, last_name=last, about=about, username=username
            )
        await session.commit()
        yield session
    await engine.dispose()


async def names(session: AsyncSession, query: str) -> list[str]:
    return [profile.full_name for profile in await service.search(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("@mia", ["Mia Wallace"]),
        ("@MIA", ["Mia Wallace"]),
        # Equal matches by id; any word matches, the one with more of them first.
        ("mia", ["Mia Wallace", "Mia Farrow"]),
        ("mia wallace", ["Mia Wallace", "Mia Farrow"]),
        ("WALLACE MIA", ["Mia Wallace", "Mia Farrow"]),
        ("farrow mia", ["Mia Farrow", "Mia Wallace"]),
        ("sharks", ["Mia Wallace"]),
        ("шахматы", ["Otto Кузнецов"]),
        ("ШАХМАТЫ стихи", ["Otto Кузнецов"]),
        ("sharks шахматы", ["Mia Wallace", "Otto Кузнецов"]),
        ("farrow", ["Mia Farrow"]),
        ("@nobody", []),
        ("   ", []),
    ],
)
async def test_profile_search(session: AsyncSession, query: str, expected: list[str]) -> None:
    assert await names(session, query) == expected
    assert await service.count_matches(session, query) == len(expected)


async def test_like_wildcards_are_literal(session: AsyncSession) -> None:
    # Only Ada's text has "%" and "_": on SQLite they must not act as LIKE wildcards.
    for wildcard in ("%", "_", "m%a"):
        assert set(await names(session, wildcard)) <= {"Ada Lovelace"}


async def test_search_follows_edits(session: AsyncSession) -> None:
    profile = await service.profile_of(session, 1)
    assert profile is not None
    await service.set_field(session, profile, "about", "Now an octopus researcher")
    await session.commit()
    assert await names(session, "sharks") == []
    assert await names(session, "octopus") == ["Mia Wallace"]


async def test_pages(session: AsyncSession) -> None:
    for user_id in range(10, 17):
        await service.ensure_user(session, user_id, first_name="x")
        await service.save_profile(
            session,
            user_id,
            first_name=f"P{user_id}",
            last_name="Q",
            about="climber",
            username=None,
        )
    await session.commit()
    assert await service.count_matches(session, "climber") == 7
    first = await service.search(session, "climber")
    rest = await service.search(session, "climber", offset=5)
    assert [p.first_name for p in first] == [f"P{n}" for n in range(10, 15)]
    assert [p.first_name for p in rest] == ["P15", "P16"]


async def test_content_archive_search_and_edit(session: AsyncSession) -> None:
    common = {"chat_id": -1001, "thread_id": 3, "author_id": 1, "link": None}
    await content.archive(
        session, message_id=10, author_name="Mia", text="Rust async talk", **common
    )
    await content.archive(session, message_id=11, author_name="Otto", text="Книга о Rust", **common)
    await session.commit()
    assert [row.message_id for row in await content.search(session, "RUST")] == [11, 10]
    assert [row.message_id for row in await content.search(session, "книга")] == [11]
    await content.archive(session, message_id=10, author_name="Mia", text="Go talk", **common)
    assert await content.count_matches(session, "rust") == 1
    assert await content.remove(session, -1001, 11)
    assert not await content.remove(session, -1001, 11)
    assert await content.count_matches(session, "rust") == 0
