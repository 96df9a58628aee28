"""Ranked any-word search on both databases, over a corpus of 60 generated profiles and more."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.features.content import service as content
from bot.features.profile import service
from bot.features.profile.models import Profile

FIRST = ["Anna", "Boris", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas"]
LAST = ["Smith", "Petrov", "Novak", "Garcia", "Ivanova", "Berg", "Costa", "Lee", "Orlov", "Kim"]
ABOUT = [
    "Python developer working on web backends",
    "I write Go services and love hiking",
    "Data engineer: pipelines in Java and Scala",
    "Frontend developer, React and TypeScript",
    "Teacher of English and history of art",
    "Играю на гитаре и пишу музыку",
    "Designer of mobile apps and pipelines of ideas",
    "Machine learning with Python and R",
    "Марафонец, бегаю по утрам",
    "Product manager and board game fan",
    "DevOps: CI pipelines, Kubernetes, Terraform",
    "Photographer and traveller",
]
TARGET = 1000
TARGET_ABOUT = "Backend developer: I build data pipelines in Go and Python for a living."
QUERY = "Developer of pipelines, Go and Python"


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    await upgrade(engine, "heads")
    factory = create_session_factory(engine)
    rng = random.Random(15)
    async with factory() as session:
        for n in range(60):
            user_id = n + 1
            about = " ".join(rng.sample(ABOUT, 2))
            await service.ensure_user(session, user_id, first_name="x")
            await service.save_profile(
                session,
                user_id,
                first_name=FIRST[n % 10],
                last_name=LAST[n // 10 % 10] + ("" if n < 10 else str(n)),
                about=about,
                username=None,
            )
        await service.ensure_user(session, TARGET, first_name="Mia")
        await service.save_profile(
            session,
            TARGET,
            first_name="Mia",
            last_name="Wallace",
            about=TARGET_ABOUT,
            username="mia_w",
        )
        await session.commit()
        yield session
    await engine.dispose()


async def found(session: AsyncSession, query: str, **page: int) -> list[int]:
    return [profile.user_id for profile in await service.search(session, query, **page)]


async def test_the_natural_language_query_finds_the_member_first(session: AsyncSession) -> None:
    results = await service.search(session, QUERY)
    assert results[0].user_id == TARGET
    assert service.matched_terms(QUERY, results[0]) == ["developer", "pipelines", "go", "python"]
    # Others match fewer words: they follow, and every one of them matched some word.
    assert len(results) == service.PAGE_SIZE
    assert all(service.matched_terms(QUERY, profile) for profile in results[1:])
    assert (await found(session, "pipelines"))[:1] != []
    assert TARGET in await found(session, "pipelines", limit=100)


async def test_one_wrong_letter_in_a_name_still_finds_the_member(session: AsyncSession) -> None:
    assert (await found(session, "Wallece"))[:1] == [TARGET]
    assert (await found(session, "mia wallece"))[:1] == [TARGET]
    assert (await found(session, "Walace"))[:1] == [TARGET]  # a letter missing
    target = (await service.search(session, "Wallece"))[0]
    assert service.matched_terms("Wallece", target) == ["wallece"]
    assert await found(session, "Zzyzx") == []


async def test_prefixes_and_short_words(session: AsyncSession) -> None:
    assert TARGET in await found(session, "pipe", limit=100)
    # "go" is a whole word only: "good" or "google" would not do; the target has it.
    go = await found(session, "go", limit=100)
    assert TARGET in go
    profiles = {p.user_id: p for p in await service.search(session, "go", limit=100)}
    assert all("go" in service.matched_terms("go", p) for p in profiles.values())
    # A username's parts are words too.
    assert (await found(session, "mia_w"))[:1] == [TARGET]
    assert await found(session, "@mia_w") == [TARGET]


async def test_counts_agree_with_the_pages(session: AsyncSession) -> None:
    for query in (QUERY, "python", "pipelines", "Wallece", "и", "of"):
        total = await service.count_matches(session, query)
        pages: list[int] = []
        for offset in range(0, total + 10, 7):
            pages += await found(session, query, offset=offset, limit=7)
        assert len(pages) == total, query
        assert len(set(pages)) == total, query  # stable order: no row twice, none lost
    assert await service.count_matches(session, "python") > 10


async def test_stop_words_alone_still_search(session: AsyncSession) -> None:
    # "of" alone is the query: it is searched (whole word), not dropped.
    of = await service.search(session, "of", limit=100)
    assert of
    assert all(service.matched_terms("of", p) == ["of"] for p in of)


SYNTAX = [
    '"',
    '"python',
    "python*",
    "*",
    "go:*",
    "a & b | !c",
    "(python",
    "python)",
    "NEAR(python go)",
    "python AND go",
    "python OR NOT go",
    "NOT",
    "'; drop table profiles; --",
    "^python",
    "python -go",
    "col:python",
    "{search}: python",
    "\\",
    "%_",
    "💻 python",
    "<->",
]


@pytest.mark.parametrize("query", SYNTAX)
async def test_query_syntax_never_raises(session: AsyncSession, query: str) -> None:
    results = await found(session, query, limit=100)
    assert await service.count_matches(session, query) == len(results)
    assert await content.count_matches(session, query) == len(
        await content.search(session, query, limit=100)
    )
    if "python" in query.casefold():
        assert TARGET in results


async def test_search_follows_edits_and_deletes(session: AsyncSession) -> None:
    profile = await service.profile_of(session, TARGET)
    assert profile is not None
    await service.set_field(session, profile, "about", "Now an octopus researcher")
    await session.commit()
    assert await found(session, "octopus") == [TARGET]
    assert TARGET not in await found(session, "pipelines", limit=100)
    await session.execute(delete(Profile).where(Profile.user_id == TARGET))
    await session.commit()
    assert await found(session, "octopus") == []
    assert await found(session, "Wallace") == []


async def test_content_search_is_ranked(session: AsyncSession) -> None:
    common = {"chat_id": -1001, "thread_id": 3, "author_id": 1, "link": None}
    texts = {
        10: "Python tips for data pipelines in Go and Python",
        11: "Python meetup on Friday",
        12: "Go generics explained",
        13: "Книга о пайплайнах данных",
        14: "Holiday photos",
    }
    for message_id, text in texts.items():
        await content.archive(
            session, message_id=message_id, author_name="Mia", text=text, **common
        )
    await session.commit()
    rows = await content.search(session, QUERY)
    assert [row.message_id for row in rows][:1] == [10]
    assert {row.message_id for row in rows} == {10, 11, 12}
    assert await content.count_matches(session, QUERY) == 3
    assert content.matched_terms(QUERY, rows[0]) == ["pipelines", "go", "python"]
    assert [row.message_id for row in await content.search(session, "пайплайн")] == [13]
    # Equal matches: the newest first.
    assert [row.message_id for row in await content.search(session, "go")] == [12, 10]
