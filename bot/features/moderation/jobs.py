"""The bot's own rights in the community chat: checked when the bot starts (a job runs once when
the runner starts, then daily) and on every change of its membership (the router), and reported
to the admins once per change of what it lacks.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import (
    Chat,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.moderation import service, views
from bot.features.moderation.service import BotMember, Needs, Tell
from bot.i18n import get_translator, resolve_locale
from bot.jobs.runner import Job, JobContext
from bot.outbox import sender as outbox

log = logging.getLogger(__name__)

RIGHTS_JOB = "moderation-rights"
RIGHTS_INTERVAL = 24 * 3600.0


AnyMember = (
    ChatMemberOwner
    | ChatMemberAdministrator
    | ChatMemberMember
    | ChatMemberRestricted
    | ChatMemberLeft
    | ChatMemberBanned
)


def bot_member(member: AnyMember) -> BotMember:
    return BotMember(
        status=str(getattr(member.status, "value", member.status)),  # an enum, or its value
        can_pin=bool(getattr(member, "can_pin_messages", False)),
        can_delete=bool(getattr(member, "can_delete_messages", False)),
        can_manage_topics=bool(getattr(member, "can_manage_topics", False)),
    )


async def bot_name(bot: Bot) -> str:
    me = await bot.me()  # asked once per process, then kept by aiogram
    return f"@{me.username}" if me.username else me.full_name


def needs_of(settings: Settings) -> Needs:
    topics = (
        settings.intro_topic_id,
        settings.announcements_topic_id,
        settings.content_topic_id,
        settings.discussion_topic_id,
        settings.coffee_topic_id,
    )
    return Needs(
        readonly_topics=bool(settings.readonly_topic_ids),
        remove_service_messages=settings.remove_service_messages,
        topics_configured=bool(settings.readonly_topic_ids) or any(t is not None for t in topics),
    )


async def report_rights(
    session: AsyncSession, settings: Settings, name: str, chat: Chat, member: BotMember
) -> Tell:
    """Tell the community's admins what the bot (`name`) lacks in `chat`: in the group, once,
    and in private to ADMIN_IDS; only when that changed since they were last told."""
    needed = service.needed(needs_of(settings), is_forum=bool(chat.is_forum))
    lacking = service.missing(member, needed)
    state = service.fingerprint(member, lacking)
    tell = service.what_to_tell(await service.last_report(session, chat.id), state)
    if tell is Tell.NOTHING:
        return tell
    title = chat.title or str(chat.id)
    key: str | None = service.report_key(chat.id, state)
    if tell is not Tell.GONE:
        t = get_translator(settings.default_locale)  # the group reads the community's language
        text = views.rights_report(t, tell, chat=title, bot=name, lacking=lacking)
        await outbox.post(session, chat.id, text, key=key)
        key = None  # the group's post records what was said
    for admin in await service.reachable_admins(session, settings.admin_ids):
        locale = resolve_locale(admin.language, admin.language_code, settings.default_locale)
        t = get_translator(locale)
        text = views.rights_report(t, tell, chat=title, bot=name, lacking=lacking)
        await outbox.post(session, admin.id, text, key=key)
        key = None
    return tell


async def community_member(bot: Bot, chat_id: int) -> tuple[Chat, BotMember] | None:
    """The community chat and the bot's membership there, as Telegram says now."""
    try:
        full = await bot.get_chat(chat_id)
        member = bot_member(await bot.get_chat_member(chat_id, bot.id))
    except TelegramForbiddenError:
        # Removed from the chat: Telegram shows it no more.
        return Chat(id=chat_id, type="supergroup"), BotMember(status="left")
    except TelegramAPIError as exc:
        log.warning("cannot check the bot's rights in the community chat: %s", exc)
        return None
    chat = Chat(id=full.id, type=full.type, title=full.title, is_forum=full.is_forum)
    return chat, member


async def check_rights(context: JobContext) -> bool:
    """The start-up (and daily) look at the bot's rights in the community chat."""
    settings = context.settings
    if settings.community_chat_id is None:
        return False
    # Telegram first, with no transaction open.
    found = await community_member(context.bot, settings.community_chat_id)
    if found is None:
        return False
    name = await bot_name(context.bot)
    async with context.session_factory() as session, session.begin():
        tell = await report_rights(session, settings, name, *found)
    return tell is not Tell.NOTHING


rights_job = Job(RIGHTS_JOB, interval=RIGHTS_INTERVAL, run=check_rights)
