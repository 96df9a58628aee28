"""Posting and editing the voting cards in the group (through the paced Bot of the app).

Used by the handlers and by the jobs. A card that can no longer be edited (deleted, chat
gone) is not an error worth retrying: the failure is logged and the domain change stands.
Network trouble and flood limits are raised, so a job retries its row on the next round.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.features.voting import service, views
from bot.features.voting.keyboards import proposal_keyboard, session_keyboard
from bot.features.voting.models import Proposal, VotingSession
from bot.features.voting.service import Tally
from bot.i18n import Translator, get_translator
from bot.telegram.text import send_long

log = logging.getLogger(__name__)

# Failures that retrying cannot fix.
GIVE_UP = (TelegramBadRequest, TelegramForbiddenError, TelegramMigrateToChat)


def translator(voting: VotingSession) -> Translator:
    return get_translator(voting.locale)


async def author_name(session: AsyncSession, user_id: int) -> str:
    user = await session.get(User, user_id)
    return user.full_name if user is not None else str(user_id)


async def edit_card(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    if message_id is None:
        return
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except GIVE_UP as exc:
        if "message is not modified" not in str(exc):
            log.warning("voting card %s/%s not edited: %s", chat_id, message_id, exc)


async def post(bot: Bot, voting: VotingSession, text: str) -> None:
    try:
        try:
            await send_long(bot, voting.chat_id, text, message_thread_id=voting.thread_id)
        except TelegramMigrateToChat as moved:
            # The group became a supergroup while nobody told us: follow it there.
            log.info("chat %s moved to %s", voting.chat_id, moved.migrate_to_chat_id)
            voting.chat_id = moved.migrate_to_chat_id
            voting.thread_id = None
            voting.card_message_id = None
            await send_long(bot, voting.chat_id, text)
    except GIVE_UP as exc:
        log.warning("voting post to chat %s failed: %s", voting.chat_id, exc)


# --- session cards ---------------------------------------------------------------------------


async def send_session_card(
    bot: Bot, session: AsyncSession, voting: VotingSession, now: datetime
) -> None:
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    message = await bot.send_message(
        voting.chat_id,
        views.session_card(t, voting, count, now),
        reply_markup=session_keyboard(t, voting.id),
        message_thread_id=voting.thread_id,
    )
    await service.set_session_card(session, voting, message.message_id)


async def refresh_session_card(
    bot: Bot, session: AsyncSession, voting: VotingSession, now: datetime
) -> None:
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    await edit_card(
        bot,
        voting.chat_id,
        voting.card_message_id,
        views.session_card(t, voting, count, now),
        session_keyboard(t, voting.id),
    )


async def finish_session_card(bot: Bot, session: AsyncSession, voting: VotingSession) -> None:
    """The card without its Join / Skip buttons, once joining is over."""
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    await edit_card(
        bot,
        voting.chat_id,
        voting.card_message_id,
        views.session_card_final(t, voting, count),
        None,
    )


async def announce_start(bot: Bot, session: AsyncSession, voting: VotingSession) -> None:
    await finish_session_card(bot, session, voting)
    people = await service.participants(session, voting.id)
    await post(bot, voting, views.session_started(translator(voting), voting, people))


# --- proposal cards --------------------------------------------------------------------------


async def send_proposal_card(
    bot: Bot, session: AsyncSession, voting: VotingSession, proposal: Proposal, now: datetime
) -> None:
    t = translator(voting)
    counts = await service.live_counts(session, proposal)
    message = await bot.send_message(
        voting.chat_id,
        views.proposal_card(
            t, proposal, await author_name(session, proposal.author_id), counts, now
        ),
        reply_markup=proposal_keyboard(t, proposal.id),
        message_thread_id=voting.thread_id,
    )
    await service.set_proposal_card(session, proposal, message.message_id)


async def refresh_proposal_card(
    bot: Bot, session: AsyncSession, voting: VotingSession, proposal: Proposal, now: datetime
) -> None:
    t = translator(voting)
    counts = await service.live_counts(session, proposal)
    await edit_card(
        bot,
        voting.chat_id,
        proposal.card_message_id,
        views.proposal_card(
            t, proposal, await author_name(session, proposal.author_id), counts, now
        ),
        proposal_keyboard(t, proposal.id),
    )


async def announce_result(
    bot: Bot, session: AsyncSession, voting: VotingSession, proposal: Proposal, counted: Tally
) -> None:
    """The card in its final state (no buttons) and the result post with the voters' names."""
    t = translator(voting)
    await edit_card(
        bot,
        voting.chat_id,
        proposal.card_message_id,
        views.proposal_card_final(t, proposal, await author_name(session, proposal.author_id)),
        None,
    )
    await post(bot, voting, views.result_post(t, proposal, counted))
