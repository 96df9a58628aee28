"""The sandbox's state: the bot account, users, chats, messages, files, updates and request log."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from bot.sandbox.client import ChatMessage, GroupActor, UserActor
from bot.sandbox.html import detect_entities
from bot.sandbox.limits import Clock, Limits, RateLimiter
from bot.sandbox.models import (
    CallbackAnswer,
    ChatRecord,
    PollRecord,
    QueuedUpdate,
    RequestRecord,
    StoredFile,
    StoredMessage,
    UserRecord,
    Violation,
    WebhookConfig,
)
from bot.sandbox.spec import BotApiSpec, default_spec

log = logging.getLogger(__name__)
T = TypeVar("T")

BOT_ID = 7000000001
BOT_USERNAME = "agora_test_bot"
#: Update kinds Telegram sends when allowed_updates is empty or was never given.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

EventKind = Literal["new", "edited", "deleted", "answer"]

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,  # newer than spec 10.1; aiogram 3.31 requires it
    "can_pin_messages": True,
}


class SandboxTimeout(AssertionError):
    """Something a test waited for did not happen in time (an assertion: the test fails)."""


class Pulse:
    """Wakes every waiter each time it fires; waiting never polls."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, within: float | None) -> bool:
        """True when fired, False when `within` seconds passed first (None: no limit)."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), within)
        except TimeoutError:
            return False
        return True

    async def wait_until(
        self,
        predicate: Callable[[], T],
        within: float,
        progress: Callable[[], float] | None = None,
    ) -> T | None:
        """The predicate's first truthy value, or None after `within` seconds.

        With `progress` (the loop time of the latest activity), the `within` seconds count from
        that activity: the wait gives up only when nothing happened for that long.
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            event = self._event
            value = predicate()
            if value:
                return value
            since = max(start, progress()) if progress is not None else start
            remaining = since + within - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                if progress is None:
                    return predicate() or None


@dataclass
class SandboxEvent:
    """What an observer sees: a bot message appeared, changed or went away; a callback answer."""

    kind: EventKind
    message: ChatMessage | None = None
    answer: CallbackAnswer | None = None
    seq: int = 0


class World:
    """Everything the fake Telegram knows. Tests drive it through `user()` and `group()` actors."""

    def __init__(
        self,
        limits: Limits | None = None,
        strict: bool = True,
        *,
        clock: Clock = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        spec: BotApiSpec | None = None,
        bot_username: str = BOT_USERNAME,
        bot_name: str = "Agora",
        timeout: float = 60.0,
        quiet_period: float = 0.15,
    ) -> None:
        self.strict = strict
        self.limits = limits if limits is not None else Limits()
        self.clock = clock
        self.wall_clock = wall_clock
        self.spec = spec or default_spec()
        self.rate_limiter = RateLimiter(self.limits, clock)
        # A wait fails only after this many seconds without any progress (a bot request, an
        # update handled): a busy machine slows the bot down, it does not fail the tests.
        self.timeout = timeout
        self.quiet_period = quiet_period

        self.bot_user = UserRecord(
            id=BOT_ID, first_name=bot_name, username=bot_username, is_bot=True
        )
        self.token = f"{BOT_ID}:AAsandbox-{bot_username}"

        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        # chat id -> the bot's admin rights that differ from an administrator's defaults
        self.bot_rights: dict[int, dict[str, bool]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.callback_queries: dict[str, CallbackAnswer] = {}
        self.events: list[SandboxEvent] = []
        self.updates: list[QueuedUpdate] = []  # every update ever made, in order
        self.pending: list[QueuedUpdate] = []  # not yet confirmed by the bot
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int, dict[str, Any]] = {}  # 0 = the default
        self.bot_texts: dict[tuple[str, str], str] = {}  # (name|description|short, language)
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] | None = None

        #: Set by the app under test: resolves once update N has been fully processed.
        self.processed_waiter: Callable[[int], Awaitable[None]] | None = None
        #: Called with every request once the server has handled it, before the bot gets the
        #: answer: tests hook crashes there ("killed right after its first request").
        self.on_request: Callable[[RequestRecord], None] | None = None

        self.poll_generation = 0
        self.active_polls = 0  # getUpdates calls waiting right now
        self.updates_pulse = Pulse()  # new update, confirmation, webhook change, poller change
        self.requests_pulse = Pulse()  # a bot request finished, or an event happened
        self._observers: list[Callable[[SandboxEvent], None]] = []
        self._user_ids = itertools.count(100000001)
        self._supergroup_ids = itertools.count(1)
        self._basic_group_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.polls: dict[str, PollRecord] = {}  # every poll the bot sent, by id
        self._poll_ids = itertools.count(1)
        self._last_activity = 0.0

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> int:
        """Unix time for message dates."""
        return int(self.wall_clock())

    # -- people and chats ------------------------------------------------------------------------

    def user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> UserActor:
        """A new Telegram user (and their private chat with the bot)."""
        record = UserRecord(
            id=next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[record.id] = record
        self.chats[record.id] = ChatRecord(id=record.id, type="private", user=record)
        return UserActor(self, record)

    def group(
        self,
        title: str,
        *,
        forum: bool = False,
        supergroup: bool = True,
        username: str | None = None,
        bot_admin: bool = True,
    ) -> GroupActor:
        """A new group the bot is in (an administrator unless bot_admin=False)."""
        if forum and not supergroup:
            raise ValueError("only supergroups can be forums")
        chat = self.create_group_chat(title, supergroup=supergroup, username=username, forum=forum)
        chat.members[self.bot_user.id] = "administrator" if bot_admin else "member"
        return GroupActor(self, chat)

    def create_group_chat(
        self, title: str, *, supergroup: bool, username: str | None, forum: bool
    ) -> ChatRecord:
        if supergroup:
            chat_id = -(1000000000000 + next(self._supergroup_ids))
        else:
            chat_id = -(4000000000 + next(self._basic_group_ids))
        chat = ChatRecord(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            username=username,
            is_forum=forum,
        )
        self.chats[chat_id] = chat
        return chat

    def chat_by_username(self, username: str) -> ChatRecord | None:
        wanted = username.lstrip("@").lower()
        for chat in self.chats.values():
            if chat.is_group and chat.username and chat.username.lower() == wanted:
                return chat
        return None

    def member_api(self, user_id: int, status: str, *, forum: bool = False) -> dict[str, Any]:
        """A ChatMember object of the given status, with the fields that status requires."""
        user = self.resolve_user(user_id)
        if user is None:
            raise KeyError(f"unknown user {user_id}")
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(_ADMIN_RIGHTS)
            member["can_manage_topics"] = forum
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            for name, fspec in self.spec.types["ChatMemberRestricted"].fields.items():
                if fspec.required and name not in member:
                    member[name] = 0 if "Integer" in fspec.types else name == "is_member"
        return member

    # -- the bot's own rights in a group -----------------------------------------------------------

    def bot_member(self, chat: ChatRecord) -> dict[str, Any]:
        """The bot's ChatMember in `chat`, with its rights as set by GroupActor.set_bot_rights."""
        status = chat.status_of(self.bot_user.id)
        member = self.member_api(self.bot_user.id, status, forum=chat.is_forum)
        if status == "administrator":
            member.update(self.bot_rights.get(chat.id, {}))
        return member

    def bot_can(self, chat: ChatRecord, right: str) -> bool:
        """Whether the bot holds an administrator right (can_pin_messages, ...) in a group."""
        status = chat.status_of(self.bot_user.id)
        if status == "creator":
            return True
        return status == "administrator" and bool(self.bot_member(chat).get(right))

    def bot_may_delete(self, chat: ChatRecord, message: StoredMessage) -> bool:
        """Telegram's deleteMessage rules: less than 48 hours old; not a topic's or a group's
        creation message; the bot's own, any in a private chat, any in a basic group it
        administers, any in a supergroup where it has can_delete_messages."""
        if message.date < self.now() - 48 * 3600:
            return False
        if {"forum_topic_created", "group_chat_created", "supergroup_chat_created"} & set(
            message.content
        ):
            return False
        if message.sender.id == self.bot_user.id or chat.type == "private":
            return True
        if chat.type == "group":
            return chat.status_of(self.bot_user.id) in ("creator", "administrator")
        return self.bot_can(chat, "can_delete_messages")

    def resolve_user(self, user_id: int) -> dict[str, Any] | None:
        if user_id == self.bot_user.id:
            return self.bot_user.to_api()
        user = self.users.get(user_id)
        return user.to_api() if user else None

    # -- messages and files ----------------------------------------------------------------------

    def add_message(
        self,
        chat: ChatRecord,
        sender: UserRecord,
        content: dict[str, Any],
        *,
        thread_id: int | None = None,
        reply_to: StoredMessage | None = None,
        inline_markup: dict[str, Any] | None = None,
        forward_origin: dict[str, Any] | None = None,
        file: StoredFile | None = None,
        date: int | None = None,
    ) -> StoredMessage:
        message = StoredMessage(
            chat=chat,
            message_id=chat.take_message_id(),
            sender=sender,
            date=self.now() if date is None else date,
            content=content,
            thread_id=thread_id,
            inline_markup=inline_markup,
            reply_to=reply_to,
            forward_origin=forward_origin,
            file=file,
        )
        chat.messages[message.message_id] = message
        if sender.is_bot:
            self.emit("new", message)
        return message

    def user_text_content(self, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return content

    def store_file(
        self,
        data: bytes,
        *,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        elif kind == "sticker":
            suffix = ".webp"
        stored = StoredFile(
            file_id=f"SBX{kind[:3].upper()}{number:06d}AgAD",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            file_path=f"{kind}s/file_{number}{suffix}",
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # -- events for observers --------------------------------------------------------------------

    def on_event(self, callback: Callable[[SandboxEvent], None]) -> Callable[[], None]:
        """Call `callback` on every new or edited bot message, every message the bot deleted
        and every callback answer (kinds "new", "edited", "deleted", "answer").

        Returns a function that unsubscribes.
        """
        self._observers.append(callback)

        def unsubscribe() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return unsubscribe

    def emit(
        self,
        kind: EventKind,
        message: StoredMessage | None = None,
        answer: CallbackAnswer | None = None,
    ) -> SandboxEvent:
        event = SandboxEvent(
            kind=kind,
            message=ChatMessage(self, message) if message is not None else None,
            answer=answer,
            seq=len(self.events),
        )
        self.events.append(event)
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:
                log.exception("sandbox observer failed on %s", event.kind)
        self.requests_pulse.fire()
        return event

    def bot_messages_since(self, mark: int, *, new_only: bool = False) -> list[ChatMessage]:
        """Bot messages created (or edited, unless new_only) after event number `mark`, in order."""
        kinds = ("new",) if new_only else ("new", "edited")
        seen: set[tuple[int, int]] = set()
        result: list[ChatMessage] = []
        for event in self.events[mark:]:
            if event.kind in kinds and event.message is not None:
                key = (event.message.chat_id, event.message.message_id)
                if key not in seen:
                    seen.add(key)
                    result.append(event.message)
        return result

    # -- request log -----------------------------------------------------------------------------

    def record(self, entry: RequestRecord) -> None:
        self.requests.append(entry)
        if self.on_request is not None:
            self.on_request(entry)
        if entry.method != "getUpdates":
            self._last_activity = asyncio.get_running_loop().time()
        self.requests_pulse.fire()

    def calls(self, method: str) -> list[RequestRecord]:
        """Requests to `method` (case-insensitive), oldest first."""
        lower = method.lower()
        return [entry for entry in self.requests if entry.method.lower() == lower]

    def assert_no_violations(self) -> None:
        if self.violations:
            lines = "\n".join(f"  - {violation}" for violation in self.violations)
            raise AssertionError(f"Bot API violations:\n{lines}")

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float | None = None,  # noqa: ASYNC109 - a budget of inactivity, see below
    ) -> T:
        """Wait until predicate() is truthy, re-checking after every bot request; its value.

        Fails when the bot made no request for `timeout` seconds (the world's by default)
        while the predicate stayed false: a slow bot that keeps working is waited for.
        """
        window = self.timeout if timeout is None else timeout
        value = await self.requests_pulse.wait_until(predicate, window, self.last_activity)
        if not value:
            raise SandboxTimeout(f"condition not met, and nothing happened for {window} s")
        return value

    def last_activity(self) -> float:
        """Loop time of the bot's latest request or finished update (progress, for waits)."""
        return self._last_activity

    def progressed(self) -> None:
        """Something moved (e.g. the app finished an update): waits count from now."""
        self._last_activity = asyncio.get_running_loop().time()
        self.requests_pulse.fire()

    # -- commands --------------------------------------------------------------------------------

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The (command, description) pairs set for exactly this scope and language."""
        key = (scope_key(scope), language_code)
        return [(item["command"], item["description"]) for item in self.commands.get(key, [])]

    # -- updates ---------------------------------------------------------------------------------

    def update_allowed(self, kind: str) -> bool:
        if not self.allowed_updates:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed_updates

    def enqueue(self, kind: str, payload: dict[str, Any]) -> QueuedUpdate | None:
        """Queue an update for the bot; None when the bot does not get this kind."""
        if not self.update_allowed(kind):
            return None
        update_id = next(self._update_ids)
        update = QueuedUpdate(update_id, kind, {"update_id": update_id, kind: payload})
        self.updates.append(update)
        self.pending.append(update)
        self.updates_pulse.fire()
        return update

    def confirm_below(self, offset: int) -> None:
        """getUpdates offset: every update with a smaller id is confirmed."""
        kept: list[QueuedUpdate] = []
        for update in self.pending:
            if update.update_id < offset:
                update.acked = True
            else:
                kept.append(update)
        if len(kept) != len(self.pending):
            self.pending = kept
            self.updates_pulse.fire()

    def keep_last(self, count: int) -> None:
        """Negative getUpdates offset: forget all but the last `count` pending updates."""
        for update in self.pending[: max(len(self.pending) - count, 0)]:
            update.acked = True
        self.pending = self.pending[max(len(self.pending) - count, 0) :]
        self.updates_pulse.fire()

    def deliverable(self, limit: int) -> list[QueuedUpdate]:
        """The first pending updates the bot wants; those it does not want are dropped."""
        batch: list[QueuedUpdate] = []
        kept: list[QueuedUpdate] = []
        changed = False
        for update in self.pending:
            if not self.update_allowed(update.kind):
                update.dropped = True
                changed = True
                continue
            kept.append(update)
            if len(batch) < limit:
                batch.append(update)
        if changed:
            self.pending = kept
            self.updates_pulse.fire()
        return batch

    def acknowledge(self, update: QueuedUpdate) -> None:
        update.acked = True
        if update in self.pending:
            self.pending.remove(update)
        self.updates_pulse.fire()

    def drop_pending(self) -> None:
        for update in self.pending:
            update.dropped = True
        self.pending = []
        self.updates_pulse.fire()

    def set_active_polls(self, count: int) -> None:
        self.active_polls = count
        self.requests_pulse.fire()

    def begin_poll(self) -> int:
        """A new getUpdates call; any older one still waiting must give up (409)."""
        self.poll_generation += 1
        self.updates_pulse.fire()
        return self.poll_generation

    async def settle(self, updates: Iterable[QueuedUpdate | None]) -> None:
        """Wait until the bot has processed these updates (see `processed_waiter`)."""
        waiting = [update for update in updates if update is not None]
        if not waiting:
            return
        loop = asyncio.get_running_loop()
        if self.processed_waiter is not None:
            for update in waiting:
                await self._processed_or_dropped(update)
            return
        settled = await self.updates_pulse.wait_until(
            lambda: all(update.settled for update in waiting), self.timeout, self.last_activity
        )
        if not settled:
            raise SandboxTimeout(self._not_taken(waiting))
        # The bot got them; its answers may still be on the way: count quiet from now.
        self._last_activity = max(self._last_activity, loop.time())
        await self._quiet(loop.time() + self.timeout)

    async def _processed_or_dropped(self, update: QueuedUpdate) -> None:
        """Until the app says the update is processed, or the update was dropped; fails only
        when neither happens and the bot makes no request for `timeout` seconds."""
        assert self.processed_waiter is not None
        loop = asyncio.get_running_loop()
        processed = asyncio.ensure_future(self.processed_waiter(update.update_id))
        start = loop.time()
        try:
            while not processed.done() and not update.dropped:
                remaining = max(start, self._last_activity) + self.timeout - loop.time()
                if remaining <= 0:
                    raise SandboxTimeout(
                        f"update {update.update_id} was not processed, and the bot made no "
                        f"request for {self.timeout} s (processed_waiter did not resolve)"
                    )
                pulse = asyncio.ensure_future(self.requests_pulse.wait(remaining))
                dropped = asyncio.ensure_future(self.updates_pulse.wait(remaining))
                await asyncio.wait({processed, pulse, dropped}, return_when=asyncio.FIRST_COMPLETED)
                pulse.cancel()
                dropped.cancel()
            if processed.done():
                processed.result()  # re-raise what the hook raised
        finally:
            if not processed.done():
                processed.cancel()
                await asyncio.gather(processed, return_exceptions=True)

    async def _quiet(self, deadline: float) -> None:
        """Wait until no bot request came for `quiet_period` seconds."""
        loop = asyncio.get_running_loop()
        while True:
            idle = loop.time() - self._last_activity
            if idle >= self.quiet_period:
                return
            if loop.time() >= deadline:
                raise SandboxTimeout(
                    f"the bot kept calling the API for {self.timeout} s after the update"
                )
            await self.requests_pulse.wait(min(self.quiet_period - idle, deadline - loop.time()))

    def _not_taken(self, updates: list[QueuedUpdate]) -> str:
        stuck = [update for update in updates if not update.settled]
        kinds = ", ".join(f"{update.update_id} ({update.kind})" for update in stuck)
        how = (
            f"webhook {self.webhook.url} (last error: {self.webhook.last_error_message})"
            if self.webhook
            else "getUpdates"
        )
        return (
            f"update(s) {kinds} not taken by the bot within {self.timeout} s via {how}: "
            "is the bot running against this sandbox?"
        )

    def new_query_id(self) -> str:
        return f"{next(self._query_ids)}{self.bot_user.id % 1000:03d}"

    # -- polls -----------------------------------------------------------------------------------

    def new_poll(self, question: str, options: list[str], **flags: Any) -> PollRecord:
        """A poll the bot sends (Telegram's poll ids are long decimal strings)."""
        poll = PollRecord(
            id=str(5300000000000000000 + next(self._poll_ids)),
            question=question,
            options=options,
            **flags,
        )
        self.polls[poll.id] = poll
        return poll

    def poll_answer(
        self, poll: PollRecord, user: UserRecord, option_ids: list[int]
    ) -> QueuedUpdate | None:
        """`user` chose `option_ids` ([]: took their vote back): the bot gets a poll_answer
        update, for a poll that is not anonymous only (Telegram's rule)."""
        if option_ids:
            poll.votes[user.id] = list(option_ids)
        else:
            poll.votes.pop(user.id, None)
        if poll.is_anonymous:
            return None
        return self.enqueue(
            "poll_answer",
            {
                "poll_id": poll.id,
                "user": user.to_api(),
                "option_ids": list(option_ids),
                "option_persistent_ids": [str(option) for option in option_ids],
            },
        )


def scope_key(scope: dict[str, Any] | None) -> str:
    """A canonical key for a BotCommandScope (default when None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
