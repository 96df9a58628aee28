"""The content archive: keep messages of the content topic, update, remove and search them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import fulltext
from bot.db.fulltext import Searchable
from bot.features.content.models import ContentMessage
from bot.features.profile.service import search_value

PAGE_SIZE = 5
EXCERPT = 120


async def archived(session: AsyncSession, chat_id: int, message_id: int) -> ContentMessage | None:
    return await session.scalar(
        select(ContentMessage).where(
            ContentMessage.chat_id == chat_id, ContentMessage.message_id == message_id
        )
    )


async def archive(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    thread_id: int | None,
    author_id: int | None,
    author_name: str,
    text: str,
    link: str | None,
) -> ContentMessage:
    """Archive a message, or refresh its text when it is archived already (an edit)."""
    row = await archived(session, chat_id, message_id)
    if row is None:
        row = ContentMessage(
            chat_id=chat_id,
            message_id=message_id,
            thread_id=thread_id,
            author_id=author_id,
            author_name=author_name[:255],
            link=link,
        )
        session.add(row)
    row.text = text
    row.search = search_value(session, f"{text} {author_name}")
    await session.flush()
    return row


async def remove(session: AsyncSession, chat_id: int, message_id: int) -> bool:
    result = await session.execute(
        delete(ContentMessage).where(
            ContentMessage.chat_id == chat_id, ContentMessage.message_id == message_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


# What the search reads (see bot/db/fulltext.py): the folded text and author's name.
SEARCHABLE = Searchable(id=ContentMessage.id, search=ContentMessage.search, fts_table="content_fts")


async def count_matches(session: AsyncSession, query: str) -> int:
    ranked = await fulltext.scored(session, SEARCHABLE, query)
    if ranked is None:
        return 0
    condition, _score, joined = ranked
    stmt = fulltext.apply(select(func.count()).select_from(ContentMessage), SEARCHABLE, joined)
    total = await session.scalar(stmt.where(condition))
    return int(total or 0)


async def search(
    session: AsyncSession, query: str, *, offset: int = 0, limit: int = PAGE_SIZE
) -> Sequence[ContentMessage]:
    """Archived messages with any word of `query` (text or author), best match first.

    Equal matches: the newest first.
    """
    ranked = await fulltext.scored(session, SEARCHABLE, query)
    if ranked is None:
        return []
    condition, score, joined = ranked
    stmt = fulltext.apply(select(ContentMessage).select_from(ContentMessage), SEARCHABLE, joined)
    rows = await session.scalars(
        stmt.where(condition)
        .order_by(score.desc(), ContentMessage.message_id.desc(), ContentMessage.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return rows.all()


def matched_terms(query: str, row: ContentMessage) -> list[str]:
    """The words of `query` that a found message matched (for the results list)."""
    return fulltext.matched_terms(query, f"{row.text} {row.author_name}")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
