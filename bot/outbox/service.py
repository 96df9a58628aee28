"""Outbox rows in SQL: enqueue (coalescing per message), claim in order per chat, record.

No aiogram here: bot.outbox.sender turns rows into Bot API requests. Every function runs in the
caller's session and transaction, so a row is written exactly when the change that caused it
commits (a rolled-back update posts nothing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.context import on_commit
from bot.jobs.claim import for_claim
from bot.outbox.models import FAILED, PENDING, SENT, OutboxMessage

SEND = "send"
EDIT = "edit"
PIN = "pin"
UNPIN = "unpin"
DELETE = "delete"
COPY = "copy"  # copyMessage of a message of another chat (feedback to an admin chat)
# A native poll (its id is kept with the row, see `sent_result`), and stopping it.
POLL = "poll"
STOP_POLL = "stop_poll"
ACTIONS = (SEND, EDIT, PIN, UNPIN, DELETE, COPY, POLL, STOP_POLL)

# Called in the transaction that marks a row sent: (session, owner_id, chat_id, message_id).
# Records the new message id on the row that owns the post (a profile, a proposal...).
SentHook = Callable[[AsyncSession, int | None, int, int], Awaitable[None]]
_HOOKS: dict[str, SentHook] = {}

# In-process senders to wake when rows were committed (others find them on their next round).
_wakers: set[Callable[[], None]] = set()


def sent_hook(name: str) -> Callable[[SentHook], SentHook]:
    """Register the hook that `on_sent=name` rows call once delivered."""

    def register(hook: SentHook) -> SentHook:
        if _HOOKS.get(name, hook) is not hook:
            raise ValueError(f"outbox hook {name!r} is registered twice")
        _HOOKS[name] = hook
        return hook

    return register


def add_waker(wake: Callable[[], None]) -> None:
    _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    _wakers.discard(wake)


def _wake_all() -> None:
    for wake in list(_wakers):
        wake()


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    action: str,
    payload: dict[str, Any],
    thread_id: int | None = None,
    key: str | None = None,
    on_sent: str | None = None,
    owner_id: int | None = None,
    coalesce: bool = False,
    not_before: datetime | None = None,
) -> None:
    """Add a row, delivered after the chat's earlier rows once the session commits.

    With `coalesce` and a `key`, a row of that key that no sender has taken yet receives the new
    text and keyboard instead (a send stays a send): only the newest version goes out.

    With `not_before` (the senders' clock, real UTC time) the row is scheduled: it is not sent
    before that moment, and until then it holds no other row of its chat back (a delete "in
    10 seconds" must not delay the group's posts); once due it goes in its place in the order.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown outbox action {action!r}")
    if on_sent is not None and on_sent not in _HOOKS:
        raise ValueError(f"no outbox hook named {on_sent!r}")
    on_commit(session, _wake_all)
    if coalesce and key is not None:
        await session.flush()  # rows this session added are candidates too
        waiting = await session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.key == key,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.status == PENDING,
                OutboxMessage.claimed_until.is_(None),
                OutboxMessage.action.in_((SEND, EDIT)),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
            .with_for_update()
        )
        if waiting is not None:
            kept = {k: v for k, v in waiting.payload.items() if k not in _CONTENT}
            waiting.payload = {**kept, **{k: v for k, v in payload.items() if k in _CONTENT}}
            if waiting.action == EDIT and "message_id" in payload:
                waiting.payload["message_id"] = payload["message_id"]
            return
    session.add(
        OutboxMessage(
            chat_id=chat_id,
            thread_id=thread_id,
            action=action,
            payload=payload,
            key=key,
            on_sent=on_sent,
            owner_id=owner_id,
            status=PENDING,
            **({"not_before": not_before} if not_before is not None else {}),
        )
    )


async def withdraw(session: AsyncSession, key: str) -> int:
    """Drop the posts and edits of `key` that no sender has taken yet (the object they show is
    gone); how many. One already in flight is recorded by its hook, which may then undo it."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.key == key,
            OutboxMessage.status == PENDING,
            OutboxMessage.claimed_until.is_(None),
            OutboxMessage.action.in_((SEND, EDIT)),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


# What a newer version of a message replaces in a waiting row.
_CONTENT = ("text", "markup", "preview")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row a sender took: what to do, and with which attempt."""

    id: int
    chat_id: int
    thread_id: int | None
    action: str
    payload: dict[str, Any]
    key: str | None
    attempts: int
    # What Telegram answered beyond the message id (a poll's id), filled by the sender and kept
    # with the row by `mark_sent` (read by hooks through `sent_result`).
    result: dict[str, Any] = field(default_factory=dict)


async def due_heads(
    session: AsyncSession, now: datetime, *, limit: int = 200
) -> list[tuple[int, int]]:
    """(row id, chat id) of the oldest pending row of each chat, when it is due and free.

    A read without locks: the caller picks the chats it can send to now and claims those.
    """
    head = _head(now)
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.chat_id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.id == head, _free(now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [(row_id, chat_id) for row_id, chat_id in rows.all()]


def _head(now: datetime) -> Any:
    """The id of the oldest pending row of the outer row's chat (a correlated subquery);
    a scheduled row that is not due yet is no chat's head."""
    older = aliased(OutboxMessage)
    return (
        select(func.min(older.id))
        .where(
            older.chat_id == OutboxMessage.chat_id,
            older.status == PENDING,
            ~_scheduled(older, now),
        )
        .scalar_subquery()
    )


def _scheduled(table: Any, now: datetime) -> Any:
    """A row enqueued with a `not_before` still ahead and never tried: it waits on its own."""
    return and_(table.attempts == 0, table.not_before > now)


async def next_free(session: AsyncSession, now: datetime) -> datetime | None:
    """When the first chat's oldest pending row may be claimed (None: no row waits).

    A row waits for its `not_before` (a retry) and, while a sender holds it, for the end of
    its claim (a sender that crashed); a row being delivered in this process wakes the sender
    when it is done anyway.
    """
    head = _head(now)
    held = OutboxMessage.claimed_until.is_not(None) & (OutboxMessage.claimed_until >= now)
    free_at = case((held, OutboxMessage.claimed_until), else_=OutboxMessage.not_before)
    moment: datetime | None = await session.scalar(
        select(func.min(free_at)).where(
            OutboxMessage.status == PENDING,
            or_(OutboxMessage.id == head, _scheduled(OutboxMessage, now)),
        )
    )
    return moment


def _free(now: datetime) -> Any:
    return and_(
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


async def claim(
    session: AsyncSession, ids: Collection[int], now: datetime, lease: timedelta
) -> list[Claimed]:
    """Take these rows for delivery until `now + lease` (rows another sender holds are skipped).

    Commit right after: the claim is what keeps a second sender away while this one talks to
    Telegram without a transaction.
    """
    if not ids:
        return []
    rows = (
        await session.scalars(
            for_claim(
                session,
                select(OutboxMessage).where(
                    OutboxMessage.id.in_(ids), OutboxMessage.status == PENDING, _free(now)
                ),
            ).order_by(OutboxMessage.id)
        )
    ).all()
    claimed = []
    for row in rows:
        row.claimed_until = now + lease
        row.attempts += 1
        claimed.append(
            Claimed(
                id=row.id,
                chat_id=row.chat_id,
                thread_id=row.thread_id,
                action=row.action,
                payload=dict(row.payload),
                key=row.key,
                attempts=row.attempts,
            )
        )
    return claimed


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    message_id: int | None,
    now: datetime,
    result: dict[str, Any] | None = None,
) -> None:
    """The row was delivered: keep the message id (and `result`) and let its owner record it."""
    row = await session.get(OutboxMessage, row_id, with_for_update=True)
    if row is None or row.status != PENDING:
        return
    if result:
        row.payload = {**row.payload, "result": result}
    row.status = SENT
    row.sent_at = now
    row.claimed_until = None
    row.error = None
    row.message_id = message_id
    if row.on_sent is not None and message_id is not None:
        await _HOOKS[row.on_sent](session, row.owner_id, row.chat_id, message_id)


async def mark_retry(session: AsyncSession, row_id: int, not_before: datetime, error: str) -> None:
    """Delivery failed for now: try again from `not_before` (the chat's later rows wait)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .values(not_before=not_before, claimed_until=None, error=error[:500])
    )


async def mark_failed(session: AsyncSession, row_id: int, error: str, now: datetime) -> None:
    """Telegram refused the row for good (bot removed, message gone...): the chat moves on."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .values(status=FAILED, claimed_until=None, error=error[:500], sent_at=now)
    )


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its waiting rows go to the new chat (no topics there)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == PENDING)
        .values(chat_id=new_chat_id, thread_id=None, claimed_until=None)
    )


async def message_of(session: AsyncSession, chat_id: int, key: str) -> int | None:
    """The message the last delivered row of `key` in this chat created (for keyed edits)."""
    return await session.scalar(
        select(OutboxMessage.message_id)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.key == key,
            OutboxMessage.status == SENT,
            OutboxMessage.message_id.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


async def sent_result(session: AsyncSession, chat_id: int, message_id: int) -> dict[str, Any]:
    """What Telegram answered beyond the message id for the row that created this message (a
    poll's id): for a hook, inside `mark_sent`'s transaction."""
    await session.flush()  # the row being marked sent is what the hook asks about
    payload = await session.scalar(
        select(OutboxMessage.payload)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.message_id == message_id,
            OutboxMessage.status == SENT,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    result = (payload or {}).get("result")
    return dict(result) if isinstance(result, dict) else {}


@dataclass(frozen=True, slots=True)
class Depth:
    pending: int
    oldest: datetime | None


async def depth(session: AsyncSession, now: datetime | None = None) -> Depth:
    """How many rows wait, and since when the oldest one does (with `now`: scheduled rows not
    due yet left out)."""
    waiting = OutboxMessage.status == PENDING
    if now is not None:
        waiting = and_(waiting, ~_scheduled(OutboxMessage, now))
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(waiting)
        )
    ).one()
    return Depth(pending=int(count), oldest=oldest)


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget delivered and failed rows older than `before`."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_((SENT, FAILED)), OutboxMessage.created_at < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def message_key(kind: str, object_id: int) -> str:
    """The key of the message that shows one object: message_key("proposal", 12)."""
    return f"{kind}:{object_id}"
