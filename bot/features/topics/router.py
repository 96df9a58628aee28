"""Topics handlers: /topic_add and /topics for members, /topics_manage for admins."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.core.models import User
from bot.features.events import service as events
from bot.features.events.models import UPCOMING, Event
from bot.features.events.pick import EVENT, event_picker, flow_event
from bot.features.topics import service
from bot.features.topics.keyboards import (
    BROWSE_LIST,
    MANAGE_LIST,
    TopicDeleteCb,
    browse_keyboard,
    manage_keyboard,
)
from bot.features.topics.service import PAGE_SIZE, TEXT_LIMIT
from bot.features.topics.states import TopicAdd, TopicsBrowse, TopicsManage
from bot.i18n import Html, Translator, get_translator, resolve_locale
from bot.outbox import sender as outbox
from bot.refusals import STALE, Refused
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.flows import Ctx, expire_stale
from bot.telegram.forms import Done, Field, Form
from bot.telegram.guards import guard
from bot.telegram.keyboards import BackCb, Page, PageCb
from bot.telegram.links import user_link
from bot.telegram.pickers import Picker
from bot.telegram.prompts import LivePrompt, ask
from bot.telegram.text import escape

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("topic_add", Where.PRIVATE, Who.MEMBER),
    CommandSpec("topics", Where.PRIVATE, Who.MEMBER),
    CommandSpec("topics_manage", Where.PRIVATE, Who.ADMIN),
)

# A page shows at most this much of each topic, so five of them fit in one message.
PREVIEW_LIMIT = 600


def preview(text: str) -> str:
    return text if len(text) <= PREVIEW_LIMIT else text[: PREVIEW_LIMIT - 1].rstrip() + "…"


async def render_topics(
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    event: Event,
    number: int,
    *,
    links: bool,
) -> tuple[str, Page, list[int]]:
    """The text of one page of an event's topics, the page, and the ids of its topics."""
    total = await service.count_topics(session, event.id)
    page = Page.of(total, number, PAGE_SIZE)
    rows = await service.topics_page(session, event.id, offset=page.offset, limit=page.size)
    lines = [t("topics-list-title", name=event.name, count=total)]
    if not rows:
        lines.append(t("topics-list-empty"))
    for index, (topic, author) in enumerate(rows, start=page.offset + 1):
        if author is None:
            name = Html(escape(t("former-member")))
        elif links:
            name = user_link(author.id, author.full_name)
        else:
            name = Html(escape(author.full_name))
        lines.append(
            t(
                "topics-list-item",
                number=str(index),
                text=preview(topic.text),
                author=name,
                date=topic.created_at.astimezone(settings.timezone).strftime("%d.%m.%Y"),
            )
        )
    return "\n\n".join(lines), page, [topic.id for topic, _ in rows]


# --- /topic_add: pick an upcoming event, then type the topic ---------------------------------


async def add_picked(ctx: Ctx, event: Event) -> None:
    await PROPOSE.open(ctx, values={EVENT: event.id}, subject=event)


ADD_PICK = event_picker(
    list_id="tadd",
    state=TopicAdd.choosing_event,
    title="topics-pick-add",
    empty="topics-no-upcoming",
    events=events.UPCOMING_EVENTS,
    on_pick=add_picked,
    command="topic_add",
)


async def upcoming_event(ctx: Ctx) -> Event | None:
    return await flow_event(ctx, UPCOMING)


async def propose(ctx: Ctx) -> Done:
    event: Event = ctx.subject
    author = ctx.user
    text = str(ctx.values["text"])
    await service.add_topic(
        ctx.session, event_id=event.id, author_id=author.id, text=text, now=ctx.now()
    )
    admins = await admins_to_notify(ctx.session, ctx.data["access"], ctx.settings, author.id)
    await notify_admins(ctx.session, admins, ctx.settings, event, author.id, author.full_name, text)
    return Done.say(ctx.t("topics-saved", name=event.name))


PROPOSE = Form(
    prefix="tpa-",
    fields=(
        Field(
            "text",
            TopicAdd.waiting_for_text,
            lambda ctx: ctx.t("topics-ask-text", name=ctx.subject.name, limit=str(TEXT_LIMIT)),
            limit=TEXT_LIMIT,
        ),
    ),
    save=propose,
    load=upcoming_event,
    gone="events-gone",
    back_out=ADD_PICK.back,
)


async def admins_to_notify(
    session: AsyncSession, access: Access, settings: Settings, author_id: int
) -> Sequence[User]:
    """Admins (ADMIN_IDS and the community chat's administrators) who have started the bot."""
    ids = set(settings.admin_ids)
    if settings.community_chat_id is not None:
        ids |= await access.chat_admins(settings.community_chat_id)
    ids.discard(author_id)
    return await service.reachable_users(session, ids)


async def notify_admins(
    session: AsyncSession,
    admins: Sequence[User],
    settings: Settings,
    event: Event,
    author_id: int,
    author_name: str,
    text: str,
) -> None:
    """Tell each admin about a new topic, in their language, through the outbox: the author is
    not kept waiting, and an admin who blocked the bot does not stop the others."""
    for admin in admins:
        locale = resolve_locale(admin.language, admin.language_code, settings.default_locale)
        t = get_translator(locale)
        author = user_link(author_id, author_name)
        notice = t("topics-admin-notice", name=event.name, author=author, text=text)
        await outbox.post(session, admin.id, notice)


# --- /topics and /topics_manage: pick an event, then its topics page by page -------------------


@dataclass(frozen=True)
class TopicList:
    """What differs between /topics (members) and /topics_manage (admins)."""

    pick: Picker[Event]
    viewing: State
    manage: bool  # admins: authors as links and a delete button per topic


async def show_page(ctx: Ctx, listing: TopicList, event: Event, number: int) -> None:
    text, page, ids = await render_topics(
        ctx.session, ctx.t, ctx.settings, event, number, links=listing.manage
    )
    await ctx.update(**{EVENT: event.id, "page": page.number})
    await ctx.state.set_state(listing.viewing)
    await ctx.ack()
    if listing.manage:
        await ask(ctx.event, ctx.state, text, manage_keyboard(ctx.t, page, ids), edit=True)
    else:
        full = f"{text}\n\n{ctx.t('topics-hint-add')}"
        await ask(ctx.event, ctx.state, full, browse_keyboard(ctx.t, page), edit=True)


async def browse_picked(ctx: Ctx, event: Event) -> None:
    await show_page(ctx, BROWSE, event, 0)


async def manage_picked(ctx: Ctx, event: Event) -> None:
    await show_page(ctx, MANAGE, event, 0)


BROWSE = TopicList(
    event_picker(
        list_id="tlist",
        state=TopicsBrowse.choosing_event,
        title="topics-pick-list",
        empty="topics-no-events",
        events=events.TOPIC_EVENTS,
        on_pick=browse_picked,
        command="topics",
    ),
    TopicsBrowse.viewing,
    manage=False,
)
MANAGE = TopicList(
    event_picker(
        list_id="tman",
        state=TopicsManage.choosing_event,
        title="topics-pick-manage",
        empty="topics-no-events",
        events=events.TOPIC_EVENTS,
        on_pick=manage_picked,
        command="topics_manage",
    ),
    TopicsManage.viewing,
    manage=True,
)


def topic_list(raw_state: str | None) -> TopicList:
    """The list a /topics or /topics_manage flow is on, by the flow's state."""
    return MANAGE if raw_state in TopicsManage else BROWSE


async def viewed_event(
    callback: CallbackQuery, state: FSMContext, t: Translator, data: Any
) -> tuple[Ctx, Event | None]:
    """The context of a press on a topics page, and the page's event (None: an alert said it
    is gone)."""
    ctx = await Ctx.of(callback, state, t, data)
    event = await flow_event(ctx)
    if event is None:
        await ctx.ack(t("events-gone"), alert=True)
    return ctx, event


async def on_page(
    callback: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    **data: Any,
) -> None:
    ctx, event = await viewed_event(callback, state, t, data)
    if event is not None:
        await show_page(ctx, topic_list(raw_state), event, callback_data.page)


async def on_back(
    callback: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator, **data: Any
) -> None:
    await topic_list(raw_state).pick.back(await Ctx.of(callback, state, t, data))


async def on_delete(
    callback: CallbackQuery,
    callback_data: TopicDeleteCb,
    state: FSMContext,
    t: Translator,
    **data: Any,
) -> None:
    ctx, event = await viewed_event(callback, state, t, data)
    if event is None:
        return
    topic = await service.get_topic(ctx.session, callback_data.topic_id)
    if topic is None or topic.event_id != event.id:  # another event's: a forged press
        raise Refused(STALE)
    await service.delete_topic(ctx.session, topic)
    await ctx.ack(t("topics-deleted"))
    await show_page(ctx, MANAGE, event, int(ctx.values.get("page", 0)))


# --- routers ---------------------------------------------------------------------------------


def build_admin_router() -> Router:
    router = guard(Router(name="topics-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    msg, cb = router.message, router.callback_query
    msg.register(MANAGE.pick.on_command, Command("topics_manage"))
    MANAGE.pick.register(router)
    viewing = (TopicsManage.viewing, LivePrompt())
    cb.register(on_page, *viewing, PageCb.filter(F.list_id == MANAGE_LIST))
    cb.register(on_delete, *viewing, TopicDeleteCb.filter())
    cb.register(on_back, *viewing, BackCb.filter())
    pages = PageCb.filter(F.list_id == MANAGE_LIST)
    expire_stale(router, *MANAGE.pick.buttons, pages, TopicDeleteCb.filter())
    return router


def build_member_router() -> Router:
    router = guard(Router(name="topics-member"), where=Where.PRIVATE, who=Who.MEMBER)
    msg, cb = router.message, router.callback_query
    msg.register(ADD_PICK.on_command, Command("topic_add"))
    ADD_PICK.register(router)
    PROPOSE.register(router)
    msg.register(BROWSE.pick.on_command, Command("topics"))
    BROWSE.pick.register(router)
    viewing = (TopicsBrowse.viewing, LivePrompt())
    cb.register(on_page, *viewing, PageCb.filter(F.list_id == BROWSE_LIST))
    cb.register(on_back, *viewing, BackCb.filter())
    pages = PageCb.filter(F.list_id == BROWSE_LIST)
    expire_stale(router, *ADD_PICK.buttons, *PROPOSE.buttons, *BROWSE.pick.buttons, pages)
    return router


def build_router() -> Router:
    router = Router(name="topics")
    router.include_routers(build_admin_router(), build_member_router())
    return router
