"""Records the sandbox keeps: users, chats, members, messages, files, updates, requests, answers."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup"]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

#: Statuses of someone who is in the chat.
PRESENT: frozenset[str] = frozenset({"creator", "administrator", "member", "restricted"})


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False  # has written to the bot in private: the bot may message them
    blocked: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class ChatRecord:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    user: UserRecord | None = None  # the other side of a private chat
    is_forum: bool = False
    members: dict[int, MemberStatus] = field(default_factory=dict)
    topics: dict[int, str] = field(default_factory=dict)  # thread id -> name
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)  # message ids, latest last
    migrated_to: int | None = None
    migrated_from: int | None = None
    reply_keyboard: dict[str, Any] | None = None  # the ReplyKeyboardMarkup the user sees now
    last_action: str | None = None
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    def status_of(self, user_id: int) -> MemberStatus:
        if self.type == "private":
            return "member" if self.user is not None and user_id == self.user.id else "left"
        return self.members.get(user_id, "left")

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title
            if self.username:
                data["username"] = self.username
            if self.is_forum:
                data["is_forum"] = True
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    kind: str = "document"
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)

    def to_api(self) -> dict[str, Any]:
        """As a Document (photos and stickers are described by the message that carries them)."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        mime = self.mime_type or (
            mimetypes.guess_type(self.file_name)[0] if self.file_name else None
        )
        if mime:
            data["mime_type"] = mime
        return data

    def file_api(self) -> dict[str, Any]:
        """As a File (the getFile answer)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    """A message as it is now; `content` holds the fields of its kind (text, document, ...)."""

    chat: ChatRecord
    message_id: int
    sender: UserRecord
    date: int
    content: dict[str, Any] = field(default_factory=dict)
    thread_id: int | None = None
    inline_markup: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    forward_origin: dict[str, Any] | None = None
    edit_date: int | None = None
    deleted: bool = False
    file: StoredFile | None = None
    poll: PollRecord | None = None  # a poll message (forwards share the poll)

    @property
    def text(self) -> str | None:
        text = self.content.get("text")
        return text if isinstance(text, str) else None

    @property
    def caption(self) -> str | None:
        caption = self.content.get("caption")
        return caption if isinstance(caption, str) else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        key = "entities" if "text" in self.content else "caption_entities"
        value = self.content.get(key)
        return list(value) if isinstance(value, list) else []

    def to_api(self, nested: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"message_id": self.message_id}
        if self.thread_id is not None:
            data["message_thread_id"] = self.thread_id
            if self.chat.is_forum:
                data["is_topic_message"] = True
        data["from"] = self.sender.to_api()
        data["date"] = self.date
        data["chat"] = self.chat.to_api()
        if self.forward_origin is not None:
            data["forward_origin"] = self.forward_origin
        if self.reply_to is not None and not nested and not self.reply_to.deleted:
            data["reply_to_message"] = self.reply_to.to_api(nested=True)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        data.update(self.content)
        if self.poll is not None:
            data["poll"] = self.poll.to_api()
        if self.inline_markup is not None:
            data["reply_markup"] = self.inline_markup
        return data


@dataclass
class PollRecord:
    """A native poll as it is now: its options and who chose what (user id -> option ids)."""

    id: str
    question: str
    options: list[str]
    is_anonymous: bool = True
    type: str = "regular"
    allows_multiple_answers: bool = False
    allows_revoting: bool = True
    is_closed: bool = False
    correct_option_ids: list[int] = field(default_factory=list)
    votes: dict[int, list[int]] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        counts = [0] * len(self.options)
        for chosen in self.votes.values():
            for option in chosen:
                counts[option] += 1
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "options": [
                {"persistent_id": str(index), "text": text, "voter_count": counts[index]}
                for index, text in enumerate(self.options)
            ],
            "total_voter_count": len(self.votes),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": False,
        }
        if self.type == "quiz" and self.correct_option_ids:
            data["correct_option_ids"] = list(self.correct_option_ids)
        return data


UpdateKind = str


@dataclass
class QueuedUpdate:
    update_id: int
    kind: UpdateKind
    payload: dict[str, Any]  # the whole Update object
    delivered: bool = False  # handed to a getUpdates call or POSTed to the webhook
    acked: bool = False  # confirmed by a later offset or answered by the webhook
    dropped: bool = False  # never reaches the bot (allowed_updates, drop_pending_updates)

    @property
    def settled(self) -> bool:
        return self.acked or self.dropped


@dataclass
class RequestRecord:
    """One Bot API call as the server saw it."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    time: float
    result: Any = None
    via_webhook_reply: bool = False


@dataclass
class Violation:
    """A request that breaks the published Bot API (unknown method or parameter, wrong type)."""

    method: str
    problem: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.method}: {self.problem}"


@dataclass
class CallbackAnswer:
    """A callback query a user made, and the bot's answer once it came."""

    query_id: str
    user_id: int
    data: str | None
    message: StoredMessage | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
