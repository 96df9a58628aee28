"""Topics handlers: /topic_add and /topics for members, /topics_manage for admins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.core.models import User
from bot.features.core.service import UserInfo
from bot.features.events import service as events
from bot.features.events.keyboards import (
    PICK_TOPIC_ADD,
    PICK_TOPICS,
    PICK_TOPICS_MANAGE,
    EventPickCb,
)
from bot.features.events.models import UPCOMING, Event
from bot.features.events.pick import (
    Pick,
    end_gone,
    flow_event,
    gone,
    picked,
    show_pick,
)
from bot.features.topics import service
from bot.features.topics.keyboards import (
    BROWSE_LIST,
    MANAGE_LIST,
    TopicDeleteCb,
    browse_keyboard,
    manage_keyboard,
)
from bot.features.topics.models import Topic
from bot.features.topics.service import PAGE_SIZE, TEXT_LIMIT
from bot.features.topics.states import TopicAdd, TopicsBrowse, TopicsManage
from bot.i18n import Html, Translator, get_translator, resolve_locale
from bot.outbox import sender as outbox
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.guards import guard
from bot.telegram.inputs import length_error
from bot.telegram.keyboards import BackCb, Page, PageCb, keyboard
from bot.telegram.links import user_link
from bot.telegram.prompts import ask, finish_flow, reask, start_flow
from bot.telegram.text import escape

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("topic_add", Where.PRIVATE, Who.MEMBER),
    CommandSpec("topics", Where.PRIVATE, Who.MEMBER),
    CommandSpec("topics_manage", Where.PRIVATE, Who.ADMIN),
)

# A page shows at most this much of each topic, so five of them fit in one message.
PREVIEW_LIMIT = 600


# --- helpers -------------------------------------------------------------------------------


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
        name = user_link(author.id, author.full_name) if links else Html(escape(author.full_name))
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


async def open_pick(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    pick: Pick,
) -> None:
    """A command that begins with "pick an event"; with none to pick, the flow ends at once."""
    await start_flow(message, state, pick.state)
    listed = await pick.events(session)
    if not listed:
        await state.clear()
        await message.answer(t(pick.empty))
        return
    await show_pick(message, state, t, settings, pick, listed)


async def back_to_pick(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    pick: Pick,
) -> None:
    listed = await pick.events(session)
    if not listed:
        await finish_flow(callback.bot, callback.from_user.id, state)
        await callback.answer(t(pick.empty), show_alert=True)
        return
    await show_pick(callback, state, t, settings, pick, listed)
    await callback.answer()


# --- /topic_add ------------------------------------------------------------------------------


ADD_PICK = Pick(
    TopicAdd.choosing_event,
    PICK_TOPIC_ADD,
    "topics-pick-add",
    "topics-no-upcoming",
    lambda session: events.events_with_status(session, UPCOMING),
)


async def cmd_topic_add(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, ADD_PICK)


async def add_on_pick(
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
    await state.set_state(TopicAdd.waiting_for_text)
    text = t("topics-ask-text", name=event.name, limit=str(TEXT_LIMIT))
    await ask(callback, state, text, keyboard(t=t, back=True), edit=True)


async def add_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    await back_to_pick(callback, state, session, t, settings, ADD_PICK)


async def add_on_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    settings: Settings,
    access: Access,
    clock: Callable[[], datetime],
) -> None:
    assert message.text is not None
    assert message.bot is not None
    text = message.text.strip()
    error = length_error(t, text, limit=TEXT_LIMIT)
    if error:
        await reask(message, state, error)
        return
    event = await flow_event(session, state, UPCOMING)
    if event is None or user is None:
        await end_gone(message, state, t)
        return
    await service.add_topic(session, event_id=event.id, author_id=user.id, text=text, now=clock())
    admins = await admins_to_notify(session, access, settings, user.id)
    await notify_admins(session, admins, settings, event, user, text)
    await finish_flow(message.bot, message.chat.id, state)
    await message.answer(t("topics-saved", name=event.name))


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
    author: UserInfo,
    text: str,
) -> None:
    """Tell each admin about a new topic, in their language, through the outbox: the author is
    not kept waiting, and an admin who blocked the bot does not stop the others."""
    for admin in admins:
        locale = resolve_locale(admin.language, admin.language_code, settings.default_locale)
        t = get_translator(locale)
        notice = t(
            "topics-admin-notice",
            name=event.name,
            author=user_link(author.id, author.full_name),
            text=text,
        )
        await outbox.post(session, admin.id, notice)


# --- /topics and /topics_manage -------------------------------------------------------------


@dataclass(frozen=True)
class TopicList:
    """What differs between /topics (members) and /topics_manage (admins)."""

    pick: Pick
    viewing: State
    manage: bool  # admins: authors as links and a delete button per topic


BROWSE = TopicList(
    Pick(
        TopicsBrowse.choosing_event,
        PICK_TOPICS,
        "topics-pick-list",
        "topics-no-events",
        events.events_for_topics,
    ),
    TopicsBrowse.viewing,
    manage=False,
)
MANAGE = TopicList(
    Pick(
        TopicsManage.choosing_event,
        PICK_TOPICS_MANAGE,
        "topics-pick-manage",
        "topics-no-events",
        events.events_for_topics,
    ),
    TopicsManage.viewing,
    manage=True,
)


def topic_list(raw_state: str | None) -> TopicList:
    """The list a /topics or /topics_manage flow is on, by the flow's state."""
    return MANAGE if raw_state in TopicsManage else BROWSE


async def cmd_topics(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, BROWSE.pick)


async def cmd_topics_manage(
    message: Message, state: FSMContext, session: AsyncSession, t: Translator, settings: Settings
) -> None:
    await open_pick(message, state, session, t, settings, MANAGE.pick)


async def show_page(
    callback: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
    listing: TopicList,
    event: Event,
    number: int,
) -> None:
    text, page, ids = await render_topics(session, t, settings, event, number, links=listing.manage)
    await state.update_data(event_id=event.id, page=page.number)
    await state.set_state(listing.viewing)
    if listing.manage:
        await ask(callback, state, text, manage_keyboard(t, page, ids), edit=True)
    else:
        full = f"{text}\n\n{t('topics-hint-add')}"
        await ask(callback, state, full, browse_keyboard(t, page), edit=True)


async def list_on_pick(
    callback: CallbackQuery,
    callback_data: EventPickCb,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    event = await picked(callback, callback_data, session, t)
    if event is None:
        return
    await callback.answer()
    await show_page(callback, state, session, t, settings, topic_list(raw_state), event, 0)


async def list_on_page(
    callback: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    event = await flow_event(session, state)
    if event is None:
        await gone(callback, t)
        return
    await callback.answer()
    listing = topic_list(raw_state)
    await show_page(callback, state, session, t, settings, listing, event, callback_data.page)


async def list_on_back(
    callback: CallbackQuery,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    await back_to_pick(callback, state, session, t, settings, topic_list(raw_state).pick)


async def manage_on_delete(
    callback: CallbackQuery,
    callback_data: TopicDeleteCb,
    state: FSMContext,
    session: AsyncSession,
    t: Translator,
    settings: Settings,
) -> None:
    event = await flow_event(session, state)
    if event is None:
        await gone(callback, t)
        return
    topic: Topic | None = await service.get_topic(session, callback_data.topic_id)
    if topic is None or topic.event_id != event.id:
        await callback.answer(t("topics-gone"), show_alert=True)
    else:
        await service.delete_topic(session, topic)
        await callback.answer(t("topics-deleted"))
    page = (await state.get_data()).get("page", 0)
    await show_page(callback, state, session, t, settings, MANAGE, event, int(page))


async def on_stale_button(callback: CallbackQuery, t: Translator) -> None:
    # Reached only by those the guard lets through: a button of a flow that ended.
    await callback.answer(t("menu-expired"), show_alert=True)


# --- routers ---------------------------------------------------------------------------------


def build_admin_router() -> Router:
    router = guard(Router(name="topics-admin"), where=Where.PRIVATE, who=Who.ADMIN)
    msg, cb = router.message, router.callback_query
    msg.register(cmd_topics_manage, Command("topics_manage"))
    cb.register(
        list_on_pick,
        TopicsManage.choosing_event,
        EventPickCb.filter(F.action == PICK_TOPICS_MANAGE),
    )
    cb.register(list_on_page, TopicsManage.viewing, PageCb.filter(F.list_id == MANAGE_LIST))
    cb.register(manage_on_delete, TopicsManage.viewing, TopicDeleteCb.filter())
    cb.register(list_on_back, TopicsManage.viewing, BackCb.filter())
    cb.register(
        on_stale_button,
        or_f(TopicDeleteCb.filter(), EventPickCb.filter(F.action == PICK_TOPICS_MANAGE)),
    )
    return router


def build_member_router() -> Router:
    router = guard(Router(name="topics-member"), where=Where.PRIVATE, who=Who.MEMBER)
    msg, cb = router.message, router.callback_query
    msg.register(cmd_topic_add, Command("topic_add"))
    cb.register(
        add_on_pick, TopicAdd.choosing_event, EventPickCb.filter(F.action == PICK_TOPIC_ADD)
    )
    msg.register(add_on_text, TopicAdd.waiting_for_text, TEXT_INPUT)
    cb.register(add_on_back, TopicAdd.waiting_for_text, BackCb.filter())

    msg.register(cmd_topics, Command("topics"))
    cb.register(
        list_on_pick, TopicsBrowse.choosing_event, EventPickCb.filter(F.action == PICK_TOPICS)
    )
    cb.register(list_on_page, TopicsBrowse.viewing, PageCb.filter(F.list_id == BROWSE_LIST))
    cb.register(list_on_back, TopicsBrowse.viewing, BackCb.filter())
    cb.register(
        on_stale_button,
        EventPickCb.filter(F.action.in_({PICK_TOPIC_ADD, PICK_TOPICS})),
    )
    return router


def build_router() -> Router:
    router = Router(name="topics")
    router.include_routers(build_admin_router(), build_member_router())
    return router
