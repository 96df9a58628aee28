"""Profile handlers: /profile (card, edit, search) and the admins' /profiles manager."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, MessageOriginHiddenUser, MessageOriginUser
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.profile import service
from bot.features.profile.cards import publish, remove_card
from bot.features.profile.keyboards import (
    ADMIN_LIST,
    FIELD_LABELS,
    PfAdmPublishCb,
    PfAdmRemoveCb,
    PfAdmRestartCb,
    PfEditCb,
    PfSearchCb,
    admin_card_rows,
    own_card_keyboard,
    remove_keyboard,
    result_label,
)
from bot.features.profile.models import Profile
from bot.features.profile.service import ABOUT_LIMIT, NAME_LIMIT
from bot.features.profile.states import ProfileAdmin, ProfileEdit, ProfileSearch
from bot.features.profile.views import (
    SEARCH,
    ask_query,
    find_profile,
    matched_lines,
    profile_screen,
    value_prompt,
)
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.flows import Ctx, expire_stale, expired
from bot.telegram.forms import Done, Field, Form, Invalid, Stay
from bot.telegram.guards import guard
from bot.telegram.keyboards import keyboard
from bot.telegram.pickers import Listed, Picker
from bot.telegram.prompts import LivePrompt, ask, finish_flow, start_flow

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("profile", Where.PRIVATE, Who.MEMBER),
    CommandSpec("profiles", Where.PRIVATE, Who.ADMIN),
)

LIMITS = {"first_name": NAME_LIMIT, "last_name": NAME_LIMIT, "about": ABOUT_LIMIT}
FIELD = "pf_field"  # FSM data: the field being edited (its fields share one state)
PROFILE = "pf_profile"  # FSM data: the profile the manager is on
ADMIN_QUERY = "pfa_query"


def parse_username(ctx: Ctx, text: str) -> str:
    if service.normalize_username(text) is None:
        raise Invalid(ctx.t("profile-username-invalid"))
    return text


def value_field(name: str, state: Any) -> Field:
    """A profile field asked with its current value (the form's subject is the profile)."""
    return Field(
        name=name,
        state=state,
        question=lambda ctx: value_prompt(ctx.t, ctx.subject, name),
        label=FIELD_LABELS[name],
        limit=LIMITS.get(name),
        parse=parse_username if name == "username" else None,
    )


# --- /profile: the card, a field edited from it ----------------------------------------------


async def cmd_profile(message: Message, t: Translator, session: AsyncSession) -> None:
    assert message.from_user is not None
    profile = await service.profile_of(session, message.from_user.id)
    if profile is None:
        await message.answer(t("profile-none"))
        return
    await message.answer(profile_screen(t, profile), reply_markup=own_card_keyboard(t))


async def own_profile(ctx: Ctx) -> Profile | None:
    return await service.profile_of(ctx.session, ctx.user.id)


async def save_own(ctx: Ctx, field: str, value: str) -> Done:
    profile: Profile = ctx.subject
    await service.set_field(ctx.session, profile, field, value)
    if profile.is_complete:
        await publish(ctx.session, ctx.settings, profile)
    done = Done.say(ctx.t("profile-saved"))
    return done.then(profile_screen(ctx.t, profile), own_card_keyboard(ctx.t))


async def back_to_own_card(ctx: Ctx) -> None:
    await finish_flow(ctx.event.bot, ctx.chat_id, ctx.state)
    await ctx.ack()
    await ctx.say(profile_screen(ctx.t, ctx.subject), own_card_keyboard(ctx.t))


EDIT = Form(
    prefix="pf-e-",
    fields=[value_field(name, ProfileEdit.waiting_for_value) for name in service.FIELDS],
    save_field=save_own,
    load=own_profile,
    gone="profile-none",
    back_out=back_to_own_card,
    command="profile",
    field_key=FIELD,
)


async def on_edit_pressed(
    callback: CallbackQuery,
    callback_data: PfEditCb,
    state: FSMContext,
    t: Translator,
    **data: Any,
) -> None:
    ctx = await Ctx.of(callback, state, t, data)
    profile = await own_profile(ctx)
    if profile is None or callback_data.field not in service.FIELDS:
        await expired(callback, t)
        return
    await EDIT.start(ctx, subject=profile, at=callback_data.field)


# --- search ----------------------------------------------------------------------------------


async def on_search_pressed(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await start_flow(callback, state, ProfileSearch.waiting_for_query, t=t)
    await callback.answer()
    await ask_query(callback, state, t)


async def on_query(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    assert message.text is not None
    await SEARCH.show(await Ctx.of(message, state, t, data), message.text.strip())


# --- /profiles (admins) ----------------------------------------------------------------------


async def managed_profile(ctx: Ctx) -> Profile | None:
    profile_id = ctx.values.get(PROFILE)
    return (
        await service.get_profile(ctx.session, profile_id) if isinstance(profile_id, int) else None
    )


async def admin_card(ctx: Ctx) -> str:
    return profile_screen(ctx.t, ctx.subject, admin=True)


async def save_managed(ctx: Ctx, field: str, value: str) -> Stay:
    profile: Profile = ctx.subject
    await service.set_field(ctx.session, profile, field, value)
    # A published card follows its profile (edited in place); a new one waits for Publish.
    if profile.published_message_id is not None and profile.is_complete:
        await publish(ctx.session, ctx.settings, profile)
    return Stay(ctx.t("profile-saved"))


MANAGER = Form(
    prefix="pf-a-",
    fields=[value_field(name, ProfileAdmin.waiting_for_value) for name in service.ADMIN_FIELDS],
    card=ProfileAdmin.managing,
    render_card=admin_card,
    save_field=save_managed,
    load=managed_profile,
    gone="profile-gone",
    field_label=lambda t, field: t("profile-btn-edit", field=t(field.label)),
    fields_per_row=2,
    card_rows=lambda ctx: admin_card_rows(ctx.t),
    command="profiles",
    field_key=FIELD,
)


async def show_managed(ctx: Ctx, profile: Profile, note: str | None = None) -> None:
    await MANAGER.open(ctx, values={PROFILE: profile.id}, subject=profile, note=note)


def admin_results_title(ctx: Ctx, listed: Listed[Profile]) -> str:
    if listed.items:
        found = ctx.t("profile-search-found", query=listed.query, total=listed.total)
        return found + matched_lines(ctx, listed)
    return ctx.t("profile-admin-none", query=listed.query)


RESULTS: Picker[Profile] = Picker(
    list_id=ADMIN_LIST,
    state=ProfileAdmin.waiting_for_target,
    count=service.count_matches,
    fetch=service.search,
    title=admin_results_title,
    label=lambda _ctx, profile: result_label(profile),
    find=find_profile,
    on_pick=show_managed,
    gone="profile-gone",
    size=service.PAGE_SIZE,
    query_key=ADMIN_QUERY,
)


async def ask_target(ctx: Ctx, *, hint: str | None = None) -> None:
    await ctx.state.set_state(ProfileAdmin.waiting_for_target)
    await ctx.ack()
    edit = isinstance(ctx.event, CallbackQuery)
    await ask(
        ctx.event, ctx.state, ctx.t("profile-admin-ask"), keyboard(t=ctx.t), edit=edit, hint=hint
    )


async def cmd_profiles(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    await start_flow(message, state, ProfileAdmin.waiting_for_target, t=t)
    await ask_target(await Ctx.of(message, state, t, data))


async def on_forward(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    ctx = await Ctx.of(message, state, t, data)
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginUser) or origin.sender_user.is_bot:
        hidden = isinstance(origin, MessageOriginHiddenUser)
        await ask_target(
            ctx, hint=t("profile-admin-hidden" if hidden else "profile-admin-not-a-user")
        )
        return
    sender = origin.sender_user
    profile, created = await service.create_empty(
        ctx.session,
        sender.id,
        first_name=sender.first_name,
        last_name=sender.last_name or "",
        username=sender.username,
        about=message.text or message.caption or "",
    )
    await show_managed(
        ctx, profile, t("profile-admin-created" if created else "profile-admin-exists")
    )


async def on_target(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    """An id (found or created), a @username (found), or words (the search results)."""
    ctx = await Ctx.of(message, state, t, data)
    assert message.text is not None
    text = message.text.strip()
    if text.lstrip("-").isdigit():
        if int(text) <= 0:
            await ask_target(ctx, hint=t("profile-admin-bad-id"))
            return
        profile, created = await service.find_or_create_by_id(ctx.session, int(text))
        await show_managed(ctx, profile, t("profile-admin-created") if created else None)
        return
    if not text.startswith("@"):
        await RESULTS.show(ctx, text)
        return
    user_id = await service.find_user_id(ctx.session, text)
    found = await service.profile_of(ctx.session, user_id) if user_id else None
    if found is not None:
        await show_managed(ctx, found)
    elif user_id is None:
        await ask_target(ctx, hint=t("profile-admin-unknown", username=text))
    else:
        await ask_target(ctx, hint=t("profile-admin-no-profile", username=text, id=str(user_id)))


async def on_publish(
    callback: CallbackQuery,
    callback_data: PfAdmPublishCb,
    state: FSMContext,
    t: Translator,
    **data: Any,
) -> None:
    ctx = await Ctx.of(callback, state, t, data)
    profile = await managed_profile(ctx)
    if profile is None:
        await ctx.ack(t("profile-gone"), alert=True)
    elif not profile.is_complete:
        await ctx.ack(t("profile-incomplete"), alert=True)
    elif ctx.settings.community_chat_id is None:
        await ctx.ack(t("profile-no-community"), alert=True)
    else:
        profile.link_preview = bool(callback_data.preview)
        await publish(ctx.session, ctx.settings, profile)
        await ctx.ack(t("profile-published"))
        await show_managed(ctx, profile)


async def on_remove_asked(
    callback: CallbackQuery, state: FSMContext, t: Translator, **data: Any
) -> None:
    ctx = await Ctx.of(callback, state, t, data)
    profile = await managed_profile(ctx)
    if profile is None:
        await ctx.ack(t("profile-gone"), alert=True)
        return
    await state.set_state(ProfileAdmin.removing)
    await ctx.ack()
    name = profile.full_name or str(profile.user_id)
    text = t("profile-admin-remove-ask", name=name, id=str(profile.user_id))
    await ask(callback, state, text, remove_keyboard(t), edit=True)


async def on_remove_answered(
    callback: CallbackQuery,
    callback_data: PfAdmRemoveCb,
    state: FSMContext,
    t: Translator,
    **data: Any,
) -> None:
    ctx = await Ctx.of(callback, state, t, data)
    profile = await managed_profile(ctx)
    if profile is None:
        await ctx.ack(t("profile-gone"), alert=True)
        await ask_target(ctx)
        return
    if callback_data.step != 1:
        await show_managed(ctx, profile)
        return
    name = profile.full_name or str(profile.user_id)
    # The profile goes and its card's deletion is queued, in this update's transaction.
    profile_id = profile.id
    await remove_card(ctx.session, profile_id, await service.remove_profile(ctx.session, profile))
    await ctx.update(**{PROFILE: None})
    await ask_target(ctx, hint=t("profile-admin-removed", name=name))


async def on_start_over(
    callback: CallbackQuery, state: FSMContext, t: Translator, **data: Any
) -> None:
    await ask_target(await Ctx.of(callback, state, t, data))


# --- routers ---------------------------------------------------------------------------------


def build_admin_router() -> Router:
    router = guard(Router(name="profile-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    msg, cb = router.message, router.callback_query
    msg.register(cmd_profiles, Command("profiles"))
    msg.register(on_forward, ProfileAdmin.waiting_for_target, F.forward_origin.is_not(None))
    msg.register(on_target, ProfileAdmin.waiting_for_target, TEXT_INPUT)
    RESULTS.register(router)
    MANAGER.register(router)
    managing = (ProfileAdmin.managing, LivePrompt())
    cb.register(on_publish, *managing, PfAdmPublishCb.filter())
    cb.register(on_start_over, *managing, PfAdmRestartCb.filter())
    cb.register(on_remove_asked, *managing, PfAdmRemoveCb.filter(F.step == 0))
    removing = (ProfileAdmin.removing, LivePrompt())
    cb.register(on_remove_answered, *removing, PfAdmRemoveCb.filter(F.step != 0))
    # Last: a stale press gets the alert; a non-admin's press was refused by the guard.
    extra = (PfAdmPublishCb.filter(), PfAdmRestartCb.filter(), PfAdmRemoveCb.filter())
    expire_stale(router, *RESULTS.buttons, *MANAGER.buttons, *extra)
    return router


def build_member_router() -> Router:
    router = guard(Router(name="profile-member"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_profile, Command("profile"))
    router.callback_query.register(on_edit_pressed, PfEditCb.filter())
    EDIT.register(router)
    router.callback_query.register(on_search_pressed, PfSearchCb.filter())
    router.message.register(on_query, ProfileSearch.waiting_for_query, TEXT_INPUT)
    SEARCH.register(router)
    expire_stale(router, *SEARCH.buttons)
    return router


def build_router() -> Router:
    router = Router(name="profile")
    router.include_router(build_admin_router())
    router.include_router(build_member_router())
    return router
