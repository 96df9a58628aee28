"""Profiles: save, edit, find and search them (no Telegram here)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import fulltext
from bot.db.dialect import dialect_name, insert
from bot.db.fulltext import Searchable, fold
from bot.features.core.models import User
from bot.features.profile.models import Profile
from bot.outbox.service import DELETE, enqueue, sent_hook

NAME_LIMIT = 30
ABOUT_LIMIT = 3900
PAGE_SIZE = 5
FIELDS = ("first_name", "last_name", "about")
ADMIN_FIELDS = ("first_name", "last_name", "username", "about")
USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{1,31})$")


@dataclass(frozen=True)
class CardData:
    """What an intro card shows (a saved profile or the answers of an intro in progress)."""

    user_id: int
    first_name: str
    last_name: str
    username: str | None
    about: str

    @classmethod
    def of(cls, profile: Profile) -> CardData:
        return cls(
            profile.user_id, profile.first_name, profile.last_name, profile.username, profile.about
        )


def search_value(session: AsyncSession, text: str) -> Any:
    """The value of a `search` column: a tsvector on PostgreSQL, folded text on SQLite."""
    folded = fold(text)
    if dialect_name(session) == "postgresql":
        return func.to_tsvector(literal_column("'simple'"), folded)
    return folded


def normalize_username(text: str) -> str | None:
    match = USERNAME.match(text.strip())
    return match.group(1) if match else None


# --- reading -------------------------------------------------------------------------------


async def get_profile(session: AsyncSession, profile_id: int) -> Profile | None:
    return await session.get(Profile, profile_id)


async def profile_of(session: AsyncSession, user_id: int) -> Profile | None:
    return await session.scalar(select(Profile).where(Profile.user_id == user_id))


async def has_profile(session: AsyncSession, user_id: int) -> bool:
    found = await session.scalar(select(Profile.id).where(Profile.user_id == user_id))
    return found is not None


# What the search reads (see bot/db/fulltext.py): the folded words, and the names for typos.
SEARCHABLE = Searchable(
    id=Profile.id,
    search=Profile.search,
    fts_table="profiles_fts",
    names=(Profile.first_name, Profile.last_name),
)


async def _ranked(session: AsyncSession, query: str) -> tuple[Any, Any, Any] | None:
    query = query.strip()
    username = normalize_username(query) if query.startswith("@") else None
    if username is not None:
        return func.lower(Profile.username) == username.lower(), literal(1.0), None
    return await fulltext.scored(session, SEARCHABLE, query)


async def count_matches(session: AsyncSession, query: str) -> int:
    ranked = await _ranked(session, query)
    if ranked is None:
        return 0
    condition, _score, joined = ranked
    stmt = fulltext.apply(select(func.count()).select_from(Profile), SEARCHABLE, joined)
    total = await session.scalar(stmt.where(condition))
    return int(total or 0)


async def search(
    session: AsyncSession, query: str, *, offset: int = 0, limit: int = PAGE_SIZE
) -> Sequence[Profile]:
    """Profiles matching @username exactly, or any word of `query`, best match first.

    Words match names, the username and the about text (prefixes; a name with one wrong letter
    too): see bot/db/fulltext.py.
    """
    ranked = await _ranked(session, query)
    if ranked is None:
        return []
    condition, score, joined = ranked
    stmt = fulltext.apply(select(Profile).select_from(Profile), SEARCHABLE, joined)
    rows = await session.scalars(
        stmt.where(condition).order_by(score.desc(), Profile.id).offset(offset).limit(limit)
    )
    return rows.all()


def matched_terms(query: str, profile: Profile) -> list[str]:
    """The words of `query` that a found profile matched (for the results list)."""
    if query.strip().startswith("@"):
        return []
    names = (profile.first_name, profile.last_name)
    return fulltext.matched_terms(query, search_text(profile), names)


async def find_user_id(session: AsyncSession, text: str) -> int | None:
    """An admin's "who": a Telegram id, or a @username known from a profile or from Telegram."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    username = normalize_username(text) if text.startswith("@") else None
    if username is None:
        return None
    found = await session.scalar(
        select(Profile.user_id).where(func.lower(Profile.username) == username.lower())
    )
    if found is None:
        found = await session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower())
        )
    return found


# --- writing -------------------------------------------------------------------------------


def search_text(profile: Profile) -> str:
    """What the search reads of a profile: names, username and about text."""
    return " ".join([profile.first_name, profile.last_name, profile.username or "", profile.about])


def refresh_search(session: AsyncSession, profile: Profile) -> None:
    profile.search = search_value(session, search_text(profile))


async def ensure_user(
    session: AsyncSession,
    user_id: int,
    *,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
) -> None:
    """A users row for someone the bot may never have seen (an admin creates their profile)."""
    stmt = (
        insert(session, User)
        .values(
            id=user_id,
            first_name=(first_name or str(user_id))[:255],
            last_name=last_name[:255] if last_name else None,
            username=username,
        )
        .on_conflict_do_nothing()
    )
    await session.execute(stmt)


async def save_profile(
    session: AsyncSession,
    user_id: int,
    *,
    first_name: str,
    last_name: str,
    about: str,
    username: str | None,
) -> Profile:
    """Create the user's profile, or overwrite its fields (an intro done again)."""
    profile = await profile_of(session, user_id)
    if profile is None:
        profile = Profile(user_id=user_id)
        session.add(profile)
    profile.first_name = first_name.strip()
    profile.last_name = last_name.strip()
    profile.about = about.strip()
    profile.username = username
    refresh_search(session, profile)
    await session.flush()
    return profile


async def create_empty(
    session: AsyncSession,
    user_id: int,
    *,
    first_name: str = "",
    last_name: str = "",
    username: str | None = None,
    about: str = "",
) -> tuple[Profile, bool]:
    """The user's profile, created from what an admin knows; (profile, created)."""
    existing = await profile_of(session, user_id)
    if existing is not None:
        return existing, False
    await ensure_user(
        session, user_id, first_name=first_name, last_name=last_name, username=username
    )
    profile = Profile(
        user_id=user_id,
        first_name=first_name.strip()[:NAME_LIMIT],
        last_name=last_name.strip()[:NAME_LIMIT],
        username=username,
        about=about.strip(),
    )
    session.add(profile)
    refresh_search(session, profile)
    await session.flush()
    return profile, True


async def set_field(session: AsyncSession, profile: Profile, field: str, value: str) -> None:
    if field not in ADMIN_FIELDS:
        raise ValueError(f"unknown profile field {field!r}")
    if field == "username":
        profile.username = normalize_username(value)
    else:
        setattr(profile, field, value.strip())
    refresh_search(session, profile)
    await session.flush()


# The outbox key of a profile's intro card, and the hook that records the posted card.
CARD_KEY = "profile"
CARD_POSTED = "profile.card-posted"


@sent_hook(CARD_POSTED)
async def record_card(
    session: AsyncSession, profile_id: int | None, chat_id: int, message_id: int
) -> None:
    profile = await session.get(Profile, profile_id) if profile_id is not None else None
    if profile is not None:
        profile.published_chat_id = chat_id
        profile.published_message_id = message_id
    elif profile_id is not None:
        # The profile was removed while its card was on its way: the card goes too.
        payload = {"message_ids": [message_id], "quiet": True}
        await enqueue(session, chat_id=chat_id, action=DELETE, payload=payload)


async def find_or_create_by_id(session: AsyncSession, user_id: int) -> tuple[Profile, bool]:
    """The profile of a Telegram id, created (with what the bot knows of the user) if missing."""
    existing = await profile_of(session, user_id)
    if existing is not None:
        return existing, False
    user = await session.get(User, user_id)
    if user is None:
        return await create_empty(session, user_id)
    return await create_empty(
        session,
        user_id,
        first_name=user.first_name,
        last_name=user.last_name or "",
        username=user.username,
    )


# --- removal (admins' Remove, /forget) -------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A published intro card: where the caller deletes it (through the outbox)."""

    chat_id: int
    message_id: int


def take_card(profile: Profile) -> Card | None:
    """The profile's published card (to delete), no longer recorded on the profile."""
    chat_id, message_id = profile.published_chat_id, profile.published_message_id
    profile.published_chat_id = profile.published_message_id = None
    if chat_id is None or message_id is None:
        return None
    return Card(chat_id, message_id)


async def remove_profile(session: AsyncSession, profile: Profile) -> Card | None:
    """Delete a profile; its published card, which the caller deletes through the outbox."""
    card = take_card(profile)
    await session.delete(profile)
    await session.flush()
    return card
