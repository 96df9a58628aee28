"""Core commands (/start /help /cancel /language), fallbacks and the errors handler.

Two routers: `build_router` goes first (so /cancel and /language work in every state of
every flow) and `build_fallback_router` goes last (it answers what nothing else took).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandStart, ExceptionTypeFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, ErrorEvent, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.features.core.keyboards import HelpCb, LanguageCb, language_keyboard
from bot.features.core.service import UserDirectory, UserInfo
from bot.i18n import SUPPORTED_LOCALES, Translator, get_translator
from bot.outbox import sender as outbox
from bot.refusals import STALE
from bot.telegram.access import Access
from bot.telegram.commands import CommandRegistry, CommandSpec, Where, Who
from bot.telegram.flows import expired, flow_name, leave_flow
from bot.telegram.greeting import greet, invite
from bot.telegram.keyboards import CancelCb
from bot.telegram.prompts import PROMPT, LivePrompt, finish_flow, reask

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("start", Where.ANYWHERE),
    CommandSpec("help", Where.ANYWHERE),
    CommandSpec("cancel", Where.ANYWHERE),
    CommandSpec("language", Where.PRIVATE),
)


# --- /cancel -------------------------------------------------------------------------------


async def cmd_cancel(
    message: Message, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    if raw_state is None:
        await message.answer(t("cancel-nothing"))
        return
    await finish_flow(message.bot, message.chat.id, state)
    await message.answer(t("cancel-done", what=flow_name(t, raw_state)))


async def on_cancel_pressed(
    callback: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    # A Cancel left on an older message (or forged) ends nothing: only the live prompt's does.
    if raw_state is None or callback.message is None or not await _on_live_prompt(callback, state):
        await callback.answer(t(STALE), show_alert=True)
        return
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    await callback.message.answer(t("cancel-done", what=flow_name(t, raw_state)))


async def _on_live_prompt(callback: CallbackQuery, state: FSMContext) -> bool:
    """The press is on the flow's live prompt (or the flow keeps none to compare with)."""
    if (await state.get_data()).get(PROMPT) is None:
        return True
    return await LivePrompt()(callback, state)


# --- /help, /start, /language ----------------------------------------------------------------


async def render_help(
    chat_type: str, user_id: int, t: Translator, access: Access, registry: CommandRegistry
) -> str:
    is_admin = await access.is_admin(user_id)
    specs = registry.visible(chat_type, is_admin=is_admin)
    everyone = [s for s in specs if s.who is not Who.ADMIN]
    admin = [s for s in specs if s.who is Who.ADMIN]
    if not specs:
        return str(t("help-empty"))
    lines = [t("help-title")]
    lines += [t("help-line", command=s.name, description=t(s.description_key)) for s in everyone]
    if admin:
        lines += ["", t("help-admin-title")]
        lines += [t("help-line", command=s.name, description=t(s.description_key)) for s in admin]
    return "\n".join(lines)


async def cmd_help(
    message: Message,
    t: Translator,
    access: Access,
    registry: CommandRegistry,
    session: AsyncSession,
) -> None:
    assert message.from_user is not None
    text = await render_help(message.chat.type, message.from_user.id, t, access, registry)
    await outbox.answer(message, text, session)


async def on_help_pressed(
    callback: CallbackQuery, t: Translator, access: Access, registry: CommandRegistry
) -> None:
    await callback.answer()
    if isinstance(callback.message, Message):
        text = await render_help(
            callback.message.chat.type, callback.from_user.id, t, access, registry
        )
        await callback.message.answer(text)


async def cmd_start(
    message: Message,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    settings: Settings,
    access: Access,
) -> None:
    if message.chat.type != "private":
        await outbox.answer(message, t("start-greeting-group"), session)
        return
    # One active flow: the flow the user was in is paused or left, with one line saying so.
    await leave_flow(message, state, t)
    link = settings.community_invite_link
    # Not in the community yet (and there is a way in): the invitation, not the greeting.
    if link and message.from_user and not await access.is_member(message.from_user.id):
        await invite(message, t, link.strip())
        return
    await greet(message, t)


async def cmd_language(message: Message, t: Translator) -> None:
    await message.answer(t("language-choose"), reply_markup=language_keyboard())


async def on_language_pressed(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    session: AsyncSession,
    user: UserInfo | None,
    users: UserDirectory,
) -> None:
    if user is None or callback_data.code not in SUPPORTED_LOCALES:
        await callback.answer()
        return
    await users.set_language(session, user.id, callback_data.code)
    t = get_translator(callback_data.code)
    await callback.answer()
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(t("language-set"))
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise


# --- the user blocked or restarted the bot ---------------------------------------------------


async def on_private_membership(
    event: ChatMemberUpdated, session: AsyncSession, users: UserDirectory
) -> None:
    blocked = event.new_chat_member.status in {"kicked", "left"}
    await users.mark_blocked(session, event.from_user.id, blocked)


# --- errors ---------------------------------------------------------------------------------


async def on_not_modified(event: ErrorEvent) -> None:
    # An edit that changes nothing (a double click, a refresh of the same card): not an error.
    log.debug("update %s: message is not modified", event.update.update_id)


async def on_blocked_error(event: ErrorEvent) -> None:
    # The user blocked the bot: the Telegram I/O layer marked them; there is nobody to tell.
    log.info("update %s: user has blocked the bot", event.update.update_id)


async def on_error(event: ErrorEvent, **data: Any) -> None:
    update = event.update
    user = data.get("event_from_user")
    log.error(
        "update %s from user %s failed",
        update.update_id,
        user.id if user else None,
        exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
    )
    t: Translator = data.get("t") or get_translator(data.get("locale") or "en")
    text = t("error-generic")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None and update.message.chat.type == "private":
            await update.message.answer(text)
        elif update.message is not None:
            # In a group through the outbox, in a transaction of its own (the update's one was
            # rolled back): the group's pace must not hold the failed update.
            factory: async_sessionmaker[AsyncSession] = data["session_factory"]
            async with factory() as session, session.begin():
                await outbox.reply(session, update.message, text)
    except Exception:  # the error answer itself must never raise
        log.warning("could not tell the user about the error", exc_info=True)


def build_router() -> Router:
    router = Router(name="core")
    router.errors.register(
        on_not_modified,
        ExceptionTypeFilter(TelegramBadRequest),
        F.exception.message.contains("message is not modified"),
    )
    router.errors.register(on_blocked_error, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(on_error)
    # No state filter: these work in every state of every flow.
    router.message.register(cmd_cancel, Command("cancel"))
    router.callback_query.register(on_cancel_pressed, CancelCb.filter())
    router.message.register(cmd_help, Command("help"))
    router.callback_query.register(on_help_pressed, HelpCb.filter())
    router.message.register(cmd_language, Command("language"), F.chat.type == "private")
    router.callback_query.register(on_language_pressed, LanguageCb.filter())
    router.my_chat_member.register(on_private_membership, F.chat.type == "private")
    return router


# --- fallbacks (last router) ----------------------------------------------------------------


def build_fallback_router(known_states: frozenset[str]) -> Router:
    router = Router(name="core-fallback")

    async def on_unmatched_in_state(
        message: Message, state: FSMContext, raw_state: str, t: Translator
    ) -> None:
        if raw_state not in known_states:
            await finish_flow(message.bot, message.chat.id, state)
            await message.answer(t("fallback-old-state"))
            return
        hint = t("fallback-reask") if message.text else t("fallback-nontext")
        await reask(message, state, hint)

    router.message.register(cmd_start, CommandStart())
    router.message.register(on_unmatched_in_state, ~StateFilter(None))
    router.message.register(on_unknown_command, F.chat.type == "private")
    router.callback_query.register(expired)
    return router


async def on_unknown_command(message: Message, t: Translator) -> None:
    await message.answer(t("fallback-unknown"))
