"""Voting handlers (group chats): sessions, proposals, votes, and the supergroup migration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.service import UserInfo
from bot.features.voting import publish, service, views
from bot.features.voting.keyboards import JoinCb, SkipCb, VoteCb
from bot.features.voting.service import VoteOutcome
from bot.i18n import Translator
from bot.outbox import sender as outbox
from bot.outbox import service as outbox_rows
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.guards import guard
from bot.telegram.inputs import length_error

Clock = Callable[[], datetime]

COMMANDS = (
    CommandSpec("create_session", Where.GROUP, Who.GROUP_ADMIN),
    CommandSpec("close_session", Where.GROUP, Who.GROUP_ADMIN),
    CommandSpec("propose", Where.GROUP),
    CommandSpec("vote", Where.GROUP),
    CommandSpec("session", Where.GROUP),
)


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def _text_and_minutes(
    message: Message,
    session: AsyncSession,
    t: Translator,
    args: str | None,
    *,
    minute_rule: tuple[int, int, int],
    limit: int,
    usage_key: str,
    minutes_key: str,
) -> tuple[str, int] | None:
    """`"text" [minutes]` of /create_session and /propose, or None after telling what is wrong."""
    parsed = service.parse_text_and_number(args)
    if not parsed.text:
        await outbox.reply(session, message, t(usage_key))
        return None
    minutes = service.parse_minutes(parsed.number, minute_rule)
    if minutes is None:
        await outbox.reply(session, message, t(minutes_key))
        return None
    too_long = length_error(t, parsed.text, limit=limit)
    if too_long:
        await outbox.reply(session, message, too_long)
        return None
    return parsed.text, minutes


# --- admins ----------------------------------------------------------------------------------


async def cmd_create_session(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    locale: str,
    clock: Clock,
) -> None:
    if user is None:
        return
    args = await _text_and_minutes(
        message,
        session,
        t,
        command.args,
        minute_rule=service.JOIN_MINUTES,
        limit=service.TITLE_LIMIT,
        usage_key="voting-usage-create",
        minutes_key="voting-bad-join-minutes",
    )
    if args is None:
        return
    title, minutes = args
    now = clock()
    voting = await service.create_session(
        session,
        chat_id=message.chat.id,
        thread_id=_thread(message),
        title=title,
        created_by=user.id,
        locale=locale,
        join_minutes=minutes,
        now=now,
    )
    await publish.send_session_card(session, voting, now)


async def cmd_close_session(
    message: Message, session: AsyncSession, t: Translator, clock: Clock
) -> None:
    summary = await service.close_session(session, chat_id=message.chat.id, now=clock())
    voting = summary.voting
    if summary.was_joining:
        await publish.finish_session_card(session, voting)
    if summary.closed_now is not None:
        closed = summary.closed_now
        await publish.announce_result(session, voting, closed.proposal, closed.tally)
    await publish.post(session, voting, views.summary_post(publish.translator(voting), summary))


# --- everyone in the group -------------------------------------------------------------------


async def cmd_propose(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    clock: Clock,
) -> None:
    if user is None:
        return
    args = await _text_and_minutes(
        message,
        session,
        t,
        command.args,
        minute_rule=service.PROPOSAL_MINUTES,
        limit=service.PROPOSAL_LIMIT,
        usage_key="voting-usage-propose",
        minutes_key="voting-bad-minutes",
    )
    if args is None:
        return
    text, minutes = args
    now = clock()
    voting, proposal = await service.create_proposal(
        session,
        chat_id=message.chat.id,
        author_id=user.id,
        text=text,
        minutes=minutes,
        now=now,
    )
    await publish.send_proposal_card(session, voting, proposal, now)


def _vote_answer(t: Translator, outcome: VoteOutcome, choice: str) -> str:
    label = t("voting-choice-yes") if choice == "yes" else t("voting-choice-no")
    key = {
        VoteOutcome.CAST: "voting-voted",
        VoteOutcome.CHANGED: "voting-vote-changed",
        VoteOutcome.SAME: "voting-vote-same",
    }[outcome]
    return t(key, choice=label)


async def cmd_vote(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    clock: Clock,
) -> None:
    if user is None:
        return
    choice = (command.args or "").strip().lower()
    choice = {"y": "yes", "n": "no", "да": "yes", "нет": "no"}.get(choice, choice)
    if choice not in service.CHOICES:
        await outbox.reply(session, message, t("voting-usage-vote"))
        return
    outcome = await service.cast_vote(
        session, user_id=user.id, choice=choice, now=clock(), chat_id=message.chat.id
    )
    await outbox.reply(session, message, _vote_answer(t, outcome, choice))


async def cmd_session(message: Message, session: AsyncSession, t: Translator, clock: Clock) -> None:
    view = await service.overview(session, message.chat.id)
    if view is None:
        await outbox.reply(session, message, t("voting-no-session"))
        return
    await outbox.post(
        session, message.chat.id, views.overview_text(t, view, clock()), thread_id=_thread(message)
    )


# --- buttons ---------------------------------------------------------------------------------


async def on_join_pressed(
    callback: CallbackQuery,
    callback_data: JoinCb,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    clock: Clock,
) -> None:
    if user is None:
        await callback.answer()
        return
    await service.join(session, session_id=callback_data.session_id, user_id=user.id, now=clock())
    await callback.answer(t("voting-joined"))


async def on_skip_pressed(callback: CallbackQuery, t: Translator) -> None:
    await callback.answer(t("voting-skipped"))


async def on_vote_pressed(
    callback: CallbackQuery,
    callback_data: VoteCb,
    session: AsyncSession,
    user: UserInfo | None,
    t: Translator,
    clock: Clock,
) -> None:
    if user is None:
        await callback.answer()
        return
    outcome = await service.cast_vote(
        session,
        user_id=user.id,
        choice=callback_data.choice,
        now=clock(),
        proposal_id=callback_data.proposal_id,
    )
    # The vote commits before the answer leaves (bot.db.middleware.CommitBeforeRequest).
    await callback.answer(_vote_answer(t, outcome, callback_data.choice))


# --- supergroup migration --------------------------------------------------------------------


async def on_migrated(message: Message, session: AsyncSession, clock: Clock) -> None:
    """The group became a supergroup: its open session moves along, with fresh cards."""
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:  # pragma: no cover - the filter lets only these through
        return
    await outbox_rows.move_chat(session, old, new)  # posts still waiting follow the chat
    voting = await service.migrate_chat(session, old_chat_id=old, new_chat_id=new)
    if voting is None:  # nothing open, or the other service message already moved it
        return
    now = clock()
    t = publish.translator(voting)
    await publish.post(session, voting, t("voting-migrated", title=voting.title))
    if voting.status == "joining":
        await publish.send_session_card(session, voting, now)
    proposal = await service.open_proposal(session, voting.id)
    if proposal is not None:
        await publish.send_proposal_card(session, voting, proposal, now)


def build_router() -> Router:
    router = Router(name="voting")

    admin = guard(Router(name="voting-admin"), where=Where.GROUP, who=Who.GROUP_ADMIN)
    admin.message.register(cmd_create_session, Command("create_session"))
    admin.message.register(cmd_close_session, Command("close_session"))

    group = guard(Router(name="voting-group"), where=Where.GROUP)
    group.message.register(cmd_propose, Command("propose"))
    group.message.register(cmd_vote, Command("vote"))
    group.message.register(cmd_session, Command("session"))
    group.callback_query.register(on_join_pressed, JoinCb.filter())
    group.callback_query.register(on_skip_pressed, SkipCb.filter())
    group.callback_query.register(on_vote_pressed, VoteCb.filter())
    group.message.register(
        on_migrated, F.migrate_to_chat_id.is_not(None) | F.migrate_from_chat_id.is_not(None)
    )

    router.include_routers(admin, group)
    return router
