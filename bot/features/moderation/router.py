"""Group hygiene handlers: read-only topics, "joined / left" messages, the bot's own rights.

This router goes first: a member's message in a read-only topic is taken here before any other
feature sees it (a command too, and the content archive never keeps what is removed), and a
service message is removed here and then passed on (SkipHandler) to whatever else wants it.
Everything posted or deleted in a group goes through the outbox; the private note to a member
is a direct private message, as any private reply.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.core.service import UserDirectory, UserInfo
from bot.features.moderation import service, views
from bot.features.moderation.jobs import bot_member, bot_name, report_rights
from bot.features.moderation.service import Topics, Verdict
from bot.i18n import Translator, get_translator
from bot.outbox import sender as outbox
from bot.telegram.access import Access
from bot.telegram.links import message_link

log = logging.getLogger(__name__)

GROUPS = ("group", "supergroup")


def topics_of(settings: Settings) -> Topics:
    return Topics(
        chat_id=settings.community_chat_id,
        readonly=settings.readonly_topic_ids,
        discussion=settings.discussion_topic_id,
    )


# --- read-only topics -------------------------------------------------------------------------


def in_readonly_topic(message: Message, settings: Settings) -> bool:
    """A message of a read-only forum topic of the community chat (cheap: no I/O)."""
    thread = message.message_thread_id if message.is_topic_message else None
    return topics_of(settings).is_readonly(message.chat.id, thread)


async def by_admin(message: Message, access: Access) -> bool:
    """Posted by an admin of the community (or as the group itself, or by a linked channel)."""
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return True  # an anonymous administrator
    if message.is_automatic_forward:
        return True  # the linked channel's post
    user = message.from_user
    if user is None or message.sender_chat is not None:
        return False  # someone posting as a channel of their own
    return await access.is_admin(user.id)


def replied_post(message: Message) -> Message | None:
    """The post of the same topic this message replies to (a topic's header is no post: in
    forums every message of a topic may reply to it)."""
    target = message.reply_to_message
    if target is None or target.forum_topic_created is not None:
        return None
    if target.message_id == message.message_thread_id:
        return None
    if target.message_thread_id != message.message_thread_id:
        return None
    return target


async def by_member(message: Message, access: Access) -> bool:
    return not await by_admin(message, access)


async def on_readonly_message(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    user: UserInfo | None,
    users: UserDirectory,
    t: Translator,
) -> None:
    topics = topics_of(settings)
    author = message.from_user if message.sender_chat is None else None
    post = replied_post(message) if author is not None else None  # a move names its author
    text = message.text or message.caption
    decided = service.verdict(
        topics,
        chat_id=message.chat.id,
        thread_id=message.message_thread_id,
        by_admin=False,
        replies_to_post=post is not None,
        has_text=bool(text),
    )
    chat_id = message.chat.id
    if decided is Verdict.MOVE:
        assert post is not None
        assert text is not None
        assert author is not None
        link = message_link(
            chat_id,
            post.message_id,
            username=message.chat.username,
            thread_id=message.message_thread_id,
        )
        community = get_translator(settings.default_locale)  # read by everyone
        moved = views.moved_reply(
            community,
            author_id=author.id,
            author=author.full_name,
            link=link,
            text=text,
        )
        await outbox.post(session, chat_id, moved, thread_id=topics.discussion)
        await outbox.delete(session, chat_id, [message.message_id])  # after the re-post
        return
    await outbox.delete(session, chat_id, [message.message_id])
    if user is None or user.is_blocked or message.sender_chat is not None:
        return  # nobody to tell in private
    note = views.removed_note(
        t, chat=message.chat.title or "", text=text, moves_replies=topics.moves_replies
    )
    await tell_privately(message.bot, session, users, user.id, note)


async def tell_privately(
    bot: Bot | None, session: AsyncSession, users: UserDirectory, user_id: int, text: str
) -> None:
    """A private message, if Telegram lets the bot write to the user (who started it)."""
    if bot is None:
        return
    try:
        await bot.send_message(user_id, text)
    except TelegramForbiddenError as exc:
        # Never started the bot (or blocked it): nothing to say, and no need to try again
        # until they write to the bot, which unmarks them.
        log.info("cannot tell user %s in private: %s", user_id, exc.message)
        await users.mark_blocked(session, user_id)


# --- "X joined" / "X left" --------------------------------------------------------------------


def is_membership_notice(message: Message, settings: Settings) -> bool:
    return (
        settings.remove_service_messages
        and message.chat.id == settings.community_chat_id
        and (bool(message.new_chat_members) or message.left_chat_member is not None)
    )


async def on_membership_notice(message: Message, session: AsyncSession) -> None:
    await outbox.delete(session, message.chat.id, [message.message_id], quiet=True)
    raise SkipHandler  # removed: other features may still greet or count the newcomer


# --- the bot's own rights ---------------------------------------------------------------------


async def on_bot_membership(
    event: ChatMemberUpdated, session: AsyncSession, settings: Settings, bot: Bot
) -> None:
    member = bot_member(event.new_chat_member)
    if event.chat.id == settings.community_chat_id:
        name = await bot_name(bot)
        await report_rights(session, settings, name, event.chat, member)
        return
    # Another group: one word when the bot is added there without what tidying up needs.
    added = not bot_member(event.old_chat_member).present and member.present
    lacking = service.missing(member, service.needed(None, is_forum=bool(event.chat.is_forum)))
    if added and lacking:
        t = get_translator(settings.default_locale)
        await outbox.post(session, event.chat.id, t("moderation-rights-other-group"))


def build_router() -> Router:
    router = Router(name="moderation")
    router.message.register(on_membership_notice, F.chat.type.in_(GROUPS), is_membership_notice)
    # Cheap filters first: the admin check (cached) runs only in read-only topics.
    router.message.register(
        on_readonly_message, F.chat.type == "supergroup", in_readonly_topic, by_member
    )
    router.my_chat_member.register(on_bot_membership, F.chat.type.in_(GROUPS))
    return router
