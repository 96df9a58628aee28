"""Intro handlers: onboarding of a new member (/start, /start intro, /intro), /intro <words>."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.intro.keyboards import FIELD_LABELS
from bot.features.intro.states import Intro
from bot.features.profile import service
from bot.features.profile.cards import card_text, publish
from bot.features.profile.service import ABOUT_LIMIT, NAME_LIMIT, CardData
from bot.features.profile.states import ProfileSearch
from bot.features.profile.views import SEARCH, quote
from bot.i18n import Html, Translator
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.flows import Ctx, expire_stale, group_of
from bot.telegram.forms import Done, Field, Form, Reask
from bot.telegram.greeting import greet
from bot.telegram.guards import guard
from bot.telegram.prompts import start_flow

log = logging.getLogger(__name__)

COMMANDS = (CommandSpec("intro", Where.PRIVATE, Who.MEMBER),)


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


# --- the form: first name → last name → about → the card (Confirm / Edit) ------------------


def intro_field(name: str, state: State, ask_key: str, limit: int) -> Field:
    def question(ctx: Ctx) -> str:
        parts = [ctx.t(ask_key, limit=str(limit))]
        current = ctx.values.get(name)
        if current:
            parts.append(ctx.t("intro-current", value=quote(str(current))))
        return "\n\n".join(parts)

    return Field(name, state, question, label=FIELD_LABELS[name], limit=limit)


async def preview(ctx: Ctx) -> str:
    card = CardData(
        user_id=ctx.user.id,
        first_name=str(ctx.values.get("first_name", "")),
        last_name=str(ctx.values.get("last_name", "")),
        username=ctx.user.username,
        about=str(ctx.values.get("about", "")),
    )
    return ctx.t("intro-preview", card=Html(card_text(ctx.t, card)))


async def save(ctx: Ctx) -> Done:
    values = {field: str(ctx.values.get(field) or "") for field in service.FIELDS}
    for field, value in values.items():
        if not value:
            raise Reask(field)
    user = ctx.user
    profile = await service.save_profile(ctx.session, user.id, username=user.username, **values)
    # The card is queued in this transaction; it commits before the reply.
    published = await publish(ctx.session, ctx.settings, profile)
    return Done.say(ctx.t("intro-done-queued" if published else "intro-done-saved"))


INTRO = Form(
    prefix="in-",
    fields=(
        intro_field("first_name", Intro.waiting_for_first_name, "intro-ask-first-name", NAME_LIMIT),
        intro_field("last_name", Intro.waiting_for_last_name, "intro-ask-last-name", NAME_LIMIT),
        intro_field("about", Intro.waiting_for_about, "intro-ask-about", ABOUT_LIMIT),
    ),
    card=Intro.confirming,
    render_card=preview,
    choosing=Intro.choosing_field,
    choose_text="intro-choose-field",
    save=save,
    command="intro",
    resumable=True,
    continue_hint="intro-continue",
)


async def enter_intro(ctx: Ctx) -> None:
    """Go on with the intro in progress (or paused) at the same step, or start it; an
    existing profile's values are offered as the current ones."""
    if await INTRO.resume(ctx):
        return
    profile = await service.profile_of(ctx.session, ctx.user.id)
    values = {field: getattr(profile, field) for field in service.FIELDS} if profile else {}
    await INTRO.start(ctx, values=values, lead=ctx.t("intro-welcome"))


# --- handlers ------------------------------------------------------------------------------


async def cmd_start_intro(
    message: Message, state: FSMContext, raw_state: str | None, t: Translator, **data: Any
) -> None:
    # A newcomer is greeted first, then asked to introduce themselves; mid-intro, /start just
    # continues at the same step.
    if raw_state is None or group_of(raw_state) != Intro.__full_group_name__:
        await greet(message, t)
    await enter_intro(await Ctx.of(message, state, t, data))


async def cmd_intro(
    message: Message, command: CommandObject, state: FSMContext, t: Translator, **data: Any
) -> None:
    ctx = await Ctx.of(message, state, t, data)
    query = (command.args or "").strip()
    if not query:
        await enter_intro(ctx)
        return
    await start_flow(message, state, ProfileSearch.waiting_for_query, t=t)
    await SEARCH.show(ctx, query)


def build_router() -> Router:
    router = Router(name="intro")
    # /start of a member without a profile: checked before the guard, so everyone else gets
    # core's greeting (the filter says no instead of a refusal).
    router.message.register(cmd_start_intro, CommandStart(deep_link=False), needs_intro)

    flow = guard(Router(name="intro-flow"), where=Where.PRIVATE, who=Who.MEMBER)
    flow.message.register(cmd_start_intro, CommandStart(deep_link=True, magic=F.args == "intro"))
    flow.message.register(cmd_intro, Command("intro"))
    INTRO.register(flow)
    expire_stale(flow, *INTRO.buttons)
    router.include_router(flow)
    return router
