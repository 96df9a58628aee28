"""Links to users and messages, rendered for parse mode HTML."""

from __future__ import annotations

from bot.i18n import Html
from bot.telegram.text import escape


def user_link(user_id: int, name: str) -> Html:
    """The user's name, linking to their profile in Telegram."""
    return Html(f'<a href="tg://user?id={user_id}">{escape(name)}</a>')


def message_link(
    chat_id: int, message_id: int, *, username: str | None = None, thread_id: int | None = None
) -> str | None:
    """A t.me link to a message of a supergroup (public by username, or private by id)."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    text = str(chat_id)
    if not text.startswith("-100"):
        return None  # basic groups and private chats have no message links
    internal = text.removeprefix("-100")
    if thread_id:
        return f"https://t.me/c/{internal}/{thread_id}/{message_id}"
    return f"https://t.me/c/{internal}/{message_id}"
