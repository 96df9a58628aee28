"""Data rights: /forget, /export_me, and members who leave the community chat."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import BufferedInputFile, CallbackQuery, ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.privacy import service
from bot.features.privacy.keyboards import PvForgetCb, forget_keyboard
from bot.features.privacy.states import Forget
from bot.features.privacy.views import forget_card
from bot.features.profile import service as profiles
from bot.features.profile.cards import remove_card
from bot.i18n import Translator
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.flows import declare_flow, end_flow, expire_stale
from bot.telegram.guards import guard
from bot.telegram.prompts import PROMPT, LivePrompt, ask, remove_buttons, start_flow

log = logging.getLogger(__name__)

# Everyone, not only members: someone who left the community chat keeps the right to see and
# delete what the bot stores about them (for a stranger it is little more than the users row).
COMMANDS = (
    CommandSpec("forget", Where.PRIVATE, Who.EVERYONE),
    CommandSpec("export_me", Where.PRIVATE, Who.EVERYONE),
)

declare_flow(Forget, "forget")

PRESENT = {"creator", "administrator", "member", "restricted"}
GONE = {"left", "kicked"}
Clock = Callable[[], datetime]


# --- /forget ---------------------------------------------------------------------------------


async def cmd_forget(
    message: Message, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    assert message.from_user is not None
    await start_flow(message, state, Forget.confirming, t=t)
    found = await service.summary(session, message.from_user.id)
    await ask(message, state, forget_card(t, found), forget_keyboard(t))


async def on_forget_confirmed(
    callback: CallbackQuery, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    # Everything is written (rows, the card's deletion in the outbox, the cleared state)
    # before the first request: the update commits then.
    profile_id, card = await service.forget(session, callback.from_user.id)
    if profile_id is not None:
        await remove_card(session, profile_id, card)
    await state.set_state(None)
    await state.set_data({})  # every flow ends, paused ones too
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(t("privacy-forgotten"))


# --- /export_me ------------------------------------------------------------------------------


async def cmd_export_me(
    message: Message, t: Translator, session: AsyncSession, clock: Clock
) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    data = await service.export(session, user_id, clock())
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(body, filename=f"agora-{user_id}.json"),
        caption=t("privacy-export-caption"),
    )


# --- members who leave -----------------------------------------------------------------------


async def member_left(
    bot: Bot,
    user_id: int,
    session: AsyncSession,
    settings: Settings,
    access: Access,
    storage: BaseStorage,
) -> None:
    """A member left the community chat (or was removed): their intro card goes (unless the
    setting keeps it; the profile stays), their open flows end, their membership is read anew."""
    access.member_changed(user_id)
    profile = await profiles.profile_of(session, user_id)
    if profile is not None and settings.intro_card_of_leavers == "remove":
        await remove_card(session, profile.id, profiles.take_card(profile))
        await session.flush()
    state = FSMContext(storage, StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id))
    current = await state.get_state()
    data = await state.get_data()
    if current is None and not data:
        return
    await end_flow(current, state)
    await state.set_state(None)
    await state.set_data({})
    prompt = data.get(PROMPT)
    if isinstance(prompt, dict) and isinstance(prompt.get("mid"), int):
        await remove_buttons(bot, user_id, prompt["mid"])


async def on_chat_member(
    event: ChatMemberUpdated, bot: Bot, session: AsyncSession, settings: Settings, **data: Any
) -> None:
    if event.old_chat_member.status not in PRESENT or event.new_chat_member.status not in GONE:
        return
    user = event.new_chat_member.user
    await member_left(bot, user.id, session, settings, data["access"], data["fsm_storage"])


async def on_left_notice(
    message: Message, bot: Bot, session: AsyncSession, settings: Settings, **data: Any
) -> None:
    """The "X left" service message: the same as chat_member, for a bot that does not get it."""
    assert message.left_chat_member is not None
    user_id = message.left_chat_member.id
    await member_left(bot, user_id, session, settings, data["access"], data["fsm_storage"])


# --- routers ---------------------------------------------------------------------------------


def build_router() -> Router:
    router = Router(name="privacy")
    leaving = Router(name="privacy-leavers")
    leaving.chat_member.register(on_chat_member, CommunityChat())
    leaving.message.register(on_left_notice, CommunityChat(), F.left_chat_member.is_not(None))
    router.include_router(leaving)

    member = guard(Router(name="privacy-own-data"), where=Where.PRIVATE, who=Who.EVERYONE)
    member.message.register(cmd_forget, Command("forget"))
    member.message.register(cmd_export_me, Command("export_me"))
    member.callback_query.register(
        on_forget_confirmed, Forget.confirming, LivePrompt(), PvForgetCb.filter()
    )
    expire_stale(member, PvForgetCb.filter())
    router.include_router(member)
    return router


class CommunityChat(Filter):
    """The update is about the community chat (COMMUNITY_CHAT_ID)."""

    async def __call__(self, event: Message | ChatMemberUpdated, settings: Settings) -> bool:
        chat_id = settings.community_chat_id
        return chat_id is not None and event.chat.id == chat_id
