"""Delivers outbox rows to Telegram, and the Telegram-facing way to write them.

Handlers and jobs call `post`, `copy`, `edit`, `pin`, `unpin` and `delete` with the update's
(or the job's) session: they only write rows. The `OutboxSender` (in `agora run` and `agora worker`)
claims the oldest row of each chat whose pace allows a message now, commits the claim, sends
without any transaction open, and records the result in a second short transaction.

Exactly once: a row is marked sent in the transaction that records Telegram's answer, so once
that answer is recorded the row is never sent again, by this process or another, before or
after a restart. The one window for a duplicate is a crash (or a lost connection to the
database) after Telegram accepted the request and before the answer was recorded: the claim's
lease then runs out and the row is sent again. Telegram's Bot API has no idempotency key, so no
design can close that window without risking a lost post instead; we prefer a rare duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import (
    InlineKeyboardMarkup,
    InputPollOption,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.jobs.runner import Job, JobContext, seconds_until
from bot.metrics import OUTBOX_OLDEST, OUTBOX_PENDING
from bot.outbox import service
from bot.outbox.service import COPY, DELETE, EDIT, PIN, POLL, SEND, STOP_POLL, UNPIN, Claimed
from bot.telegram.pacing import telegram_io
from bot.telegram.text import TEXT_LIMIT, split_html

log = logging.getLogger(__name__)

# How long a claimed row is ours; past it another sender may take the row over (a crash).
LEASE = timedelta(seconds=60)
# Chats delivered to at once by one sender (each chat one row at a time, in order).
MAX_IN_FLIGHT = 32
# Back-off after a network or server error: 2, 4, 8 … seconds, at most this.
MAX_BACKOFF = 300.0
# Rows written in this process wake the sender; rows of other processes are seen this often.
IDLE_POLL = 5.0
# How often `wait_settled` looks again (tests: rows of other processes wake nobody here).
SETTLED_POLL = 1.0
# The outbox depth and age (metrics) are measured at most this often.
DEPTH_EVERY = timedelta(seconds=5)
# Delivered and refused rows are kept this long (keyed edits look up recent ones).
KEEP_DELIVERED = timedelta(days=7)


# --- writing rows (handlers and jobs) ---------------------------------------------------------


def _markup(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return markup.model_dump(mode="json", exclude_none=True) if markup is not None else None


async def post(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    thread_id: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    preview: bool = False,
    notify: bool = True,
    key: str | None = None,
    on_sent: str | None = None,
    owner_id: int | None = None,
) -> None:
    """Post `text` in a group or channel (split at Telegram's limit; the keyboard under the
    last part; `key`, `on_sent` and the reply on the first part)."""
    parts = split_html(text, TEXT_LIMIT)
    for index, part in enumerate(parts):
        first, last = index == 0, index == len(parts) - 1
        payload: dict[str, Any] = {"text": part, "preview": preview}
        if last and markup is not None:
            payload["markup"] = _markup(markup)
        if first and reply_to is not None:
            payload["reply_to"] = reply_to
        if not notify:
            payload["silent"] = True
        await service.enqueue(
            session,
            chat_id=chat_id,
            action=SEND,
            payload=payload,
            thread_id=thread_id,
            key=key if first else None,
            on_sent=on_sent if first else None,
            owner_id=owner_id if first else None,
        )


async def reply(session: AsyncSession, message: Message, text: str) -> None:
    """Answer a message in a group through the outbox: as a reply, in its topic."""
    await post(
        session,
        message.chat.id,
        text,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to=message.message_id,
    )


async def answer(message: Message, text: str, session: AsyncSession | None) -> None:
    """Answer a message in its chat: at once in a private chat, through the outbox in a group
    (a group's pace of 20 messages a minute must never keep an update waiting)."""
    if message.chat.type == "private" or session is None:
        await message.answer(text)
    else:
        await reply(session, message, text)


async def edit(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    key: str,
    message_id: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
    preview: bool = False,
    send_if_gone: bool = False,
    thread_id: int | None = None,
    on_sent: str | None = None,
    owner_id: int | None = None,
) -> None:
    """Edit the message shown for `key` (coalesced: only the newest text is sent).

    Without `message_id` the message the last delivered row of `key` created is edited, so an
    edit may follow a post still waiting in the outbox. With `send_if_gone`, a message that no
    longer exists is posted anew (in `thread_id`; `on_sent` records the new one).
    """
    payload: dict[str, Any] = {"text": text, "preview": preview, "markup": _markup(markup)}
    if message_id is not None:
        payload["message_id"] = message_id
    if send_if_gone:
        payload["send_if_gone"] = True
    await service.enqueue(
        session,
        chat_id=chat_id,
        action=EDIT,
        payload=payload,
        thread_id=thread_id,
        key=key,
        on_sent=on_sent,
        owner_id=owner_id,
        coalesce=True,
    )


async def copy(
    session: AsyncSession,
    chat_id: int,
    from_chat_id: int,
    message_id: int,
    *,
    thread_id: int | None = None,
) -> None:
    """Copy a message of another chat here (copyMessage: no "forwarded from" line)."""
    await service.enqueue(
        session,
        chat_id=chat_id,
        action=COPY,
        payload={"from_chat_id": from_chat_id, "message_id": message_id},
        thread_id=thread_id,
    )


async def poll(
    session: AsyncSession,
    chat_id: int,
    question: str,
    options: list[str],
    *,
    thread_id: int | None = None,
    key: str | None = None,
    on_sent: str | None = None,
    owner_id: int | None = None,
) -> None:
    """Post a native poll that is not anonymous (so the bot gets each `poll_answer`), one
    answer per voter; its poll id is kept with the row (`service.sent_result`, for `on_sent`)."""
    await service.enqueue(
        session,
        chat_id=chat_id,
        action=POLL,
        payload={"question": question, "options": options},
        thread_id=thread_id,
        key=key,
        on_sent=on_sent,
        owner_id=owner_id,
    )


async def stop_poll(
    session: AsyncSession, chat_id: int, *, key: str, message_id: int | None = None
) -> None:
    """Stop a poll: by `message_id`, or the one the last delivered row of `key` posted (so a stop
    may follow a poll still waiting in the outbox)."""
    payload: dict[str, Any] = {} if message_id is None else {"message_id": message_id}
    await service.enqueue(session, chat_id=chat_id, action=STOP_POLL, payload=payload, key=key)


async def pin(session: AsyncSession, chat_id: int, message_id: int, *, notify: bool) -> None:
    await service.enqueue(
        session,
        chat_id=chat_id,
        action=PIN,
        payload={"message_id": message_id, "silent": not notify},
    )


async def unpin(session: AsyncSession, chat_id: int, message_id: int) -> None:
    await service.enqueue(
        session, chat_id=chat_id, action=UNPIN, payload={"message_id": message_id}
    )


async def delete(
    session: AsyncSession,
    chat_id: int,
    message_ids: list[int],
    *,
    not_before: datetime | None = None,
    quiet: bool = False,
) -> None:
    """Delete messages; `not_before` (real UTC time) schedules it, `quiet` makes a refusal (no
    right to delete, message too old or gone) a line at INFO instead of a warning."""
    payload: dict[str, Any] = {"message_ids": message_ids}
    if quiet:
        payload["quiet"] = True
    await service.enqueue(
        session, chat_id=chat_id, action=DELETE, payload=payload, not_before=not_before
    )


# A reply that tidies up after itself: once it is posted, it and the message it answers are
# deleted TIDY_AFTER later (a scheduled row: no sleep, and the group's other posts do not wait),
# quietly where the bot may not delete (the reply then stays).
TIDY_AFTER = timedelta(seconds=10)
TIDY_HOOK = "outbox-tidy"


async def reply_and_tidy(
    session: AsyncSession,
    message: Message,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer a group message through the outbox, then remove both after TIDY_AFTER."""
    await post(
        session,
        message.chat.id,
        text,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to=message.message_id,
        markup=markup,
        on_sent=TIDY_HOOK,
        owner_id=message.message_id,
    )


@service.sent_hook(TIDY_HOOK)
async def _tidy_after_sent(
    session: AsyncSession, owner_id: int | None, chat_id: int, message_id: int
) -> None:
    ids = [message_id] if owner_id is None else [owner_id, message_id]
    await delete(session, chat_id, ids, not_before=utcnow() + TIDY_AFTER, quiet=True)


# --- delivering rows --------------------------------------------------------------------------


class Gone(Exception):
    """Telegram refused the row for good; the chat's next rows go on."""


class OutboxSender:
    """Claims due rows chat by chat and delivers them at Telegram's pace.

    `run_round()` is the job: it claims the head row of every chat that is free in this
    process and whose pace allows a message now, starts one delivery task per claimed row and
    returns. A finished delivery wakes the sender for that chat's next row.
    """

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        lease: timedelta = LEASE,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        # Real time, whatever the app's domain clock: leases and back-offs are about Telegram.
        self.clock: Callable[[], datetime] = utcnow
        self.lease = lease
        self.wake_event = asyncio.Event()
        self._io = telegram_io(bot)
        self._busy: dict[int, asyncio.Task[None]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._progress = asyncio.Event()  # replaced each time a round or a delivery ends
        self._depth_seen: datetime | None = None

    def wake(self) -> None:
        self.wake_event.set()

    def start(self) -> None:
        service.add_waker(self.wake)

    async def stop(self) -> None:
        """Take no new rows; let the deliveries in flight finish (their rows are recorded)."""
        service.remove_waker(self.wake)
        if self._timer is not None:
            self._timer.cancel()
        await self.drain()

    async def drain(self) -> None:
        """Until the deliveries started so far are done and recorded."""
        if self._busy:
            await asyncio.gather(*self._busy.values(), return_exceptions=True)

    def _wake_in(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        now, timer = loop.time(), self._timer
        if timer is not None and not timer.cancelled() and now < timer.when() <= now + delay:
            return  # an earlier wake-up is already set
        if timer is not None:
            timer.cancel()
        self._timer = loop.call_later(delay, self.wake)

    @property
    def in_flight(self) -> int:
        return len(self._busy)

    def _progressed(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    async def wait_settled(self) -> None:
        """Until `settled()` (tests: the posts of an update are out before they look)."""
        while not await self.settled():
            progress = self._progress
            with contextlib.suppress(TimeoutError):
                # Rows of other processes wake nobody here: look again now and then.
                await asyncio.wait_for(progress.wait(), SETTLED_POLL)

    async def settled(self) -> bool:
        """Whether nothing is being delivered and no row waits (due or backing off)."""
        if self._busy:
            return False
        async with self.session_factory() as session:
            # A row scheduled for later (a tidy-up delete) is not waiting yet.
            return (await service.depth(session, self.clock())).pending == 0

    def jobs(self) -> list[Job]:
        async def deliver(_context: JobContext) -> int:
            return await self.run_round()

        async def purge(context: JobContext) -> int:
            async with self.session_factory() as session, session.begin():
                return await service.purge(session, self.clock() - KEEP_DELIVERED)

        async def due(_context: JobContext) -> float | None:
            return await self.until_due()

        return [
            Job(
                "outbox-sender",
                interval=IDLE_POLL,
                run=deliver,
                wake=self.wake_event,
                until_due=due,
            ),
            Job("outbox-purge", interval=3600, run=purge),
        ]

    async def run_round(self) -> int:
        """Claim and start what can go now; the number of deliveries started."""
        self.wake_event.clear()
        try:
            return await self._round()
        finally:
            self._progressed()

    async def until_due(self) -> float | None:
        """Seconds until a chat's oldest row may be sent (None: no row waits)."""
        now = self.clock()
        async with self.session_factory() as session:
            free = await service.next_free(session, now)
            if free is None:  # nothing waits: the depth is known without asking
                OUTBOX_PENDING.set(0)
                OUTBOX_OLDEST.set(0.0)
            else:
                await self._measure(session, now)
        return seconds_until(free, now)

    async def _measure(self, session: AsyncSession, now: datetime) -> None:
        """The outbox's depth and age (metrics), at most every DEPTH_EVERY."""
        if self._depth_seen is not None and now - self._depth_seen < DEPTH_EVERY:
            return
        self._depth_seen = now
        depth = await service.depth(session)
        OUTBOX_PENDING.set(depth.pending)
        age = (now - depth.oldest).total_seconds() if depth.oldest else 0.0
        OUTBOX_OLDEST.set(max(0.0, age))

    async def _round(self) -> int:
        now = self.clock()
        async with self.session_factory() as session:
            heads = await service.due_heads(session, now)
            await self._measure(session, now)
        ready: list[int] = []
        soonest: float | None = None
        for row_id, chat_id in heads:
            if chat_id in self._busy or len(self._busy) + len(ready) >= MAX_IN_FLIGHT:
                continue
            delay = await self._io.delay(chat_id) if self._io is not None else 0.0
            if delay > 0:
                # Its pace does not allow a message yet: no lease is spent waiting for it.
                soonest = delay if soonest is None else min(soonest, delay)
                continue
            ready.append(row_id)
        if soonest is not None:
            self._wake_in(soonest)
        if not ready:
            return 0
        async with self.session_factory() as session, session.begin():
            claimed = await service.claim(session, ready, self.clock(), self.lease)
        for row in claimed:
            task = asyncio.create_task(self._deliver(row), name=f"outbox:{row.id}")
            self._busy[row.chat_id] = task
        return len(claimed)

    async def _deliver(self, row: Claimed) -> None:
        try:
            await self._deliver_and_record(row)
        except Exception:
            log.exception("outbox row %s: delivery failed", row.id)
        finally:
            self._busy.pop(row.chat_id, None)
            self.wake()
            self._progressed()

    async def _deliver_and_record(self, row: Claimed) -> None:
        try:
            message_id = await self._perform(row)
        except TelegramRetryAfter as exc:
            await self._retry(row, float(exc.retry_after), f"retry after {exc.retry_after} s")
        except TelegramMigrateToChat as exc:
            log.info("chat %s moved to %s", row.chat_id, exc.migrate_to_chat_id)
            async with self.session_factory() as session, session.begin():
                await service.move_chat(session, row.chat_id, exc.migrate_to_chat_id)
        except (Gone, TelegramBadRequest, TelegramForbiddenError, TelegramNotFound) as exc:
            level = logging.INFO if row.payload.get("quiet") else logging.WARNING
            log.log(
                level,
                "outbox row %s (%s in chat %s) refused: %s",
                *(row.id, row.action, row.chat_id, exc),
            )
            async with self.session_factory() as session, session.begin():
                await service.mark_failed(session, row.id, str(exc), self.clock())
        except Exception as exc:  # network trouble, Telegram's 5xx: try again later
            delay = min(2.0**row.attempts, MAX_BACKOFF)
            log.warning("outbox row %s: %s; retry in %.0f s", row.id, exc, delay)
            await self._retry(row, delay, repr(exc))
        else:
            async with self.session_factory() as session, session.begin():
                await service.mark_sent(session, row.id, message_id, self.clock(), row.result)

    async def _retry(self, row: Claimed, delay: float, error: str) -> None:
        async with self.session_factory() as session, session.begin():
            await service.mark_retry(
                session, row.id, self.clock() + timedelta(seconds=delay), error
            )

    async def _perform(self, row: Claimed) -> int | None:
        """One Bot API request for the row; the id of the message it created, if any."""
        p = row.payload
        if row.action == SEND:
            return await self._send(row)
        if row.action == EDIT:
            return await self._edit(row)
        if row.action == POLL:
            return await self._send_poll(row)
        if row.action == STOP_POLL:
            return await self._stop_poll(row)
        if row.action == PIN:
            await self.bot.pin_chat_message(
                row.chat_id, p["message_id"], disable_notification=bool(p.get("silent"))
            )
        elif row.action == UNPIN:
            await self.bot.unpin_chat_message(row.chat_id, message_id=p["message_id"])
        elif row.action == DELETE:
            await self.bot.delete_messages(row.chat_id, list(p["message_ids"]))
        elif row.action == COPY:
            copied = await self.bot.copy_message(
                row.chat_id,
                from_chat_id=p["from_chat_id"],
                message_id=p["message_id"],
                message_thread_id=row.thread_id,
            )
            return copied.message_id
        else:
            raise Gone(f"unknown action {row.action!r}")
        return None

    async def _send(self, row: Claimed) -> int:
        p = row.payload
        reply = p.get("reply_to")
        message = await self.bot.send_message(
            row.chat_id,
            p["text"],
            message_thread_id=row.thread_id,
            reply_markup=_keyboard(p.get("markup")),
            link_preview_options=LinkPreviewOptions(is_disabled=not p.get("preview")),
            disable_notification=True if p.get("silent") else None,
            reply_parameters=(
                ReplyParameters(message_id=reply, allow_sending_without_reply=True)
                if reply is not None
                else None
            ),
        )
        return message.message_id

    async def _send_poll(self, row: Claimed) -> int:
        p = row.payload
        message = await self.bot.send_poll(
            row.chat_id,
            p["question"],
            [InputPollOption(text=option) for option in p["options"]],
            message_thread_id=row.thread_id,
            is_anonymous=False,
            allows_multiple_answers=False,
        )
        if message.poll is not None:
            row.result["poll_id"] = message.poll.id
        return message.message_id

    async def _stop_poll(self, row: Claimed) -> int | None:
        message_id = row.payload.get("message_id")
        if message_id is None and row.key is not None:
            async with self.session_factory() as session:
                message_id = await service.message_of(session, row.chat_id, row.key)
        if message_id is None:
            raise Gone("no poll to stop: it was never posted")
        try:
            await self.bot.stop_poll(row.chat_id, int(message_id))
        except TelegramBadRequest as exc:
            if "already been closed" not in exc.message:
                raise
        return None

    async def _edit(self, row: Claimed) -> int | None:
        p = row.payload
        message_id = p.get("message_id")
        if message_id is None and row.key is not None:
            async with self.session_factory() as session:
                message_id = await service.message_of(session, row.chat_id, row.key)
        if message_id is None:
            if p.get("send_if_gone"):
                return await self._send(row)
            raise Gone("nothing to edit: the message was never posted")
        try:
            result = await self.bot.edit_message_text(
                text=p["text"],
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=_keyboard(p.get("markup")),
                link_preview_options=LinkPreviewOptions(is_disabled=not p.get("preview")),
            )
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return int(message_id)  # shown as wanted: for its hook, as good as an edit
            if "message to edit not found" in exc.message and p.get("send_if_gone"):
                log.info("message %s in chat %s is gone: posting anew", message_id, row.chat_id)
                return await self._send(row)
            raise
        return result.message_id if isinstance(result, Message) else None


def _keyboard(data: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup.model_validate(data) if data else None
