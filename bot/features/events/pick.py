"""The "pick an event, then act on it" lists of the events and topics flows (one picker each)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.fsm.state import State
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.events import service
from bot.features.events.models import Event
from bot.i18n import Html
from bot.telegram.flows import Ctx
from bot.telegram.pickers import Picker, title_key

EVENT = "event_id"  # FSM data: the event a flow is about


def event_label(ctx: Ctx, event: Event) -> str:
    """An event's button: "name · 12.01.2026 19:00" (plain text: the name goes in unescaped)."""
    start = service.format_local(event.starts_at, ctx.settings.timezone)
    return ctx.t("events-pick-item", name=Html(event.name), start=start)


async def find_event(session: AsyncSession, event_id: object, *statuses: str) -> Event | None:
    """The event, if it exists and is in one of `statuses` (any status when none are given)."""
    if not isinstance(event_id, int):
        return None
    event = await service.get_event(session, event_id)
    if event is None or (statuses and event.status not in statuses):
        return None
    return event


async def flow_event(ctx: Ctx, *statuses: str) -> Event | None:
    """The flow's event (its id in FSM data), as `find_event` finds it."""
    return await find_event(ctx.session, ctx.values.get(EVENT), *statuses)


def event_picker(
    *,
    list_id: str,
    state: State,
    title: str,
    empty: str,
    events: service.EventList,
    on_pick: Callable[[Ctx, Event], Awaitable[None]],
    command: str | None = None,
) -> Picker[Event]:
    """A list of `events` to pick from; a picked event must still be in one of its statuses."""

    async def find(ctx: Ctx, event_id: int) -> Event | None:
        return await find_event(ctx.session, event_id, *events.statuses)

    return Picker(
        list_id=list_id,
        state=state,
        count=events.count,
        fetch=events.fetch,
        title=title_key(title),
        label=event_label,
        find=find,
        on_pick=on_pick,
        empty=empty,
        gone="events-gone",
        size=service.PICK_PAGE,
        command=command,
    )
