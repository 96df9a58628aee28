"""Intro handlers: onboarding of a new member (/start, /start intro, /intro), /intro <words>."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.core.router import greet
from bot.features.intro.keyboards import (
    FIELD_LABELS,
    InConfirmCb,
    InEditCb,
    InFieldCb,
    fields_keyboard,
    preview_keyboard,
    prompt_keyboard,
)
from bot.features.intro.states import Intro
from bot.features.profile import service
from bot.features.profile.cards import card_text, publish
from bot.features.profile.inputs import PasteTail, on_paste_tail, remember_answer
from bot.features.profile.service import ABOUT_LIMIT, NAME_LIMIT, CardData
from bot.features.profile.views import SEARCH_RESULTS, quote
from bot.i18n import Html, Translator
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.inputs import length_error
from bot.telegram.keyboards import BackCb
from bot.telegram.prompts import ask, finish_flow, reask, start_flow

log = logging.getLogger(__name__)

COMMANDS = (CommandSpec("intro", Where.PRIVATE, Who.MEMBER),)

ORDER = ("first_name", "last_name", "about")
STATE_OF = {
    "first_name": Intro.waiting_for_first_name,
    "last_name": Intro.waiting_for_last_name,
    "about": Intro.waiting_for_about,
}
FIELD_OF = {state.state: field for field, state in STATE_OF.items()}
LIMIT_OF = {"first_name": NAME_LIMIT, "last_name": NAME_LIMIT, "about": ABOUT_LIMIT}
ASK_KEY = {
    "first_name": "intro-ask-first-name",
    "last_name": "intro-ask-last-name",
    "about": "intro-ask-about",
}
EDITING = "editing"


async def needs_intro(
    message: Message, session: AsyncSession, access: Access, settings: Settings
) -> bool:
    """/start in a private chat from a member of the community who has no profile yet.

    Without a community chat there is no one to introduce oneself to: /start stays core's
    greeting, and /intro (or the deep link) still writes a profile.
    """
    user = message.from_user
    if settings.community_chat_id is None or message.chat.type != "private" or user is None:
        return False
    return await access.is_member(user.id) and not await service.has_profile(session, user.id)


# --- steps ---------------------------------------------------------------------------------


async def ask_field(
    event: Message | CallbackQuery,
    state: FSMContext,
    t: Translator,
    field: str,
    *,
    error: str | None = None,
    edit: bool = False,
) -> None:
    data = await state.get_data()
    await state.set_state(STATE_OF[field])
    parts = [error] if error else []
    parts.append(t(ASK_KEY[field], limit=str(LIMIT_OF[field])))
    current = data.get(field)
    if current:
        parts.append(t("intro-current", value=quote(str(current))))
    back = field != ORDER[0] or bool(data.get(EDITING))
    await ask(event, state, "\n\n".join(parts), prompt_keyboard(t, back=back), edit=edit)


async def show_preview(
    event: Message | CallbackQuery, state: FSMContext, t: Translator, *, edit: bool = False
) -> None:
    await state.set_state(Intro.confirming)
    await state.update_data({EDITING: False})
    data = await state.get_data()
    user = event.from_user
    assert user is not None
    card = CardData(
        user_id=user.id,
        first_name=str(data.get("first_name", "")),
        last_name=str(data.get("last_name", "")),
        username=user.username,
        about=str(data.get("about", "")),
    )
    text = t("intro-preview", card=Html(card_text(t, card)))
    await ask(event, state, text, preview_keyboard(t), edit=edit)


async def enter_intro(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    """Start the intro (or go on with the one in progress, at the same step).

    An existing profile's values are offered as the current ones.
    """
    assert message.from_user is not None
    assert message.bot is not None
    if raw_state is not None and raw_state.startswith(f"{Intro.__name__}:"):
        await reask(message, state, t("intro-continue"))
        return
    await start_flow(message, state)
    profile = await service.profile_of(session, message.from_user.id)
    if profile is not None:
        await state.update_data({field: getattr(profile, field) for field in ORDER})
    await message.answer(t("intro-welcome"))
    await ask_field(message, state, t, ORDER[0])


# --- handlers ------------------------------------------------------------------------------


async def cmd_start_intro(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    # A newcomer is greeted first, then asked to introduce themselves; mid-intro, /start just
    # continues at the same step.
    if raw_state is None or not raw_state.startswith(f"{Intro.__name__}:"):
        await greet(message, t)
    await enter_intro(message, state, raw_state, t, session)


async def cmd_intro(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    if command.args and command.args.strip():
        await start_flow(message, state)
        await SEARCH_RESULTS.show(message, state, t, session, command.args.strip())
        return
    await enter_intro(message, state, raw_state, t, session)


async def on_answer(message: Message, state: FSMContext, raw_state: str, t: Translator) -> None:
    field = FIELD_OF[raw_state]
    assert message.text is not None
    await remember_answer(message, state)
    error = length_error(t, message.text, limit=LIMIT_OF[field])
    if error is not None:
        await ask_field(message, state, t, field, error=error)
        return
    await state.update_data({field: message.text.strip()})
    data = await state.get_data()
    if data.get(EDITING) or field == ORDER[-1]:
        await show_preview(message, state, t)
    else:
        await ask_field(message, state, t, ORDER[ORDER.index(field) + 1])


async def on_back(
    callback: CallbackQuery, state: FSMContext, raw_state: str, t: Translator
) -> None:
    data = await state.get_data()
    await callback.answer()
    if raw_state in (Intro.choosing_field.state,) or data.get(EDITING):
        await show_preview(callback, state, t, edit=True)
    elif raw_state == Intro.confirming.state:
        await ask_field(callback, state, t, ORDER[-1], edit=True)
    elif raw_state in FIELD_OF and FIELD_OF[raw_state] != ORDER[0]:
        previous = ORDER[ORDER.index(FIELD_OF[raw_state]) - 1]
        await ask_field(callback, state, t, previous, edit=True)
    else:
        await ask_field(callback, state, t, ORDER[0], edit=True)


async def on_edit(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(Intro.choosing_field)
    await callback.answer()
    await ask(callback, state, t("intro-choose-field"), fields_keyboard(t), edit=True)


async def on_field_chosen(
    callback: CallbackQuery, callback_data: InFieldCb, state: FSMContext, t: Translator
) -> None:
    if callback_data.field not in FIELD_LABELS:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await state.update_data({EDITING: True})
    await callback.answer()
    await ask_field(callback, state, t, callback_data.field, edit=True)


async def on_confirm(
    callback: CallbackQuery,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    settings: Settings,
) -> None:
    data = await state.get_data()
    values = {field: str(data.get(field) or "") for field in ORDER}
    if not all(values.values()) or callback.message is None or callback.bot is None:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    user = callback.from_user
    profile = await service.save_profile(session, user.id, username=user.username, **values)
    # The card is queued in this transaction; it commits before the first answer below.
    published = await publish(session, settings, profile)
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    await callback.message.answer(t("intro-done-queued" if published else "intro-done-saved"))


def build_router() -> Router:
    router = Router(name="intro")
    # /start of a member without a profile: checked before the guard, so everyone else gets
    # core's greeting (the filter says no instead of a refusal).
    router.message.register(cmd_start_intro, CommandStart(deep_link=False), needs_intro)

    flow = guard(Router(name="intro-flow"), where=Where.PRIVATE, who=Who.MEMBER)
    flow.message.register(cmd_start_intro, CommandStart(deep_link=True, magic=F.args == "intro"))
    flow.message.register(cmd_intro, Command("intro"))
    flow.message.register(on_paste_tail, StateFilter(Intro), F.text, PasteTail())
    flow.message.register(on_answer, StateFilter(*STATE_OF.values()), TEXT_INPUT)
    flow.callback_query.register(on_back, StateFilter(Intro), BackCb.filter())
    flow.callback_query.register(on_edit, Intro.confirming, InEditCb.filter())
    flow.callback_query.register(on_confirm, Intro.confirming, InConfirmCb.filter())
    flow.callback_query.register(on_field_chosen, Intro.choosing_field, InFieldCb.filter())
    router.include_router(flow)
    return router
