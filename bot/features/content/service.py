"""The content archive: keep messages of the content topic, update, remove and search them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.content.models import ContentMessage
from bot.features.profile.service import fold, search_value, text_match

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


async def count_matches(session: AsyncSession, query: str) -> int:
    if not fold(query):
        return 0
    total = await session.scalar(
        select(func.count())
        .select_from(ContentMessage)
        .where(text_match(session, ContentMessage.search, query))
    )
    return int(total or 0)


async def search(
    session: AsyncSession, query: str, *, offset: int = 0, limit: int = PAGE_SIZE
) -> Sequence[ContentMessage]:
    """Archived messages containing every word of `query`, newest first."""
    if not fold(query):
        return []
    rows = await session.scalars(
        select(ContentMessage)
        .where(text_match(session, ContentMessage.search, query))
        .order_by(ContentMessage.message_id.desc())
        .offset(offset)
        .limit(limit)
    )
    return rows.all()


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
