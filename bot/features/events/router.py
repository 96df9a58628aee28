"""Events handlers: the admin flows (setup, edit, start, finish, delete) and /events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.events import service
from bot.features.events.jobs import post_announcement, unpin_announcement
from bot.features.events.keyboards import (
    ADMIN_PICKS,
    FIELDS,
    PICK_DELETE,
    PICK_EDIT,
    PICK_FINISH,
    PICK_START,
    EventConfirmCb,
    EventEditCardCb,
    EventFieldCb,
    EventPickCb,
    EventTypeCb,
    confirm_keyboard,
    field_keyboard,
    prompt_keyboard,
    setup_card_keyboard,
    type_keyboard,
    type_label,
)
from bot.features.events.models import LIVE, UPCOMING, Event
from bot.features.events.pick import (
    Pick,
    Prompted,
    end_gone,
    flow_event,
    gone,
    picked,
    show_pick,
)
from bot.features.events.service import EVENT_TYPES, NAME_LIMIT, Countdown, StartError
from bot.features.events.states import EventDelete, EventEdit, EventFinish, EventSetup, EventStart
from bot.i18n import Html, Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.inputs import length_error
from bot.telegram.keyboards import BackCb
from bot.telegram.prompts import ask, finish_flow, reask, start_flow

COMMANDS = (
    CommandSpec("event_setup", Where.PRIVATE, Who.ADMIN),
    CommandSpec("event_edit", Where.PRIVATE, Who.ADMIN),
    CommandSpec("event_start", Where.PRIVATE, Who.ADMIN),
    CommandSpec("event_finish", Where.PRIVATE, Who.ADMIN),
    CommandSpec("event_delete", Where.PRIVATE, Who.ADMIN),
    CommandSpec("events", Where.PRIVATE, Who.MEMBER),
)

Clock = Callable[[], datetime]


# --- rendering -----------------------------------------------------------------------------


def render_card(
    t: Translator, settings: Settings, *, name: str, kind: str, starts_at: datetime
) -> str:
    return t(
        "events-card",
        name=name,
        type=type_label(t, kind),
        start=service.format_local(starts_at, settings.timezone),
        zone=settings.community_timezone,
    )


def event_card(t: Translator, settings: Settings, event: Event) -> str:
    return render_card(t, settings, name=event.name, kind=event.type, starts_at=event.starts_at)


def render_countdown(t: Translator, left: Countdown) -> str:
    if left.live:
        return t("events-live-now")
    if left.due:
        return t("events-starting-now")
    if left.days:
        return t("events-in-days", days=str(left.days), hours=str(left.hours))
    if left.hours:
        return t("events-in-hours-minutes", hours=str(left.hours), minutes=str(left.minutes))
    return t("events-in-minutes", minutes=str(left.minutes))


def start_prompt(t: Translator, settings: Settings, now: datetime) -> str:
    return t(
        "events-ask-start",
        zone=settings.community_timezone,
        example=service.example_start(now, settings.timezone),
    )


def start_error(t: Translator, settings: Settings, now: datetime, error: StartError) -> str:
    example = service.example_start(now, settings.timezone)
    key = "events-start-past" if error is StartError.PAST else "events-start-malformed"
    return t(key, example=example)


def field_prompt(
    t: Translator, settings: Settings, now: datetime, field: str, *, back: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The question for one field of an event, and its buttons (setup and edit ask alike)."""
    if field == "name":
        return t("events-ask-name", limit=str(NAME_LIMIT)), prompt_keyboard(t, back=back)
    if field == "type":
        return t("events-ask-type"), type_keyboard(t, back=back)
    return start_prompt(t, settings, now), prompt_keyboard(t, back=back)


# --- flow helpers ----------------------------------------------------------------------------


EDIT_PICK = Pick(
    EventEdit.choosing_event, PICK_EDIT, "events-pick-edit", "events-none", service.recent_events
)
START_PICK = Pick(
    EventStart.choosing_event,
    PICK_START,
    "events-pick-start",
    "events-none-upcoming",
    lambda session: service.events_with_status(session, UPCOMING),
)
FINISH_PICK = Pick(
    EventFinish.choosing_event,
    PICK_FINISH,
    "events-pick-finish",
    "events-none-live",
    lambda session: service.events_with_status(session, LIVE),
)
DELETE_PICK = Pick(
    EventDelete.choosing_event,
    PICK_DELETE,
    "events-pick-delete",
    "events-none",
    lambda session: service.recent_events(session, service.PICK_LIMIT),
)


# The state that waits for each field, in the setup flow and in the edit flow.
SETUP_WAITS = {
    "name": EventSetup.waiting_for_name,
    "type": EventSetup.waiting_for_type,
    "start": EventSetup.waiting_for_start,
}
EDIT_WAITS = {
    "name": EventEdit.waiting_for_name,
    "type": EventEdit.waiting_for_type,
    "start": EventEdit.waiting_for_start,
}


async def typed_name(message: Message, state: FSMContext, t: Translator) -> str | None:
    """The typed name of an event; None when it does not fit (the prompt is asked again)."""
    assert message.text is not None
    name = message.text.strip()
    error = length_error(t, name, limit=NAME_LIMIT)
    if error:
        await reask(message, state, error)
        return None
    return name


async def typed_start(
    message: Message, state: FSMContext, t: Translator, settings: Settings, now: datetime
) -> datetime | None:
    """The typed start of an event; None when it is not one (the prompt is asked again)."""
    assert message.text is not None
    parsed = service.parse_start(message.text, settings.timezone, now)
    if isinstance(parsed, StartError):
        await reask(message, state, start_error(t, settings, now, parsed))
        return None
    return parsed


async def open_pick(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    pick: Pick,
) -> None:
    """An admin command that begins with "pick an event": the list, or a word that there is none."""
    events = await pick.events(session)
    if not events:
        await message.answer(t(pick.empty))
        return
    await start_flow(message, state, pick.state)
    await show_pick(message, state, t, settings, pick, events)


async def back_to_pick(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    pick: Pick,
) -> None:
    await callback.answer()
    await show_pick(callback, state, t, settings, pick, await pick.events(session))


# --- /event_setup ----------------------------------------------------------------------------


async def ask_setup_field(
    where: Prompted,
    state: FSMContext,
    t: Translator,
    settings: Settings,
    now: datetime,
    field: str,
) -> None:
    # The name is the first question: Back leads from it only to the card (Edit on the card).
    back = field != "name" or bool((await state.get_data()).get("editing"))
    await state.set_state(SETUP_WAITS[field])
    text, markup = field_prompt(t, settings, now, field, back=back)
    await ask(where, state, text, markup, edit=isinstance(where, CallbackQuery))


async def show_setup_card(
    event: Prompted, state: FSMContext, t: Translator, settings: Settings
) -> None:
    data = await state.get_data()
    await state.set_state(EventSetup.confirming)
    await state.update_data(editing=False)
    text = render_card(
        t,
        settings,
        name=data["name"],
        kind=data["kind"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
    )
    await ask(
        event,
        state,
        t("events-setup-card", card=Html(text)),
        setup_card_keyboard(t),
        edit=isinstance(event, CallbackQuery),
    )


async def cmd_event_setup(
    message: Message, state: FSMContext, t: Translator, settings: Settings, clock: Clock
) -> None:
    await start_flow(message, state, EventSetup.waiting_for_name)
    await ask_setup_field(message, state, t, settings, clock(), "name")


async def setup_on_name(
    message: Message, state: FSMContext, t: Translator, settings: Settings, clock: Clock
) -> None:
    name = await typed_name(message, state, t)
    if name is None:
        return
    await state.update_data(name=name)
    if (await state.get_data()).get("editing"):
        await show_setup_card(message, state, t, settings)
    else:
        await ask_setup_field(message, state, t, settings, clock(), "type")


async def setup_on_type(
    callback: CallbackQuery,
    callback_data: EventTypeCb,
    state: FSMContext,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    if callback_data.kind not in EVENT_TYPES:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await callback.answer()
    await state.update_data(kind=callback_data.kind)
    if (await state.get_data()).get("editing"):
        await show_setup_card(callback, state, t, settings)
    else:
        await ask_setup_field(callback, state, t, settings, clock(), "start")


async def setup_on_start(
    message: Message, state: FSMContext, t: Translator, settings: Settings, clock: Clock
) -> None:
    starts_at = await typed_start(message, state, t, settings, clock())
    if starts_at is None:
        return
    await state.update_data(starts_at=starts_at.isoformat())
    await show_setup_card(message, state, t, settings)


async def setup_on_edit_card(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await callback.answer()
    await state.set_state(EventSetup.choosing_field)
    await ask(callback, state, t("events-ask-field"), field_keyboard(t), edit=True)


async def setup_on_field(
    callback: CallbackQuery,
    callback_data: EventFieldCb,
    state: FSMContext,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    if callback_data.field not in FIELDS:
        await callback.answer(t("menu-expired"), show_alert=True)
        return
    await callback.answer()
    await state.update_data(editing=True)
    await ask_setup_field(callback, state, t, settings, clock(), callback_data.field)


async def setup_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    await callback.answer()
    editing = bool((await state.get_data()).get("editing"))
    if raw_state == EventSetup.confirming.state:
        await ask_setup_field(callback, state, t, settings, clock(), "start")
    elif editing or raw_state == EventSetup.choosing_field.state:
        await show_setup_card(callback, state, t, settings)
    elif raw_state == EventSetup.waiting_for_start.state:
        await ask_setup_field(callback, state, t, settings, clock(), "type")
    else:  # waiting_for_type
        await ask_setup_field(callback, state, t, settings, clock(), "name")


async def setup_on_confirm(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    assert isinstance(callback.message, Message)
    data = await state.get_data()
    now = clock()
    starts_at = datetime.fromisoformat(data["starts_at"])
    if starts_at <= now:
        # The card waited while its start went by: ask for the time again.
        await callback.answer()
        await state.update_data(editing=True)
        await ask_setup_field(callback, state, t, settings, now, "start")
        return
    event = await service.create_event(
        session, name=data["name"], kind=data["kind"], starts_at=starts_at, now=now
    )
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    await callback.message.answer(t("events-saved", card=Html(event_card(t, settings, event))))


# --- /event_edit -----------------------------------------------------------------------------


async def cmd_event_edit(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, EDIT_PICK)


async def show_edit_fields(
    where: Prompted, state: FSMContext, t: Translator, settings: Settings, event: Event
) -> None:
    await state.set_state(EventEdit.choosing_field)
    text = t("events-edit-which", card=Html(event_card(t, settings, event)))
    await ask(where, state, text, field_keyboard(t), edit=isinstance(where, CallbackQuery))


async def edit_on_pick(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    event = await picked(callback, callback_data, session, t)
    if event is None:
        return
    await callback.answer()
    await state.update_data(event_id=event.id)
    await show_edit_fields(callback, state, t, settings, event)


async def edit_on_field(
    callback: CallbackQuery,
    callback_data: EventFieldCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await flow_event(session, state)
    if event is None or callback_data.field not in FIELDS:
        await gone(callback, t)
        return
    await callback.answer()
    current = t("events-current", value=_field_value(t, settings, event, callback_data.field))
    await state.set_state(EDIT_WAITS[callback_data.field])
    text, markup = field_prompt(t, settings, clock(), callback_data.field, back=True)
    await ask(callback, state, f"{current}\n\n{text}", markup, edit=True)


def _field_value(t: Translator, settings: Settings, event: Event, field: str) -> str:
    if field == "name":
        return event.name
    if field == "type":
        return type_label(t, event.type)
    return service.format_local(event.starts_at, settings.timezone)


async def edit_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    if raw_state == EventEdit.choosing_field.state:
        await back_to_pick(callback, state, session, t, settings, EDIT_PICK)
        return
    event = await flow_event(session, state)
    if event is None:
        await gone(callback, t)
        return
    await callback.answer()
    await show_edit_fields(callback, state, t, settings, event)


async def edit_saved(
    where: Prompted,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    event: Event,
) -> None:
    message = where if isinstance(where, Message) else where.message
    assert isinstance(message, Message)
    await session.flush()
    await finish_flow(message.bot, message.chat.id, state)
    await message.answer(t("events-updated", card=Html(event_card(t, settings, event))))


async def edit_on_name(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    name = await typed_name(message, state, t)
    if name is None:
        return
    event = await flow_event(session, state)
    if event is None:
        await end_gone(message, state, t)
        return
    service.set_name(event, name)
    await edit_saved(message, state, session, t, settings, event)


async def edit_on_type(
    callback: CallbackQuery,
    callback_data: EventTypeCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    event = await flow_event(session, state)
    if event is None or callback_data.kind not in EVENT_TYPES:
        await gone(callback, t)
        return
    await callback.answer()
    service.set_type(event, callback_data.kind)
    await edit_saved(callback, state, session, t, settings, event)


async def edit_on_start(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    clock: Clock,
) -> None:
    now = clock()
    starts_at = await typed_start(message, state, t, settings, now)
    if starts_at is None:
        return
    event = await flow_event(session, state)
    if event is None:
        await end_gone(message, state, t)
        return
    service.set_start(event, starts_at, now)
    await edit_saved(message, state, session, t, settings, event)


# --- /event_start ----------------------------------------------------------------------------


async def cmd_event_start(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, START_PICK)


async def ask_link(where: Prompted, state: FSMContext, t: Translator, event: Event) -> None:
    await state.set_state(EventStart.waiting_for_link)
    await ask(
        where,
        state,
        t("events-ask-link", name=event.name),
        prompt_keyboard(t, back=True),
        edit=isinstance(where, CallbackQuery),
    )


async def start_on_pick(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
) -> None:
    event = await picked(callback, callback_data, session, t, UPCOMING)
    if event is None:
        return
    await callback.answer()
    await state.update_data(event_id=event.id)
    await ask_link(callback, state, t, event)


async def start_on_link(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator
) -> None:
    assert message.text is not None
    link = message.text.strip()
    if not service.is_valid_link(link):
        await reask(message, state, t("events-bad-link"))
        return
    event = await flow_event(session, state, UPCOMING)
    if event is None:
        await end_gone(message, state, t)
        return
    await state.update_data(link=link)
    await state.set_state(EventStart.confirming)
    await ask(
        message,
        state,
        t("events-start-confirm", name=event.name, link=link),
        confirm_keyboard(t),
    )


async def start_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    if raw_state == EventStart.confirming.state:
        event = await flow_event(session, state, UPCOMING)
        if event is None:
            await gone(callback, t)
            return
        await callback.answer()
        await ask_link(callback, state, t, event)
        return
    await back_to_pick(callback, state, session, t, settings, START_PICK)


async def start_on_confirm(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    assert isinstance(callback.message, Message)
    assert callback.bot is not None
    event = await flow_event(session, state, UPCOMING)
    link = (await state.get_data()).get("link")
    if event is None or not isinstance(link, str):
        await gone(callback, t)
        return
    service.mark_live(event, link=link)
    posted = await post_announcement(session, settings, event, link)
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    key = "events-started" if posted else "events-started-no-chat"
    await callback.message.answer(t(key, name=event.name))


# --- /event_finish ---------------------------------------------------------------------------


async def cmd_event_finish(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, FINISH_PICK)


async def finish_on_pick(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
) -> None:
    assert isinstance(callback.message, Message)
    assert callback.bot is not None
    event = await picked(callback, callback_data, session, t, LIVE)
    if event is None:
        return
    service.mark_finished(event)
    await unpin_announcement(session, event)
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    await callback.message.answer(t("events-finished", name=event.name))


# --- /event_delete ---------------------------------------------------------------------------


async def cmd_event_delete(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, DELETE_PICK)


async def delete_on_pick(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
) -> None:
    event = await picked(callback, callback_data, session, t)
    if event is None:
        return
    topics = await service.count_topics(session, event.id)
    await callback.answer()
    await state.update_data(event_id=event.id)
    await state.set_state(EventDelete.confirming)
    text = t("events-delete-confirm", name=event.name, count=topics)
    await ask(callback, state, text, confirm_keyboard(t), edit=True)


async def delete_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    await back_to_pick(callback, state, session, t, settings, DELETE_PICK)


async def delete_on_confirm(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, t: Translator
) -> None:
    assert isinstance(callback.message, Message)
    event = await flow_event(session, state)
    if event is None:
        await gone(callback, t)
        return
    name = event.name
    topics = await service.delete_event(session, event)
    await finish_flow(callback.bot, callback.message.chat.id, state)
    await callback.answer()
    await callback.message.answer(t("events-deleted", name=name, count=topics))


# --- stale buttons of the admin flows --------------------------------------------------------


async def on_stale_admin_button(callback: CallbackQuery, t: Translator) -> None:
    # Reached only by admins (the guard refuses everyone else): a button of a flow that ended.
    await callback.answer(t("menu-expired"), show_alert=True)


# --- /events ---------------------------------------------------------------------------------


async def cmd_events(
    message: Message, session: AsyncSession, t: Translator, settings: Settings, clock: Clock
) -> None:
    events = await service.upcoming_and_live(session)
    if not events:
        await message.answer(t("events-list-empty"))
        return
    now = clock()
    lines = [t("events-list-title")]
    for event in events:
        lines.append(
            t(
                "events-list-item",
                name=event.name,
                type=type_label(t, event.type),
                start=service.format_local(event.starts_at, settings.timezone),
                countdown=Html(render_countdown(t, service.countdown(event, now))),
            )
        )
    lines.append(t("events-list-zone", zone=settings.community_timezone))
    await message.answer("\n\n".join(lines))


# --- routers ---------------------------------------------------------------------------------


def build_admin_router() -> Router:
    router = guard(Router(name="events-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    msg, cb = router.message, router.callback_query

    msg.register(cmd_event_setup, Command("event_setup"))
    msg.register(setup_on_name, EventSetup.waiting_for_name, TEXT_INPUT)
    cb.register(setup_on_type, EventSetup.waiting_for_type, EventTypeCb.filter())
    msg.register(setup_on_start, EventSetup.waiting_for_start, TEXT_INPUT)
    cb.register(setup_on_edit_card, EventSetup.confirming, EventEditCardCb.filter())
    cb.register(setup_on_confirm, EventSetup.confirming, EventConfirmCb.filter())
    cb.register(setup_on_field, EventSetup.choosing_field, EventFieldCb.filter())
    cb.register(
        setup_on_back,
        or_f(
            EventSetup.waiting_for_name,
            EventSetup.waiting_for_type,
            EventSetup.waiting_for_start,
            EventSetup.confirming,
            EventSetup.choosing_field,
        ),
        BackCb.filter(),
    )

    msg.register(cmd_event_edit, Command("event_edit"))
    cb.register(edit_on_pick, EventEdit.choosing_event, EventPickCb.filter(F.action == PICK_EDIT))
    cb.register(edit_on_field, EventEdit.choosing_field, EventFieldCb.filter())
    msg.register(edit_on_name, EventEdit.waiting_for_name, TEXT_INPUT)
    cb.register(edit_on_type, EventEdit.waiting_for_type, EventTypeCb.filter())
    msg.register(edit_on_start, EventEdit.waiting_for_start, TEXT_INPUT)
    cb.register(
        edit_on_back,
        or_f(
            EventEdit.choosing_field,
            EventEdit.waiting_for_name,
            EventEdit.waiting_for_type,
            EventEdit.waiting_for_start,
        ),
        BackCb.filter(),
    )

    msg.register(cmd_event_start, Command("event_start"))
    cb.register(
        start_on_pick, EventStart.choosing_event, EventPickCb.filter(F.action == PICK_START)
    )
    msg.register(start_on_link, EventStart.waiting_for_link, TEXT_INPUT)
    cb.register(start_on_confirm, EventStart.confirming, EventConfirmCb.filter())
    cb.register(
        start_on_back,
        or_f(EventStart.waiting_for_link, EventStart.confirming),
        BackCb.filter(),
    )

    msg.register(cmd_event_finish, Command("event_finish"))
    cb.register(
        finish_on_pick, EventFinish.choosing_event, EventPickCb.filter(F.action == PICK_FINISH)
    )

    msg.register(cmd_event_delete, Command("event_delete"))
    cb.register(
        delete_on_pick, EventDelete.choosing_event, EventPickCb.filter(F.action == PICK_DELETE)
    )
    cb.register(delete_on_confirm, EventDelete.confirming, EventConfirmCb.filter())
    cb.register(delete_on_back, EventDelete.confirming, BackCb.filter())

    # Last: any other press of an admin button (a forged one is refused by the guard first).
    cb.register(
        on_stale_admin_button,
        or_f(
            EventPickCb.filter(F.action.in_(ADMIN_PICKS)),
            EventTypeCb.filter(),
            EventFieldCb.filter(),
            EventConfirmCb.filter(),
            EventEditCardCb.filter(),
        ),
    )
    return router


def build_member_router() -> Router:
    router = guard(Router(name="events-member"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_events, Command("events"))
    return router


def build_router() -> Router:
    router = Router(name="events")
    router.include_routers(build_admin_router(), build_member_router())
    return router
