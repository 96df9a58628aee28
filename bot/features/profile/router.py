"""Profile handlers: /profile (card, edit, search) and the admins' /profiles manager."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.profile import service
from bot.features.profile.cards import card_text, publish
from bot.features.profile.inputs import PasteTail, on_paste_tail, remember_answer
from bot.features.profile.keyboards import (
    ADMIN_LIST,
    FIELD_LABELS,
    SEARCH_LIST,
    PfAdmFieldCb,
    PfAdmOpenCb,
    PfAdmPublishCb,
    PfAdmRestartCb,
    PfEditCb,
    PfOpenCb,
    PfSearchCb,
    admin_card_keyboard,
    own_card_keyboard,
    results_rows,
    value_keyboard,
)
from bot.features.profile.models import Profile
from bot.features.profile.service import ABOUT_LIMIT, NAME_LIMIT, CardData
from bot.features.profile.states import ProfileAdmin, ProfileEdit, ProfileSearch
from bot.features.profile.views import (
    SEARCH_RESULTS,
    ask_query,
    profile_screen,
    quote,
)
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.inputs import length_error
from bot.telegram.keyboards import BackCb, Page, PageCb, keyboard
from bot.telegram.prompts import ask, finish_flow, start_flow
from bot.telegram.results import ResultsList

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("profile", Where.PRIVATE, Who.MEMBER),
    CommandSpec("profiles", Where.PRIVATE, Who.ADMIN),
)

LIMITS = {"first_name": NAME_LIMIT, "last_name": NAME_LIMIT, "about": ABOUT_LIMIT}
FIELD = "pf_field"
PROFILE = "pf_profile"
ADMIN_QUERY = "pfa_query"


def value_error(t: Translator, field: str, text: str) -> str | None:
    if field == "username":
        return None if service.normalize_username(text) else t("profile-username-invalid")
    return length_error(t, text, limit=LIMITS[field])


# --- /profile ------------------------------------------------------------------------------


async def cmd_profile(message: Message, t: Translator, session: AsyncSession) -> None:
    assert message.from_user is not None
    profile = await service.profile_of(session, message.from_user.id)
    if profile is None:
        await message.answer(t("profile-none"))
        return
    await message.answer(profile_screen(t, profile), reply_markup=own_card_keyboard(t))


async def on_edit_pressed(
    callback: CallbackQuery,
    callback_data: PfEditCb,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
) -> None:
    profile = await service.profile_of(session, callback.from_user.id)
    if profile is None or callback_data.field not in LIMITS:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await start_flow(callback, state)
    await state.set_state(ProfileEdit.waiting_for_value)
    await state.update_data({FIELD: callback_data.field, PROFILE: profile.id})
    await callback.answer()
    await ask(callback, state, value_prompt(t, profile, callback_data.field), value_keyboard(t))


def value_prompt(t: Translator, profile: Profile, field: str) -> str:
    current = getattr(profile, field) or ""
    text = t("profile-ask-value", field=t(FIELD_LABELS[field]))
    if current:
        text += "\n\n" + t("profile-current", value=quote(current))
    else:
        text += "\n\n" + t("profile-current-missing")
    return text


async def on_value(
    message: Message,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    settings: Settings,
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    data = await state.get_data()
    field = str(data.get(FIELD))
    profile = await service.profile_of(session, message.from_user.id)
    await remember_answer(message, state)
    if profile is None or field not in LIMITS:
        await finish_flow(message.bot, message.chat.id, state)
        await message.answer(t("profile-none"))
        return
    error = value_error(t, field, message.text)
    if error is not None:
        await ask(
            message, state, f"{error}\n\n{value_prompt(t, profile, field)}", value_keyboard(t)
        )
        return
    await service.set_field(session, profile, field, message.text)
    if profile.is_complete:
        await publish(session, settings, profile)
    await finish_flow(message.bot, message.chat.id, state)
    await message.answer(t("profile-saved"))
    await message.answer(profile_screen(t, profile), reply_markup=own_card_keyboard(t))


async def on_edit_back(
    callback: CallbackQuery, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    await callback.answer()
    assert callback.message is not None
    await finish_flow(callback.bot, callback.message.chat.id, state)
    profile = await service.profile_of(session, callback.from_user.id)
    if profile is None:
        await callback.message.answer(t("profile-none"))
        return
    await callback.message.answer(profile_screen(t, profile), reply_markup=own_card_keyboard(t))


# --- search --------------------------------------------------------------------------------


async def on_search_pressed(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await start_flow(callback, state)
    await callback.answer()
    await ask_query(callback, state, t)


async def on_query(
    message: Message, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    assert message.text is not None
    await SEARCH_RESULTS.show(message, state, t, session, message.text.strip())


async def on_search_page(
    callback: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
) -> None:
    await SEARCH_RESULTS.turn_page(callback, state, t, session, callback_data.page)


async def on_open(
    callback: CallbackQuery, callback_data: PfOpenCb, t: Translator, session: AsyncSession
) -> None:
    profile = await service.get_profile(session, callback_data.profile_id)
    if profile is None or not isinstance(callback.message, Message):
        await callback.answer(t("profile-gone"), show_alert=True)
        return
    await callback.answer()
    await callback.message.answer(card_text(t, CardData.of(profile)))


# --- /profiles (admins) --------------------------------------------------------------------


async def ask_target(
    event: Message | CallbackQuery, state: FSMContext, t: Translator, *, error: str | None = None
) -> None:
    await state.set_state(ProfileAdmin.waiting_for_target)
    text = t("profile-admin-ask")
    await ask(event, state, f"{error}\n\n{text}" if error else text, keyboard(t=t))


async def show_admin_card(
    event: Message | CallbackQuery,
    state: FSMContext,
    t: Translator,
    profile: Profile,
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    await state.set_state(ProfileAdmin.managing)
    await state.update_data({PROFILE: profile.id})
    text = profile_screen(t, profile, admin=True)
    if note:
        text = f"{note}\n\n{text}"
    await ask(event, state, text, admin_card_keyboard(t, profile), edit=edit)


def render_admin_results(
    t: Translator, query: str, profiles: Sequence[Profile], page: Page, total: int
) -> tuple[str, InlineKeyboardMarkup]:
    if profiles:
        text = t("profile-search-found", query=query, total=total)
    else:
        text = t("profile-admin-none", query=query)
    rows = results_rows(t, profiles, page, list_id=ADMIN_LIST, admin=True)
    return text, keyboard(rows, t=t)


ADMIN_RESULTS = ResultsList(
    step=ProfileAdmin.waiting_for_target,
    query_key=ADMIN_QUERY,
    size=service.PAGE_SIZE,
    count=service.count_matches,
    fetch=service.search,
    render=render_admin_results,
)


async def cmd_profiles(message: Message, state: FSMContext, t: Translator) -> None:
    await start_flow(message, state)
    await ask_target(message, state, t)


async def on_forward(
    message: Message, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginUser):
        key = "profile-admin-hidden" if isinstance(origin, MessageOriginHiddenUser) else None
        await ask_target(message, state, t, error=t(key or "profile-admin-not-a-user"))
        return
    sender = origin.sender_user
    if sender.is_bot:
        await ask_target(message, state, t, error=t("profile-admin-not-a-user"))
        return
    about = message.text or message.caption or ""
    profile, created = await service.create_empty(
        session,
        sender.id,
        first_name=sender.first_name,
        last_name=sender.last_name or "",
        username=sender.username,
        about=about,
    )
    note = t("profile-admin-created") if created else t("profile-admin-exists")
    await show_admin_card(message, state, t, profile, note=note)


async def on_target(
    message: Message, state: FSMContext, t: Translator, session: AsyncSession
) -> None:
    assert message.text is not None
    text = message.text.strip()
    if text.lstrip("-").isdigit():
        user_id = int(text)
        if user_id <= 0:
            await ask_target(message, state, t, error=t("profile-admin-bad-id"))
            return
        profile, created = await service.find_or_create_by_id(session, user_id)
        note = t("profile-admin-created") if created else None
        await show_admin_card(message, state, t, profile, note=note)
        return
    if text.startswith("@"):
        user_id_found = await service.find_user_id(session, text)
        found = await service.profile_of(session, user_id_found) if user_id_found else None
        if found is None:
            if user_id_found is None:
                error = t("profile-admin-unknown", username=text)
            else:
                error = t("profile-admin-no-profile", username=text, id=str(user_id_found))
            await ask_target(message, state, t, error=error)
            return
        await show_admin_card(message, state, t, found)
        return
    await ADMIN_RESULTS.show(message, state, t, session, text)


async def admin_profile(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
    profile_id: int,
    *,
    states: tuple[str | None, ...],
) -> Profile | None:
    """The profile a manager button is about, if the button is live; else an alert."""
    data = await state.get_data()
    live = raw_state in states and (
        raw_state == ProfileAdmin.waiting_for_target.state or data.get(PROFILE) == profile_id
    )
    profile = await service.get_profile(session, profile_id) if live else None
    if profile is None:
        await callback.answer(t("menu-expired"), show_alert=True)
    return profile


async def on_admin_open(
    callback: CallbackQuery,
    callback_data: PfAdmOpenCb,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    profile = await admin_profile(
        callback,
        state,
        raw_state,
        t,
        session,
        callback_data.profile_id,
        states=(ProfileAdmin.waiting_for_target.state,),
    )
    if profile is not None:
        await callback.answer()
        await show_admin_card(callback, state, t, profile, edit=True)


async def on_admin_page(
    callback: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    if raw_state != ProfileAdmin.waiting_for_target.state:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await ADMIN_RESULTS.turn_page(callback, state, t, session, callback_data.page)


async def on_admin_field(
    callback: CallbackQuery,
    callback_data: PfAdmFieldCb,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    profile = await admin_profile(
        callback,
        state,
        raw_state,
        t,
        session,
        callback_data.profile_id,
        states=(ProfileAdmin.managing.state,),
    )
    if profile is None:
        return
    if callback_data.field not in FIELD_LABELS:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await state.set_state(ProfileAdmin.waiting_for_value)
    await state.update_data({FIELD: callback_data.field})
    await callback.answer()
    text = value_prompt(t, profile, callback_data.field)
    await ask(callback, state, text, value_keyboard(t), edit=True)


async def on_admin_value(
    message: Message,
    state: FSMContext,
    t: Translator,
    session: AsyncSession,
    settings: Settings,
) -> None:
    assert message.text is not None
    data = await state.get_data()
    field = str(data.get(FIELD))
    profile_id = data.get(PROFILE)
    profile = (
        await service.get_profile(session, profile_id) if isinstance(profile_id, int) else None
    )
    await remember_answer(message, state)
    if profile is None or field not in FIELD_LABELS:
        await ask_target(message, state, t, error=t("profile-gone"))
        return
    error = value_error(t, field, message.text)
    if error is not None:
        prompt = f"{error}\n\n{value_prompt(t, profile, field)}"
        await ask(message, state, prompt, value_keyboard(t))
        return
    await service.set_field(session, profile, field, message.text)
    # A published card follows its profile (edited in place); a new one waits for Publish.
    if profile.published_message_id is not None and profile.is_complete:
        await publish(session, settings, profile)
    await show_admin_card(message, state, t, profile, note=t("profile-saved"))


async def on_admin_publish(
    callback: CallbackQuery,
    callback_data: PfAdmPublishCb,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
    settings: Settings,
) -> None:
    profile = await admin_profile(
        callback,
        state,
        raw_state,
        t,
        session,
        callback_data.profile_id,
        states=(ProfileAdmin.managing.state,),
    )
    if profile is None:
        return
    if not profile.is_complete:
        await callback.answer(t("profile-incomplete"), show_alert=True)
        return
    if settings.community_chat_id is None:
        await callback.answer(t("profile-no-community"), show_alert=True)
        return
    profile.link_preview = bool(callback_data.preview)
    await publish(session, settings, profile)
    await callback.answer(t("profile-published"))
    await show_admin_card(callback, state, t, profile, edit=True)


async def on_admin_restart(
    callback: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator
) -> None:
    if raw_state is None or not raw_state.startswith(f"{ProfileAdmin.__name__}:"):
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await callback.answer()
    await ask_target(callback, state, t)


async def on_admin_back(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    session: AsyncSession,
) -> None:
    await callback.answer()
    profile_id = (await state.get_data()).get(PROFILE)
    profile = (
        await service.get_profile(session, profile_id) if isinstance(profile_id, int) else None
    )
    if raw_state == ProfileAdmin.waiting_for_value.state and profile is not None:
        await show_admin_card(callback, state, t, profile, edit=True)
    else:
        await ask_target(callback, state, t)


# --- routers -------------------------------------------------------------------------------


def build_admin_router() -> Router:
    # Manager buttons carry no state filter: a non-admin pressing one they got hold of reaches
    # the guard and is refused; the handlers check the state themselves.
    router = guard(Router(name="profile-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    router.message.register(cmd_profiles, Command("profiles"))
    router.message.register(
        on_forward, ProfileAdmin.waiting_for_target, F.forward_origin.is_not(None)
    )
    router.message.register(on_target, ProfileAdmin.waiting_for_target, TEXT_INPUT)
    router.message.register(on_paste_tail, ProfileAdmin.waiting_for_value, F.text, PasteTail())
    router.message.register(on_admin_value, ProfileAdmin.waiting_for_value, TEXT_INPUT)
    router.callback_query.register(on_admin_open, PfAdmOpenCb.filter())
    router.callback_query.register(on_admin_page, PageCb.filter(F.list_id == ADMIN_LIST))
    router.callback_query.register(on_admin_field, PfAdmFieldCb.filter())
    router.callback_query.register(on_admin_publish, PfAdmPublishCb.filter())
    router.callback_query.register(on_admin_restart, PfAdmRestartCb.filter())
    router.callback_query.register(on_admin_back, StateFilter(ProfileAdmin), BackCb.filter())
    return router


def build_member_router() -> Router:
    router = guard(Router(name="profile-member"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_profile, Command("profile"))
    router.callback_query.register(on_edit_pressed, PfEditCb.filter())
    router.message.register(on_paste_tail, ProfileEdit.waiting_for_value, F.text, PasteTail())
    router.message.register(on_value, ProfileEdit.waiting_for_value, TEXT_INPUT)
    router.callback_query.register(on_edit_back, ProfileEdit.waiting_for_value, BackCb.filter())
    router.callback_query.register(on_search_pressed, PfSearchCb.filter())
    router.message.register(on_query, ProfileSearch.waiting_for_query, TEXT_INPUT)
    router.callback_query.register(
        on_search_page, ProfileSearch.waiting_for_query, PageCb.filter(F.list_id == SEARCH_LIST)
    )
    router.callback_query.register(on_open, PfOpenCb.filter())
    return router


def build_router() -> Router:
    router = Router(name="profile")
    router.include_router(build_admin_router())
    router.include_router(build_member_router())
    return router
