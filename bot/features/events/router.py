"""Events handlers: the admin flows (setup, edit, start, finish, delete) and /events.

Every admin flow is declared: a picker ("pick an event") and a form (bot.telegram.forms).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.events import service
from bot.features.events.jobs import post_announcement, unpin_announcement
from bot.features.events.keyboards import type_label
from bot.features.events.models import UPCOMING, Event
from bot.features.events.pick import EVENT, event_picker, flow_event
from bot.features.events.service import EVENT_TYPES, NAME_LIMIT, Countdown, StartError
from bot.features.events.states import EventDelete, EventEdit, EventFinish, EventSetup, EventStart
from bot.i18n import Html, Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.flows import Ctx, expire_stale
from bot.telegram.forms import Done, Field, Form, Invalid, Question, Reask
from bot.telegram.guards import guard
from bot.telegram.prompts import finish_flow

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


def start_error(ctx: Ctx, error: StartError) -> str:
    example = service.example_start(ctx.now(), ctx.settings.timezone)
    key = "events-start-past" if error is StartError.PAST else "events-start-malformed"
    return ctx.t(key, example=example)


# --- the fields of an event (setup and edit ask alike) ---------------------------------------


def ask_name(ctx: Ctx) -> str:
    return ctx.t("events-ask-name", limit=str(NAME_LIMIT))


def ask_type(ctx: Ctx) -> str:
    return ctx.t("events-ask-type")


def ask_start(ctx: Ctx) -> str:
    example = service.example_start(ctx.now(), ctx.settings.timezone)
    return ctx.t("events-ask-start", zone=ctx.settings.community_timezone, example=example)


def parse_start(ctx: Ctx, text: str) -> str:
    parsed = service.parse_start(text, ctx.settings.timezone, ctx.now())
    if isinstance(parsed, StartError):
        raise Invalid(start_error(ctx, parsed))
    return parsed.isoformat()


def type_choices(ctx: Ctx) -> list[tuple[str, str]]:
    return [(kind, type_label(ctx.t, kind)) for kind in EVENT_TYPES]


def current_value(ctx: Ctx, field: str) -> str:
    """A field of the edited event (the form's subject), as the admin typed or chose it."""
    event: Event = ctx.subject
    if field == "name":
        return event.name
    if field == "kind":
        return type_label(ctx.t, event.type)
    return service.format_local(event.starts_at, ctx.settings.timezone)


def with_current(field: str, question: Question) -> Question:
    return lambda ctx: (
        f"{ctx.t('events-current', value=current_value(ctx, field))}\n\n{question(ctx)}"
    )


def event_fields(name: State, kind: State, start: State, *, edit: bool) -> tuple[Field, ...]:
    def asked(field: str, question: Question) -> Question:
        return with_current(field, question) if edit else question

    return (
        Field("name", name, asked("name", ask_name), label="events-field-name", limit=NAME_LIMIT),
        Field(
            "kind",
            kind,
            asked("kind", ask_type),
            label="events-field-type",
            choices=type_choices,
            key="type",
        ),
        Field(
            "starts_at",
            start,
            asked("starts_at", ask_start),
            label="events-field-start",
            parse=parse_start,
        ),
    )


# --- /event_setup ----------------------------------------------------------------------------


async def setup_card(ctx: Ctx) -> str:
    values = ctx.values
    text = render_card(
        ctx.t,
        ctx.settings,
        name=values["name"],
        kind=values["kind"],
        starts_at=datetime.fromisoformat(values["starts_at"]),
    )
    return ctx.t("events-setup-card", card=Html(text))


async def create(ctx: Ctx) -> Done:
    now = ctx.now()
    starts_at = datetime.fromisoformat(ctx.values["starts_at"])
    if starts_at <= now:  # the card waited while its start went by
        raise Reask("starts_at", start_error(ctx, StartError.PAST))
    event = await service.create_event(
        ctx.session, name=ctx.values["name"], kind=ctx.values["kind"], starts_at=starts_at, now=now
    )
    return Done.say(ctx.t("events-saved", card=Html(event_card(ctx.t, ctx.settings, event))))


SETUP = Form(
    prefix="ev",
    fields=event_fields(
        EventSetup.waiting_for_name,
        EventSetup.waiting_for_type,
        EventSetup.waiting_for_start,
        edit=False,
    ),
    card=EventSetup.confirming,
    render_card=setup_card,
    choosing=EventSetup.choosing_field,
    choose_text="events-ask-field",
    save=create,
    fields_per_row=3,
    command="event_setup",
    resumable=True,
    continue_hint="events-setup-continue",
)


async def cmd_event_setup(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    ctx = await Ctx.of(message, state, t, data)
    if not await SETUP.resume(ctx):
        await SETUP.start(ctx)


# --- /event_edit -----------------------------------------------------------------------------


async def edit_picked(ctx: Ctx, event: Event) -> None:
    await EDIT.open(ctx, values={EVENT: event.id}, subject=event)


EDIT_PICK = event_picker(
    list_id="evedit",
    state=EventEdit.choosing_event,
    title="events-pick-edit",
    empty="events-none",
    events=service.RECENT_EVENTS,
    on_pick=edit_picked,
    command="event_edit",
)


async def edit_card(ctx: Ctx) -> str:
    return ctx.t("events-edit-which", card=Html(event_card(ctx.t, ctx.settings, ctx.subject)))


async def save_edit(ctx: Ctx, field: str, value: str) -> Done:
    event: Event = ctx.subject
    if field == "name":
        service.set_name(event, value)
    elif field == "kind":
        service.set_type(event, value)
    else:
        service.set_start(ctx.session, event, datetime.fromisoformat(value), ctx.now())
    await ctx.session.flush()
    return Done.say(ctx.t("events-updated", card=Html(event_card(ctx.t, ctx.settings, event))))


EDIT = Form(
    prefix="ev",
    fields=event_fields(
        EventEdit.waiting_for_name,
        EventEdit.waiting_for_type,
        EventEdit.waiting_for_start,
        edit=True,
    ),
    card=EventEdit.choosing_field,
    render_card=edit_card,
    save_field=save_edit,
    load=flow_event,
    gone="events-gone",
    back_out=EDIT_PICK.back,
    fields_per_row=3,
)


# --- /event_start ----------------------------------------------------------------------------


async def start_picked(ctx: Ctx, event: Event) -> None:
    await START.open(ctx, values={EVENT: event.id}, subject=event)


START_PICK = event_picker(
    list_id="evstart",
    state=EventStart.choosing_event,
    title="events-pick-start",
    empty="events-none-upcoming",
    events=service.UPCOMING_EVENTS,
    on_pick=start_picked,
    command="event_start",
)


def parse_link(ctx: Ctx, text: str) -> str:
    if not service.is_valid_link(text):
        raise Invalid(ctx.t("events-bad-link"))
    return text


async def start_card(ctx: Ctx) -> str:
    return ctx.t("events-start-confirm", name=ctx.subject.name, link=ctx.values.get("link", ""))


async def go_live(ctx: Ctx) -> Done:
    event: Event = ctx.subject
    link = ctx.values.get("link")
    if not isinstance(link, str):
        raise Reask("link")
    service.mark_live(event, link=link)
    posted = await post_announcement(ctx.session, ctx.settings, event, link)
    return Done.say(
        ctx.t("events-started" if posted else "events-started-no-chat", name=event.name)
    )


async def upcoming_event(ctx: Ctx) -> Event | None:
    return await flow_event(ctx, UPCOMING)


START = Form(
    prefix="ev",
    fields=(
        Field(
            "link",
            EventStart.waiting_for_link,
            lambda ctx: ctx.t("events-ask-link", name=ctx.subject.name),
            parse=parse_link,
        ),
    ),
    card=EventStart.confirming,
    render_card=start_card,
    save=go_live,
    load=upcoming_event,
    gone="events-gone",
    back_out=START_PICK.back,
    edit_button=False,
)


# --- /event_finish ---------------------------------------------------------------------------


async def finish_picked(ctx: Ctx, event: Event) -> None:
    service.mark_finished(event)
    await unpin_announcement(ctx.session, event)
    await finish_flow(ctx.event.bot, ctx.chat_id, ctx.state, status="completed")
    await ctx.ack()
    await ctx.say(ctx.t("events-finished", name=event.name))


FINISH_PICK = event_picker(
    list_id="evfin",
    state=EventFinish.choosing_event,
    title="events-pick-finish",
    empty="events-none-live",
    events=service.LIVE_EVENTS,
    on_pick=finish_picked,
    command="event_finish",
)


# --- /event_delete ---------------------------------------------------------------------------


async def delete_picked(ctx: Ctx, event: Event) -> None:
    await DELETE.open(ctx, values={EVENT: event.id}, subject=event)


DELETE_PICK = event_picker(
    list_id="evdel",
    state=EventDelete.choosing_event,
    title="events-pick-delete",
    empty="events-none",
    events=service.ALL_EVENTS,
    on_pick=delete_picked,
    command="event_delete",
)


async def delete_card(ctx: Ctx) -> str:
    topics = await service.count_topics(ctx.session, ctx.subject.id)
    return ctx.t("events-delete-confirm", name=ctx.subject.name, count=topics)


async def delete(ctx: Ctx) -> Done:
    name = ctx.subject.name
    topics = await service.delete_event(ctx.session, ctx.subject)
    return Done.say(ctx.t("events-deleted", name=name, count=topics))


DELETE = Form(
    prefix="ev",
    card=EventDelete.confirming,
    render_card=delete_card,
    save=delete,
    load=flow_event,
    gone="events-gone",
    back_out=DELETE_PICK.back,
)

PICKS = (EDIT_PICK, START_PICK, FINISH_PICK, DELETE_PICK)
FORMS = (SETUP, EDIT, START, DELETE)


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
    router.message.register(cmd_event_setup, Command("event_setup"))
    for name, picker in zip(("edit", "start", "finish", "delete"), PICKS, strict=True):
        router.message.register(picker.on_command, Command(f"event_{name}"))
    for declared in (*PICKS, *FORMS):
        declared.register(router)
    # Last: any other press of an admin button is stale (a non-admin's is refused by the guard).
    expire_stale(router, *(button for declared in (*PICKS, *FORMS) for button in declared.buttons))
    return router


def build_member_router() -> Router:
    router = guard(Router(name="events-member"), where=Where.PRIVATE, who=Who.MEMBER)
    router.message.register(cmd_events, Command("events"))
    return router


def build_router() -> Router:
    router = Router(name="events")
    router.include_routers(build_admin_router(), build_member_router())
    return router
