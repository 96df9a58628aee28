"""Texts of group hygiene: the private note of a removed post, a moved reply, rights reports."""

from __future__ import annotations

from bot.features.moderation.service import Right, Tell, Why, cut
from bot.i18n import Html, Translator
from bot.telegram.links import user_link


def removed_note(t: Translator, *, chat: str, text: str | None, moves_replies: bool) -> str:
    """The private message to a member whose post in a read-only topic was removed."""
    lines = [t("moderation-removed", chat=chat)]
    if moves_replies:
        lines.append(t("moderation-removed-reply-hint"))
    if text:
        lines += ["", t("moderation-removed-copy", text=cut(text))]
    return "\n".join(lines)


def moved_reply(t: Translator, *, author_id: int, author: str, link: str | None, text: str) -> str:
    """A member's reply to a read-only post, as re-posted in the discussion topic."""
    who = user_link(author_id, author)
    if link is None:
        return t("moderation-moved-nolink", author=who, text=text)
    return t("moderation-moved", author=who, link=link, text=text)


_RIGHT_KEYS = {
    Right.PIN: "moderation-right-pin",
    Right.DELETE: "moderation-right-delete",
    Right.TOPICS: "moderation-right-topics",
}
_WHY_KEYS = {
    Why.EVENTS: "moderation-why-events",
    Why.READONLY: "moderation-why-readonly",
    Why.SERVICE: "moderation-why-service",
    Why.COMMANDS: "moderation-why-commands",
    Why.FORUM: "moderation-why-forum",
}


def rights_report(
    t: Translator,
    tell: Tell,
    *,
    chat: str,
    bot: str,
    lacking: dict[Right, tuple[Why, ...]],
) -> str:
    """What the admins are told about the bot's rights in a chat."""
    if tell is Tell.FIXED:
        return t("moderation-rights-fixed", chat=chat)
    if tell is Tell.GONE:
        return t("moderation-rights-gone", chat=chat)
    lines = [t("moderation-rights-title", chat=chat)]
    if Right.ADMIN in lacking:
        lines.append(t("moderation-right-admin"))
    for right, key in _RIGHT_KEYS.items():
        if right in lacking:
            why = ", ".join(t(_WHY_KEYS[reason]) for reason in lacking[right])
            lines.append(t(key, why=Html(why)))
    lines += ["", t("moderation-rights-fix", bot=bot)]
    return "\n".join(lines)
