"""Test client: users and groups talking to the bot through the fake Telegram; message views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from bot.sandbox.html import detect_entities, to_html
from bot.sandbox.models import (
    PRESENT,
    CallbackAnswer,
    ChatRecord,
    MemberStatus,
    PollRecord,
    QueuedUpdate,
    StoredFile,
    StoredMessage,
    UserRecord,
)

if TYPE_CHECKING:
    from bot.sandbox.world import World

__all__ = ["CallbackAnswer", "ChatMessage", "GroupActor", "Reply", "UserActor"]


class ChatMessage:
    """A live view of one message: every property reads the message as it is now."""

    def __init__(self, world: World, stored: StoredMessage) -> None:
        self._world = world
        self.stored = stored

    @property
    def message_id(self) -> int:
        return self.stored.message_id

    @property
    def chat_id(self) -> int:
        return self.stored.chat.id

    @property
    def thread_id(self) -> int | None:
        return self.stored.thread_id

    @property
    def date(self) -> int:
        return self.stored.date

    @property
    def sender(self) -> UserRecord:
        return self.stored.sender

    @property
    def from_bot(self) -> bool:
        return self.stored.sender.is_bot

    @property
    def text(self) -> str | None:
        """The visible text, or the caption of a file."""
        return self.stored.text if self.stored.text is not None else self.stored.caption

    @property
    def caption(self) -> str | None:
        return self.stored.caption

    @property
    def entities(self) -> list[dict[str, Any]]:
        return self.stored.entities

    @property
    def html(self) -> str:
        """The text (or caption) with its formatting as Telegram-HTML."""
        return to_html(self.text or "", self.entities)

    @property
    def keyboard(self) -> dict[str, Any] | None:
        """The inline keyboard (InlineKeyboardMarkup) as sent, or None."""
        return self.stored.inline_markup

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        if not self.stored.inline_markup:
            return []
        rows = self.stored.inline_markup.get("inline_keyboard", [])
        return [[button.get("text", "") for button in row] for row in rows]

    def button(self, label: str) -> dict[str, Any]:
        """The first inline button with this label; AssertionError listing the labels if none."""
        for row in (self.stored.inline_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label:
                    return dict(button)
        raise AssertionError(
            f'no button "{label}" in message {self.message_id} ({self.text!r}); '
            f"buttons: {self.buttons}"
        )

    @property
    def document(self) -> StoredFile | None:
        return self.stored.file if "document" in self.stored.content else None

    @property
    def file(self) -> StoredFile | None:
        return self.stored.file

    @property
    def content(self) -> dict[str, Any]:
        """The kind-specific Message fields (text, document, sticker, service fields...)."""
        return self.stored.content

    @property
    def poll(self) -> PollRecord | None:
        """The poll of a poll message, as it is now (shared by its forwards)."""
        return self.stored.poll

    @property
    def deleted(self) -> bool:
        return self.stored.deleted

    @property
    def edited(self) -> bool:
        return self.stored.edit_date is not None

    @property
    def pinned(self) -> bool:
        return self.message_id in self.stored.chat.pinned

    @property
    def reply_to(self) -> ChatMessage | None:
        target = self.stored.reply_to
        return ChatMessage(self._world, target) if target is not None else None

    def to_api(self) -> dict[str, Any]:
        """The Message object Telegram would send for this message now."""
        return self.stored.to_api()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChatMessage) and other.stored is self.stored

    def __hash__(self) -> int:
        return hash((self.chat_id, self.message_id))

    def __repr__(self) -> str:
        flags = "".join(
            f" [{flag}]" for flag, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        who = "bot" if self.from_bot else self.sender.first_name
        return f"<ChatMessage {self.chat_id}/{self.message_id} {who}: {self.text!r}{flags}>"


class Reply(list[ChatMessage]):
    """The bot messages created or edited while one user action was processed."""

    def __init__(
        self,
        messages: Iterable[ChatMessage] = (),
        answer: CallbackAnswer | None = None,
        posted: Iterable[ChatMessage] | None = None,
    ):
        super().__init__(messages)
        self.answer = answer
        self.posted = list(self if posted is None else posted)

    @property
    def texts(self) -> list[str]:
        return [message.text or "" for message in self]

    @property
    def alert(self) -> str | None:
        """The text the user saw after pressing a button (toast or alert), if any."""
        return self.answer.text if self.answer is not None else None

    @property
    def last(self) -> ChatMessage:
        if not self:
            raise AssertionError("the bot sent or edited nothing in reply")
        return self[-1]

    @property
    def post(self) -> ChatMessage:
        """The last message the bot posted (edits left out): a new card, while jobs edit others."""
        if not self.posted:
            raise AssertionError("the bot posted nothing in reply")
        return self.posted[-1]


class _Actor:
    def __init__(self, world: World) -> None:
        self.world = world

    async def _roundtrip(self, make: Callable[[], list[QueuedUpdate | None]]) -> Reply:
        mark = len(self.world.events)
        updates: list[QueuedUpdate | None] = make()
        await self.world.settle(updates)
        return Reply(
            self.world.bot_messages_since(mark),
            posted=self.world.bot_messages_since(mark, new_only=True),
        )

    def _bot_messages(self, chat: ChatRecord) -> list[ChatMessage]:
        return [
            ChatMessage(self.world, message)
            for message in sorted(chat.messages.values(), key=lambda m: m.message_id)
            if message.sender.is_bot and not message.deleted
        ]


class UserActor(_Actor):
    """A Telegram user. Every action queues an update and waits until the bot processed it."""

    def __init__(self, world: World, record: UserRecord) -> None:
        super().__init__(world)
        self.record = record
        self.sent: list[ChatMessage] = []
        self.last_answer: CallbackAnswer | None = None

    def __repr__(self) -> str:
        return f"<UserActor {self.record.id} {self.record.full_name}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.full_name

    @property
    def username(self) -> str | None:
        return self.record.username

    @property
    def chat(self) -> ChatRecord:
        """The private chat with the bot."""
        return self.world.chats[self.record.id]

    # -- what the user sees ----------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in the private chat now (no deleted ones), oldest first."""
        return self._bot_messages(self.chat)

    @property
    def last_message(self) -> ChatMessage:
        messages = self.messages
        if not messages:
            raise AssertionError(f"{self.name} has no messages from the bot")
        return messages[-1]

    @property
    def last_alert(self) -> str | None:
        """The text of the last callback answer this user saw (toast or alert)."""
        return self.last_answer.text if self.last_answer is not None else None

    @property
    def last_sent(self) -> ChatMessage:
        if not self.sent:
            raise AssertionError(f"{self.name} has sent nothing")
        return self.sent[-1]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard shown in the private chat, or None."""
        markup = self.chat.reply_keyboard
        if markup is None:
            return None
        return [[_label(button) for button in row] for row in markup.get("keyboard", [])]

    # -- blocking --------------------------------------------------------------------------------

    def block_bot(self, emit: bool = True) -> None:
        """Block the bot: its sends now get 403. Emits my_chat_member (kicked) unless emit=False."""
        if not self.record.blocked:
            self.record.blocked = True
            if emit:
                self._my_chat_member("member", "kicked")

    def unblock_bot(self, emit: bool = True) -> None:
        if self.record.blocked:
            self.record.blocked = False
            if emit:
                self._my_chat_member("kicked", "member")

    def _my_chat_member(self, old: str, new: str) -> QueuedUpdate | None:
        bot_id = self.world.bot_user.id
        return self.world.enqueue(
            "my_chat_member",
            {
                "chat": self.chat.to_api(),
                "from": self.record.to_api(),
                "date": self.world.now(),
                "old_chat_member": self.world.member_api(bot_id, old),
                "new_chat_member": self.world.member_api(bot_id, new),
            },
        )

    # -- sending ---------------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: ChatMessage | None = None) -> Reply:
        """A text message in the private chat; the bot's messages sent or edited in reply."""
        return await self._roundtrip(
            lambda: [self._post(self.chat, self.world.user_text_content(text), reply_to=reply_to)]
        )

    async def send_many(self, texts: Iterable[str], *, same_date: bool = True) -> Reply:
        """Several messages at once (a long paste split by the client), all queued, then waited."""
        date = self.world.now() if same_date else None
        return await self._roundtrip(
            lambda: [
                self._post(self.chat, self.world.user_text_content(text), date=date)
                for text in texts
            ]
        )

    async def say_in(
        self,
        group: GroupActor,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: ChatMessage | None = None,
    ) -> Reply:
        """A text message in a group (the user must be a member: see GroupActor.add)."""
        content = self.world.user_text_content(text)
        return await self._roundtrip(
            lambda: [self._post(group.record, content, thread_id=thread_id, reply_to=reply_to)]
        )

    async def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        *,
        mime_type: str | None = None,
        group: GroupActor | None = None,
        thread_id: int | None = None,
    ) -> Reply:
        file = self.world.store_file(data, kind="document", file_name=filename, mime_type=mime_type)
        content: dict[str, Any] = {"document": file.to_api()}
        _add_caption(content, caption)
        chat = group.record if group else self.chat
        return await self._roundtrip(
            lambda: [self._post(chat, content, thread_id=thread_id, file=file)]
        )

    async def send_photo(
        self,
        data: bytes = b"\xff\xd8\xff\xe0sandbox-photo",
        caption: str | None = None,
        *,
        width: int = 800,
        height: int = 600,
        group: GroupActor | None = None,
        thread_id: int | None = None,
    ) -> Reply:
        file = self.world.store_file(data, kind="photo")
        size = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": width,
            "height": height,
            "file_size": file.file_size,
        }
        content: dict[str, Any] = {"photo": [size]}
        _add_caption(content, caption)
        chat = group.record if group else self.chat
        return await self._roundtrip(
            lambda: [self._post(chat, content, thread_id=thread_id, file=file)]
        )

    async def send_location(self, latitude: float, longitude: float) -> Reply:
        """A shared location (📎 → Location) in the private chat."""
        content: dict[str, Any] = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self._roundtrip(lambda: [self._post(self.chat, content)])

    async def send_sticker(
        self,
        emoji: str = "👍",
        *,
        group: GroupActor | None = None,
        thread_id: int | None = None,
    ) -> Reply:
        file = self.world.store_file(b"RIFF\x00\x00\x00\x00WEBP", kind="sticker")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.file_size,
        }
        chat = group.record if group else self.chat
        return await self._roundtrip(
            lambda: [self._post(chat, {"sticker": sticker}, thread_id=thread_id, file=file)]
        )

    async def forward(
        self,
        message_from: UserActor | str,
        text: str,
        *,
        hidden: bool = False,
        group: GroupActor | None = None,
    ) -> Reply:
        """Forward someone's text here; `hidden` (or a plain name) gives MessageOriginHiddenUser."""
        date = self.world.now()
        origin: dict[str, Any]
        if hidden or isinstance(message_from, str):
            name = message_from if isinstance(message_from, str) else message_from.name
            origin = {"type": "hidden_user", "date": date, "sender_user_name": name}
        else:
            origin = {"type": "user", "date": date, "sender_user": message_from.record.to_api()}
        chat = group.record if group else self.chat
        content = self.world.user_text_content(text)
        return await self._roundtrip(lambda: [self._post(chat, content, forward_origin=origin)])

    async def edit(self, message: ChatMessage, new_text: str) -> Reply:
        """Edit one of this user's own text messages: an edited_message update."""
        stored = message.stored
        if stored.sender is not self.record:
            raise AssertionError(f"{self.name} can only edit their own messages, not {message!r}")
        if stored.deleted or stored.text is None:
            raise AssertionError(f"{message!r} cannot be edited (deleted or not text)")

        def make() -> list[QueuedUpdate | None]:
            stored.content = self.world.user_text_content(new_text)
            stored.edit_date = self.world.now()
            return [self.world.enqueue("edited_message", stored.to_api())]

        return await self._roundtrip(make)

    # -- buttons ---------------------------------------------------------------------------------

    async def press(
        self,
        label: str,
        *,
        message: ChatMessage | None = None,
        group: GroupActor | None = None,
    ) -> Reply:
        """Press an inline button by label on `message`, by default the bot's latest message with
        an inline keyboard in the private chat (or in `group`). The answer is on `.answer`."""
        if message is None:
            chat = group.record if group else self.chat
            keyboards = [m for m in self._bot_messages(chat) if m.keyboard]
            if not keyboards:
                raise AssertionError(f"no bot message with an inline keyboard in chat {chat.id}")
            message = keyboards[-1]
        if message.deleted:
            raise AssertionError(f"{message!r} was deleted: its buttons are gone")
        button = message.button(label)
        if "callback_data" not in button:
            raise AssertionError(f'button "{label}" is not a callback button: {button}')
        return await self.press_data(str(button["callback_data"]), message=message)

    async def press_data(self, data: str, *, message: ChatMessage) -> Reply:
        """A callback query with any data on `message` (forged or stale buttons)."""
        stored = message.stored
        query_id = self.world.new_query_id()
        answer = CallbackAnswer(query_id, self.record.id, data, stored)
        self.world.callback_queries[query_id] = answer
        self.last_answer = answer
        payload: dict[str, Any] = {
            "id": query_id,
            "from": self.record.to_api(),
            "message": stored.to_api(),
            "chat_instance": f"{abs(stored.chat.id) * 31 % 10**12}",
            "data": data,
        }
        reply = await self._roundtrip(lambda: [self.world.enqueue("callback_query", payload)])
        reply.answer = answer
        return reply

    # -- polls -----------------------------------------------------------------------------------

    async def vote(self, message: ChatMessage, option_ids: Iterable[int]) -> Reply:
        """Answer the poll of `message` (option indexes; none: take the vote back), as a
        Telegram client allows it: only someone who sees the message (a member of its chat),
        never a bot, not in a closed poll, one option unless several are allowed, and a change
        only where revoting is allowed. The bot gets a poll_answer if the poll is not anonymous."""
        poll = message.poll
        chosen = list(option_ids)
        if poll is None:
            raise AssertionError(f"{message!r} has no poll")
        chat = message.stored.chat
        if message.deleted or (chat.is_group and chat.status_of(self.id) not in PRESENT):
            raise AssertionError(f"{self.name} cannot see {message!r}")
        if self.record.is_bot:
            raise AssertionError("bots cannot vote in polls")
        if poll.is_closed:
            raise AssertionError(f"the poll {poll.question!r} is closed")
        if any(not 0 <= option < len(poll.options) for option in chosen):
            raise AssertionError(f"no such option in {poll.options}: {chosen}")
        if len(chosen) > 1 and not poll.allows_multiple_answers:
            raise AssertionError(f"the poll {poll.question!r} takes one answer")
        before = poll.votes.get(self.id)
        if not chosen and before is None:
            raise AssertionError(f"{self.name} has no vote to take back")
        if before is not None and not poll.allows_revoting:
            raise AssertionError(f"the poll {poll.question!r} does not allow changing a vote")
        if before == chosen:
            return Reply()  # nothing changed: Telegram sends nothing
        return await self._roundtrip(lambda: [self.world.poll_answer(poll, self.record, chosen)])

    async def forward_message(self, message: ChatMessage, *, group: GroupActor) -> ChatMessage:
        """Forward any message (a poll too: the forward shows the same poll) to `group`; the bot
        gets the update only when it is in that group."""
        stored = message.stored
        origin = stored.forward_origin or {
            "type": "user",
            "date": stored.date,
            "sender_user": stored.sender.to_api(),
        }
        chat = group.record
        if chat.status_of(self.id) not in PRESENT:
            raise AssertionError(f"{self.name} is not a member of {chat.title!r}: group.add()")
        copy = self.world.add_message(
            chat, self.record, dict(stored.content), forward_origin=origin, file=stored.file
        )
        copy.poll = stored.poll
        if chat.status_of(self.world.bot_user.id) in PRESENT:
            await self._roundtrip(lambda: [self.world.enqueue("message", copy.to_api())])
        return ChatMessage(self.world, copy)

    # -- internals -------------------------------------------------------------------------------

    def _post(
        self,
        chat: ChatRecord,
        content: dict[str, Any],
        *,
        thread_id: int | None = None,
        reply_to: ChatMessage | None = None,
        forward_origin: dict[str, Any] | None = None,
        file: StoredFile | None = None,
        date: int | None = None,
    ) -> QueuedUpdate | None:
        if chat.is_group:
            if chat.status_of(self.record.id) not in PRESENT:
                raise AssertionError(f"{self.name} is not a member of {chat.title!r}: group.add()")
            if thread_id is not None and chat.is_forum and thread_id not in chat.topics:
                raise AssertionError(f"no topic {thread_id} in {chat.title!r}: {chat.topics}")
        else:
            self.record.started = True
            if self.record.blocked:
                self.unblock_bot()  # writing to a blocked bot means pressing "Restart"
        target = reply_to.stored if reply_to is not None else None
        if target is not None:
            if target.chat is not chat:
                raise AssertionError(f"{reply_to!r} is not in chat {chat.id}")
            if thread_id is None:
                thread_id = target.thread_id
        markup = chat.reply_keyboard
        if markup is not None and markup.get("one_time_keyboard"):
            chat.reply_keyboard = None
        stored = self.world.add_message(
            chat,
            self.record,
            content,
            thread_id=thread_id,
            reply_to=target,
            forward_origin=forward_origin,
            file=file,
            date=date,
        )
        self.sent.append(ChatMessage(self.world, stored))
        return self.world.enqueue("message", stored.to_api())


class GroupActor(_Actor):
    """A group or supergroup the bot is in. After migration it stands for the new supergroup."""

    def __init__(self, world: World, record: ChatRecord) -> None:
        super().__init__(world)
        self._record = record

    def __repr__(self) -> str:
        return f"<GroupActor {self.id} {self.title!r}>"

    @property
    def record(self) -> ChatRecord:
        chat = self._record
        while chat.migrated_to is not None:
            chat = self.world.chats[chat.migrated_to]
        return chat

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def title(self) -> str:
        return self.record.title or ""

    # -- membership ------------------------------------------------------------------------------

    def add(
        self, user: UserActor, *, admin: bool = False, creator: bool = False, emit: bool = False
    ) -> None:
        """Make `user` a member (admin, creator) at once. With emit=True the bot also gets the
        service message and chat_member update, without waiting for it (see join())."""
        status: MemberStatus = "creator" if creator else "administrator" if admin else "member"
        self._set_status(user, status, emit)

    def remove(self, user: UserActor, *, banned: bool = False, emit: bool = False) -> None:
        self._set_status(user, "kicked" if banned else "left", emit)

    def status_of(self, user: UserActor) -> str:
        return self.record.status_of(user.id)

    def set_bot_status(self, status: MemberStatus) -> None:
        """The bot's own membership: "administrator", "member", "left", "kicked"."""
        self.record.members[self.world.bot_user.id] = status

    async def set_bot_rights(
        self, status: MemberStatus = "administrator", *, emit: bool = True, **rights: bool
    ) -> Reply:
        """Change the bot's own membership as the group's owner would: its status and its admin
        rights (e.g. can_pin_messages=False; the others as an administrator's defaults). With
        emit, the bot gets my_chat_member (old and new) and this waits until it handled it."""
        chat = self.record
        bot_id = self.world.bot_user.id
        old = self.world.bot_member(chat)
        chat.members[bot_id] = status
        self.world.bot_rights[chat.id] = dict(rights)
        if not emit:
            return Reply()
        owner = self._someone()
        update = {
            "chat": chat.to_api(),
            "from": owner.to_api(),
            "date": self.world.now(),
            "old_chat_member": old,
            "new_chat_member": self.world.bot_member(chat),
        }
        return await self._roundtrip(lambda: [self.world.enqueue("my_chat_member", update)])

    async def join(self, user: UserActor) -> Reply:
        """`user` joins: new_chat_members (and chat_member, if allowed); waits for the bot."""
        return await self._roundtrip(lambda: self._set_status(user, "member", True))

    async def leave(self, user: UserActor) -> Reply:
        return await self._roundtrip(lambda: self._set_status(user, "left", True))

    async def kick(self, user: UserActor) -> Reply:
        """An admin removes (bans) `user`: left_chat_member and chat_member; waits for the bot."""
        return await self._roundtrip(lambda: self._set_status(user, "kicked", True))

    def _set_status(
        self, user: UserActor, status: MemberStatus, emit: bool
    ) -> list[QueuedUpdate | None]:
        chat = self.record
        old = chat.status_of(user.id)
        chat.members[user.id] = status
        if not emit:
            return []
        updates: list[QueuedUpdate | None] = []
        content: dict[str, Any] | None = None
        if old not in PRESENT and status in PRESENT:
            content = {"new_chat_members": [user.record.to_api()]}
        elif old in PRESENT and status not in PRESENT:
            content = {"left_chat_member": user.record.to_api()}
        if content is not None:
            stored = self.world.add_message(chat, user.record, content)
            updates.append(self.world.enqueue("message", stored.to_api()))
        member_update = {
            "chat": chat.to_api(),
            "from": user.record.to_api(),
            "date": self.world.now(),
            "old_chat_member": self.world.member_api(user.id, old, forum=chat.is_forum),
            "new_chat_member": self.world.member_api(user.id, status, forum=chat.is_forum),
        }
        updates.append(self.world.enqueue("chat_member", member_update))
        return updates

    # -- forum topics ----------------------------------------------------------------------------

    def topic(self, name: str) -> int:
        """Create a forum topic; its thread id (no update is sent)."""
        chat = self.record
        if not chat.is_forum:
            raise AssertionError(f"{chat.title!r} is not a forum: world.group(..., forum=True)")
        creator = self._someone()
        stored = self.world.add_message(
            chat, creator, {"forum_topic_created": {"name": name, "icon_color": 7322096}}
        )
        stored.thread_id = stored.message_id
        chat.topics[stored.message_id] = name
        return stored.message_id

    # -- what the group shows --------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in the group now (no deleted ones), oldest first."""
        return self._bot_messages(self.record)

    def messages_in(self, thread_id: int | None) -> list[ChatMessage]:
        """The bot's messages in one forum topic (None: the General topic)."""
        return [m for m in self.messages if m.thread_id == thread_id]

    @property
    def last_message(self) -> ChatMessage:
        messages = self.messages
        if not messages:
            raise AssertionError(f"no bot messages in {self.title!r}")
        return messages[-1]

    @property
    def pinned(self) -> list[ChatMessage]:
        chat = self.record
        return [ChatMessage(self.world, chat.messages[i]) for i in chat.pinned]

    # -- migration -------------------------------------------------------------------------------

    async def migrate_to_supergroup(self, by: UserActor | None = None) -> Reply:
        """Upgrade a basic group: migrate_to_chat_id in the old chat, migrate_from in the new."""
        old = self.record
        if old.type != "group":
            raise AssertionError(f"{old.title!r} is already a supergroup")
        actor = by.record if by is not None else self._someone()
        new = self.world.create_group_chat(
            old.title or "", supergroup=True, username=old.username, forum=False
        )
        new.members = dict(old.members)

        def make() -> list[QueuedUpdate | None]:
            old.migrated_to = new.id
            new.migrated_from = old.id
            first = self.world.add_message(old, actor, {"migrate_to_chat_id": new.id})
            second = self.world.add_message(new, actor, {"migrate_from_chat_id": old.id})
            return [
                self.world.enqueue("message", first.to_api()),
                self.world.enqueue("message", second.to_api()),
            ]

        return await self._roundtrip(make)

    def _someone(self) -> UserRecord:
        """A human in the chat to author service messages: creator, admin or member."""
        chat = self.record
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self.world.users:
                    return self.world.users[user_id]
        raise AssertionError(f"nobody in {chat.title!r} yet: group.add(user) first")


def _label(button: Any) -> str:
    return str(button.get("text", "")) if isinstance(button, dict) else str(button)


def _add_caption(content: dict[str, Any], caption: str | None) -> None:
    if caption:
        content["caption"] = caption
        entities = detect_entities(caption)
        if entities:
            content["caption_entities"] = entities
