"""Group hygiene without Telegram: what a message in a read-only topic becomes, which rights
the bot needs in a chat and which it lacks, and whether the admins were told already.

No aiogram here: the router turns Telegram objects into the plain values below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.outbox.models import OutboxMessage

# A member's text copied back to them in private is cut to this many characters.
COPY_LIMIT = 3000


# --- read-only topics -------------------------------------------------------------------------


class Verdict(Enum):
    KEEP = "keep"  # an admin's or the bot's post, or not in a read-only topic
    MOVE = "move"  # a member's reply to a post: re-posted in the discussion topic, then removed
    REMOVE = "remove"  # anything else a member posts there: removed and explained in private


@dataclass(frozen=True, slots=True)
class Topics:
    """The read-only topics of the community chat and where replies to their posts go."""

    chat_id: int | None
    readonly: frozenset[int]
    discussion: int | None

    @property
    def moves_replies(self) -> bool:
        return self.discussion is not None and self.discussion not in self.readonly

    def is_readonly(self, chat_id: int, thread_id: int | None) -> bool:
        return (
            self.chat_id is not None
            and chat_id == self.chat_id
            and thread_id is not None
            and thread_id in self.readonly
        )


def verdict(
    topics: Topics,
    *,
    chat_id: int,
    thread_id: int | None,
    by_admin: bool,
    replies_to_post: bool,
    has_text: bool,
) -> Verdict:
    """What becomes of a message in the community chat.

    `replies_to_post`: it answers a post of its topic (not the topic's own header message);
    `has_text`: it has a text or a caption, which is what a move re-posts.
    """
    if by_admin or not topics.is_readonly(chat_id, thread_id):
        return Verdict.KEEP
    if replies_to_post and has_text and topics.moves_replies:
        return Verdict.MOVE
    return Verdict.REMOVE


def cut(text: str, limit: int = COPY_LIMIT) -> str:
    """A member's text, cut to `limit` characters (an ellipsis says it was cut)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the bot's rights -------------------------------------------------------------------------


class Right(Enum):
    ADMIN = "admin"  # an administrator at all
    PIN = "pin"
    DELETE = "delete"
    TOPICS = "topics"


class Why(Enum):
    """A feature that needs a right (the report names them)."""

    EVENTS = "events"  # announcements are pinned
    READONLY = "readonly"  # members' posts in read-only topics are removed
    SERVICE = "service"  # "joined" / "left" messages are removed
    COMMANDS = "commands"  # private commands typed in the group are tidied away
    FORUM = "forum"  # posts go to the forum's topics (closed ones too)


@dataclass(frozen=True, slots=True)
class BotMember:
    """The bot's own membership in a group, as Telegram reports it."""

    status: str  # creator, administrator, member, restricted, left, kicked
    can_pin: bool = False
    can_delete: bool = False
    can_manage_topics: bool = False

    @property
    def present(self) -> bool:
        return self.status in ("creator", "administrator", "member", "restricted")

    @property
    def is_admin(self) -> bool:
        return self.status in ("creator", "administrator")

    def has(self, right: Right) -> bool:
        if self.status == "creator":
            return True
        if right is Right.ADMIN:
            return self.is_admin
        if not self.is_admin:
            return False
        return {
            Right.PIN: self.can_pin,
            Right.DELETE: self.can_delete,
            Right.TOPICS: self.can_manage_topics,
        }[right]


@dataclass(frozen=True, slots=True)
class Needs:
    """What the configured features ask of the bot in the community chat."""

    readonly_topics: bool
    remove_service_messages: bool
    topics_configured: bool  # any forum topic is configured (intros, announcements, ...)


def needed(needs: Needs | None, *, is_forum: bool) -> dict[Right, tuple[Why, ...]]:
    """The rights the bot needs in a chat, each with the features that need it.

    `needs` None: a group other than the community chat, where only the tidying of private
    commands needs anything (deleting).
    """
    if needs is None:
        return {Right.DELETE: (Why.COMMANDS,)}
    delete = [Why.READONLY] if needs.readonly_topics else []
    if needs.remove_service_messages:
        delete.append(Why.SERVICE)
    delete.append(Why.COMMANDS)
    rights: dict[Right, tuple[Why, ...]] = {
        Right.PIN: (Why.EVENTS,),  # events are always on: /event_start announces and pins
        Right.DELETE: tuple(delete),
    }
    if is_forum and needs.topics_configured:
        rights[Right.TOPICS] = (Why.FORUM,)
    return rights


def missing(
    member: BotMember, rights: dict[Right, tuple[Why, ...]]
) -> dict[Right, tuple[Why, ...]]:
    """What the bot lacks of `rights` (ADMIN first when it is no administrator at all)."""
    lacking: dict[Right, tuple[Why, ...]] = {}
    if not member.is_admin:
        lacking[Right.ADMIN] = ()
    lacking.update({right: why for right, why in rights.items() if not member.has(right)})
    return lacking


# What the admins were last told about a chat, kept as the key of the report's outbox row.
OK = "ok"
GONE = "gone"
_KEY = "moderation-rights"


def fingerprint(member: BotMember, lacking: dict[Right, tuple[Why, ...]]) -> str:
    """A short name of the bot's situation in a chat: "gone", "ok" or the missing rights."""
    if not member.present:
        return GONE
    if not lacking:
        return OK
    return ",".join(sorted(right.value for right in lacking))


def report_key(chat_id: int, state: str) -> str:
    return f"{_KEY}:{chat_id}:{state}"


async def last_report(session: AsyncSession, chat_id: int) -> str | None:
    """The situation the admins were last told about for this chat (None: never, or more
    than the outbox keeps delivered rows)."""
    prefix = f"{_KEY}:{chat_id}:"
    key = await session.scalar(
        select(OutboxMessage.key)
        .where(OutboxMessage.key.like(f"{prefix}%"))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return key.removeprefix(prefix) if key else None


class Tell(Enum):
    NOTHING = "nothing"
    LACKING = "lacking"  # what is missing: in the group and in private
    FIXED = "fixed"  # everything is there again: in the group and in private
    GONE = "gone"  # the bot left or was removed: in private only


def what_to_tell(previous: str | None, current: str) -> Tell:
    """Tell the admins once per change of the situation, and nothing while all is well."""
    if current == previous:
        return Tell.NOTHING
    if current == GONE:
        return Tell.GONE
    if current == OK:
        return Tell.NOTHING if previous in (None, OK) else Tell.FIXED
    return Tell.LACKING


async def reachable_admins(session: AsyncSession, admin_ids: Iterable[int]) -> Sequence[User]:
    """Of ADMIN_IDS, those the bot has seen (a users row) and who have not blocked it."""
    ids = sorted(set(admin_ids))
    if not ids:
        return []
    stmt = select(User).where(User.id.in_(ids), User.is_blocked.is_(False)).order_by(User.id)
    return (await session.scalars(stmt)).all()
