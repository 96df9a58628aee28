"""/feedback: the member's next message (text, photo, document, voice, video, audio) goes to
every admin who started the bot, and to ADMIN_CHAT_ID when it is set, under one line naming
the sender; the member is told whether it went out.

A flow of one prompt (declared: another flow's command ends it with one line, /cancel and its
Cancel button end it). The prompt expires after `service.TIMEOUT`: its time is kept in the
flow's FSM data and checked when the next message arrives (no job, no sleep).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.feedback import service
from bot.features.feedback.states import Feedback
from bot.features.feedback.views import header
from bot.i18n import Translator, get_translator, resolve_locale
from bot.outbox import sender as outbox
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.flows import declare_flow
from bot.telegram.guards import guard
from bot.telegram.keyboards import keyboard
from bot.telegram.prompts import ask, finish_flow, reask, start_flow

log = logging.getLogger(__name__)

COMMANDS = (CommandSpec("feedback", Where.PRIVATE, Who.MEMBER),)
declare_flow(Feedback, "feedback")

SINCE = "fb_since"  # when the prompt was shown (ISO time, the app's clock)
SUPPORTED = frozenset(
    {
        ContentType.TEXT,
        ContentType.PHOTO,
        ContentType.DOCUMENT,
        ContentType.VOICE,
        ContentType.VIDEO,
        ContentType.AUDIO,
    }
)
Clock = Callable[[], datetime]
MINUTES = int(service.TIMEOUT.total_seconds() // 60)


def not_a_command(message: Message) -> bool:
    """Anything but a command: commands go to their own handlers (and end this flow)."""
    return not (message.text or "").startswith("/")


async def cmd_feedback(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    await start_flow(message, state, Feedback.waiting, t=t)
    await state.update_data({SINCE: clock().isoformat()})
    await ask(message, state, t("feedback-ask", minutes=MINUTES), keyboard(t=t))


async def on_feedback(
    message: Message,
    state: FSMContext,
    t: Translator,
    clock: Clock,
    session: AsyncSession,
    settings: Settings,
    access: Access,
) -> None:
    bot, sender = message.bot, message.from_user
    assert bot is not None
    assert sender is not None
    if service.expired((await state.get_data()).get(SINCE), clock()):
        await finish_flow(bot, message.chat.id, state, status="expired")
        await message.answer(t("feedback-expired", minutes=MINUTES))
        return
    if message.content_type not in SUPPORTED:
        await reask(message, state, t("feedback-unsupported"))
        return
    admins = set(access.admin_ids)
    if settings.community_chat_id is not None:
        admins |= await access.chat_admins(settings.community_chat_id)
    admins.discard(sender.id)
    recipients = await service.reachable(session, admins)
    admin_chat = settings.admin_chat_id
    if admin_chat is not None:
        # A group: through the outbox, at its pace (the header, then the copy, in order).
        chat_t = get_translator(settings.default_locale)
        await outbox.post(session, admin_chat, header(chat_t, sender))
        await outbox.copy(session, admin_chat, message.chat.id, message.message_id)
    # The flow ends before anything is sent (written with the update's first request).
    await finish_flow(bot, message.chat.id, state, done=True)
    delivered = 0
    for admin in recipients:
        admin_t = get_translator(
            resolve_locale(admin.language, admin.language_code, settings.default_locale)
        )
        if await deliver(bot, admin.id, header(admin_t, sender), message):
            delivered += 1
    if delivered or admin_chat is not None:
        await message.answer(t("feedback-sent"))
    else:
        await message.answer(t("feedback-nobody"))


async def deliver(bot: Bot, chat_id: int, head: str, message: Message) -> bool:
    """The header, then a copy of the member's message, in an admin's private chat; False when
    it did not go out (the admin blocked the bot, which the pacing layer marks, or Telegram
    would not copy the message: the header alone is then taken back)."""
    try:
        sent = await bot.send_message(chat_id, head)
    except TelegramAPIError as exc:
        log.info("feedback not delivered to admin %s: %s", chat_id, exc)
        return False
    try:
        await bot.copy_message(chat_id, message.chat.id, message.message_id)
    except TelegramAPIError as exc:
        log.warning("feedback of message %s not copied to %s: %s", message.message_id, chat_id, exc)
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_message(chat_id, sent.message_id)
        return False
    return True


def build_router() -> Router:
    router = guard(Router(name="feedback"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_feedback, Command("feedback"))
    router.message.register(on_feedback, Feedback.waiting, not_a_command)
    return router
