"""Buttons of the voting cards: Join / Skip on a session card, Yes / No on a proposal card.

Each is declared with the chat of the session it names (bot.telegram.guards.declare_button):
a press in another group is refused before a handler runs.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.voting.models import Proposal, VotingSession
from bot.i18n import Translator
from bot.telegram.guards import declare_button
from bot.telegram.keyboards import button, keyboard


class JoinCb(CallbackData, prefix="vtj"):
    session_id: int


class SkipCb(CallbackData, prefix="vts"):
    session_id: int


class VoteCb(CallbackData, prefix="vtv"):
    proposal_id: int
    choice: str  # "yes" or "no"


async def session_chat(session: AsyncSession, data: JoinCb | SkipCb) -> int | None:
    """The chat of the voting session a Join / Skip button names."""
    stmt = select(VotingSession.chat_id).where(VotingSession.id == data.session_id)
    chat_id: int | None = await session.scalar(stmt)
    return chat_id


async def proposal_chat(session: AsyncSession, data: VoteCb) -> int | None:
    """The chat of the session of the proposal a Yes / No button names."""
    stmt = (
        select(VotingSession.chat_id)
        .join(Proposal, Proposal.session_id == VotingSession.id)
        .where(Proposal.id == data.proposal_id)
    )
    chat_id: int | None = await session.scalar(stmt)
    return chat_id


declare_button(JoinCb, chat_of=session_chat)
declare_button(SkipCb, chat_of=session_chat)
declare_button(VoteCb, chat_of=proposal_chat)


def session_keyboard(t: Translator, session_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("voting-btn-join"), JoinCb(session_id=session_id)),
                button(t("voting-btn-skip"), SkipCb(session_id=session_id)),
            ]
        ]
    )


def proposal_keyboard(t: Translator, proposal_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("voting-btn-yes"), VoteCb(proposal_id=proposal_id, choice="yes")),
                button(t("voting-btn-no"), VoteCb(proposal_id=proposal_id, choice="no")),
            ]
        ]
    )
