"""The voting cards and posts in the group, written to the outbox (delivered at the group's pace).

Used by the handlers and by the jobs, always inside their transaction: a card is queued exactly
when the change it shows commits. A card's later versions (live counts, the final state) are
edits keyed by the card, so only the newest one goes out, even before the card itself did.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.core.models import User
from bot.features.voting import service, views
from bot.features.voting.keyboards import proposal_keyboard, session_keyboard
from bot.features.voting.models import Proposal, VotingSession
from bot.features.voting.service import (
    PROPOSAL_CARD,
    PROPOSAL_CARD_EDITED,
    PROPOSAL_CARD_POSTED,
    SESSION_CARD,
    SESSION_CARD_EDITED,
    SESSION_CARD_POSTED,
    Tally,
)
from bot.i18n import Translator, get_translator
from bot.outbox import sender as outbox
from bot.outbox.service import message_key


def translator(voting: VotingSession) -> Translator:
    return get_translator(voting.locale)


async def author_name(session: AsyncSession, user_id: int | None, t: Translator) -> str:
    """The author's name; a former member who used /forget is named as such."""
    if user_id is None:
        return t("former-member")
    user = await session.get(User, user_id)
    return user.full_name if user is not None else str(user_id)


async def _edit_card(
    session: AsyncSession,
    voting: VotingSession,
    key: str,
    message_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    on_sent: str | None = None,
    owner_id: int | None = None,
) -> None:
    await outbox.edit(
        session,
        voting.chat_id,
        text,
        key=key,
        message_id=message_id,
        markup=markup,
        on_sent=on_sent,
        owner_id=owner_id,
    )


async def post(session: AsyncSession, voting: VotingSession, text: str) -> None:
    await outbox.post(session, voting.chat_id, text, thread_id=voting.thread_id)


# --- session cards ---------------------------------------------------------------------------


async def send_session_card(session: AsyncSession, voting: VotingSession, now: datetime) -> None:
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    await outbox.post(
        session,
        voting.chat_id,
        views.session_card(t, voting, count, now),
        thread_id=voting.thread_id,
        markup=session_keyboard(t, voting.id),
        key=message_key(SESSION_CARD, voting.id),
        on_sent=SESSION_CARD_POSTED,
        owner_id=voting.id,
    )


async def refresh_session_card(session: AsyncSession, voting: VotingSession, now: datetime) -> None:
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    await _edit_card(
        session,
        voting,
        message_key(SESSION_CARD, voting.id),
        voting.card_message_id,
        views.session_card(t, voting, count, now),
        session_keyboard(t, voting.id),
        on_sent=SESSION_CARD_EDITED,
        owner_id=voting.id,
    )


async def finish_session_card(session: AsyncSession, voting: VotingSession) -> None:
    """The card without its Join / Skip buttons, once joining is over."""
    t = translator(voting)
    count = await service.participant_count(session, voting.id)
    await _edit_card(
        session,
        voting,
        message_key(SESSION_CARD, voting.id),
        voting.card_message_id,
        views.session_card_final(t, voting, count),
        None,
    )


async def announce_start(session: AsyncSession, voting: VotingSession) -> None:
    await finish_session_card(session, voting)
    people = await service.participants(session, voting.id)
    await post(session, voting, views.session_started(translator(voting), voting, people))


# --- proposal cards --------------------------------------------------------------------------


async def send_proposal_card(
    session: AsyncSession, voting: VotingSession, proposal: Proposal, now: datetime
) -> None:
    t = translator(voting)
    counts = await service.live_counts(session, proposal)
    await outbox.post(
        session,
        voting.chat_id,
        views.proposal_card(
            t, proposal, await author_name(session, proposal.author_id, t), counts, now
        ),
        thread_id=voting.thread_id,
        markup=proposal_keyboard(t, proposal.id),
        key=message_key(PROPOSAL_CARD, proposal.id),
        on_sent=PROPOSAL_CARD_POSTED,
        owner_id=proposal.id,
    )


async def refresh_proposal_card(
    session: AsyncSession, voting: VotingSession, proposal: Proposal, now: datetime
) -> None:
    t = translator(voting)
    counts = await service.live_counts(session, proposal)
    await _edit_card(
        session,
        voting,
        message_key(PROPOSAL_CARD, proposal.id),
        proposal.card_message_id,
        views.proposal_card(
            t, proposal, await author_name(session, proposal.author_id, t), counts, now
        ),
        proposal_keyboard(t, proposal.id),
        on_sent=PROPOSAL_CARD_EDITED,
        owner_id=proposal.id,
    )


async def announce_result(
    session: AsyncSession, voting: VotingSession, proposal: Proposal, counted: Tally
) -> None:
    """The card in its final state (no buttons) and the result post with the voters' names."""
    t = translator(voting)
    await _edit_card(
        session,
        voting,
        message_key(PROPOSAL_CARD, proposal.id),
        proposal.card_message_id,
        views.proposal_card_final(t, proposal, await author_name(session, proposal.author_id, t)),
        None,
    )
    await post(session, voting, views.result_post(t, proposal, counted))
