"""Content handlers: the archive of the content topic (post, edit, admin `delete`), /content."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.content import service
from bot.features.content.keyboards import RESULTS_LIST, CtRefineCb, CtRestartCb, results_rows
from bot.features.content.models import ContentMessage
from bot.features.content.states import ContentSearch
from bot.i18n import Translator
from bot.outbox import sender as outbox
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.flows import Ctx, declare_flow, expire_stale, expired
from bot.telegram.guards import guard
from bot.telegram.keyboards import keyboard
from bot.telegram.links import message_link
from bot.telegram.pickers import Listed, Picker
from bot.telegram.prompts import LivePrompt, ask, start_flow

log = logging.getLogger(__name__)

COMMANDS = (CommandSpec("content", Where.PRIVATE, Who.MEMBER),)
QUERY = "ct_query"
DELETE_WORD = "delete"


# --- the archive (community chat, content topic) ------------------------------------------


def in_content_topic(message: Message, settings: Settings) -> bool:
    """A message of the community chat's content topic: nothing else is taken here."""
    return (
        settings.community_chat_id is not None
        and settings.content_topic_id is not None
        and message.chat.id == settings.community_chat_id
        and message.message_thread_id == settings.content_topic_id
    )


async def is_admin_delete(message: Message, access: Access, session: AsyncSession) -> bool:
    """An admin's reply `delete` to an archived message."""
    target = message.reply_to_message
    user = message.from_user
    if target is None or user is None or (message.text or "").strip().lower() != DELETE_WORD:
        return False
    if not (
        await access.is_admin(user.id) or await access.is_group_admin(message.chat.id, user.id)
    ):
        return False
    return await service.archived(session, message.chat.id, target.message_id) is not None


def _author(message: Message) -> tuple[int | None, str]:
    if message.sender_chat is not None:
        return None, message.sender_chat.title or ""
    if message.from_user is not None:
        return message.from_user.id, message.from_user.full_name
    return None, ""


async def on_content_message(message: Message, session: AsyncSession) -> None:
    text = message.text or message.caption
    if not text:
        return
    author_id, author_name = _author(message)
    await service.archive(
        session,
        chat_id=message.chat.id,
        message_id=message.message_id,
        thread_id=message.message_thread_id,
        author_id=author_id,
        author_name=author_name,
        text=text,
        link=message_link(
            message.chat.id,
            message.message_id,
            username=message.chat.username,
            thread_id=message.message_thread_id,
        ),
    )


async def on_admin_delete(message: Message, session: AsyncSession) -> None:
    assert message.reply_to_message is not None
    assert message.bot is not None
    target = message.reply_to_message.message_id
    await service.remove(session, message.chat.id, target)
    await outbox.delete(session, message.chat.id, [target, message.message_id])


# --- /content (private) --------------------------------------------------------------------


def results_title(ctx: Ctx, listed: Listed[ContentMessage]) -> str:
    t, query = ctx.t, listed.query
    if not listed.items:
        return t("content-none", query=query)
    lines = [t("content-found", query=query, total=listed.total), ""]
    for number, row in enumerate(listed.items, start=listed.page.offset + 1):
        excerpt = service.excerpt(row.text)
        if row.link:
            line = t(
                "content-line", n=str(number), url=row.link, text=excerpt, author=row.author_name
            )
        else:
            line = t("content-line-nolink", n=str(number), text=excerpt, author=row.author_name)
        words = service.matched_terms(query, row)
        if words:
            line += "\n" + t("content-matched", words=", ".join(words))
        lines.append(line)
    return "\n".join(lines)


# The results are the items (links in the text): a list with no item buttons.
RESULTS: Picker[ContentMessage] = Picker(
    list_id=RESULTS_LIST,
    state=ContentSearch.browsing,
    count=service.count_matches,
    fetch=service.search,
    title=results_title,
    rows=lambda ctx, listed: results_rows(ctx.t, found=bool(listed.items)),
    size=service.PAGE_SIZE,
    query_key=QUERY,
)
declare_flow(ContentSearch, "content")


async def ask_query(event: Message | CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(ContentSearch.waiting_for_query)
    edit = isinstance(event, CallbackQuery)
    await ask(event, state, t("content-ask"), keyboard(t=t), edit=edit)


async def cmd_content(message: Message, state: FSMContext, t: Translator) -> None:
    await start_flow(message, state, ContentSearch.waiting_for_query, t=t)
    await ask_query(message, state, t)


async def on_query(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    assert message.text is not None
    await RESULTS.show(await Ctx.of(message, state, t, data), message.text.strip())


async def on_refinement(message: Message, state: FSMContext, t: Translator, **data: Any) -> None:
    assert message.text is not None
    ctx = await Ctx.of(message, state, t, data)
    previous = ctx.values.get(QUERY)
    query = f"{previous} {message.text}" if isinstance(previous, str) else message.text
    await RESULTS.show(ctx, query.strip())


async def on_refine(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    query = (await state.get_data()).get(QUERY)
    if not isinstance(query, str):
        await expired(callback, t)
        return
    await state.set_state(ContentSearch.waiting_for_refinement)
    await callback.answer()
    await ask(callback, state, t("content-refine-ask", query=query), keyboard(t=t))


async def on_restart(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.update_data({QUERY: None})
    await callback.answer()
    await ask_query(callback, state, t)


def build_router() -> Router:
    router = Router(name="content")
    # The archive: only messages of the content topic, from anyone, never other group messages.
    archive = Router(name="content-archive")
    archive.message.register(on_admin_delete, in_content_topic, is_admin_delete)
    # Commands typed in the topic are left to the features they belong to.
    not_command = ~F.text.startswith("/")
    archive.message.register(on_content_message, in_content_topic, not_command)
    archive.edited_message.register(on_content_message, in_content_topic, not_command)
    router.include_router(archive)

    search = guard(Router(name="content-search"), where=Where.PRIVATE, who=Who.MEMBER)
    msg, cb = search.message, search.callback_query
    msg.register(cmd_content, Command("content"))
    msg.register(
        on_query, StateFilter(ContentSearch.waiting_for_query, ContentSearch.browsing), TEXT_INPUT
    )
    msg.register(on_refinement, ContentSearch.waiting_for_refinement, TEXT_INPUT)
    RESULTS.register(search)
    browsing = (ContentSearch.browsing, LivePrompt())
    cb.register(on_refine, *browsing, CtRefineCb.filter())
    cb.register(on_restart, *browsing, CtRestartCb.filter())
    expire_stale(search, *RESULTS.buttons, CtRefineCb.filter(), CtRestartCb.filter())
    router.include_router(search)
    return router
