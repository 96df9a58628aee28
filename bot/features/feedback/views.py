"""What admins see above a member's feedback: who sent it (no I/O)."""

from __future__ import annotations

from aiogram.types import User

from bot.i18n import Translator
from bot.telegram.links import user_link


def header(t: Translator, sender: User) -> str:
    """One line naming the sender: their name (a link to them), @username and id."""
    who = user_link(sender.id, sender.full_name)
    if sender.username:
        return t("feedback-header", who=who, username=sender.username, id=str(sender.id))
    return t("feedback-header-no-username", who=who, id=str(sender.id))
