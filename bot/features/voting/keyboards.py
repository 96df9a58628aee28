"""Buttons of the voting cards: Join / Skip on a session card, Yes / No on a proposal card.

Each is declared with the object it names (bot.telegram.guards.declare_button): a press in
another group, or on a session or proposal that is gone or closed, is refused before a handler
runs.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.voting.models import JOINING, OPEN, Proposal, VotingSession
from bot.features.voting.service import CHOICES
from bot.i18n import Translator
from bot.telegram.guards import Target, declare_button
from bot.telegram.keyboards import button, keyboard


class JoinCb(CallbackData, prefix="vtj"):
    session_id: int


class SkipCb(CallbackData, prefix="vts"):
    session_id: int


class VoteCb(CallbackData, prefix="vtv"):
    proposal_id: int
    choice: str  # "yes" or "no"


async def session_target(
    session: AsyncSession, data: JoinCb | SkipCb, now: datetime
) -> Target | None:
    """The voting session a Join / Skip button names: open while members may join."""
    stmt = select(VotingSession.chat_id, VotingSession.status, VotingSession.join_closes_at)
    row = (await session.execute(stmt.where(VotingSession.id == data.session_id))).first()
    if row is None:
        return None
    return Target(row.chat_id, open=row.status == JOINING and now < row.join_closes_at)


async def proposal_target(session: AsyncSession, data: VoteCb, now: datetime) -> Target | None:
    """The proposal a Yes / No button names: open until it closes."""
    stmt = (
        select(VotingSession.chat_id, Proposal.status, Proposal.closes_at)
        .join(Proposal, Proposal.session_id == VotingSession.id)
        .where(Proposal.id == data.proposal_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    is_open = row.status == OPEN and now < row.closes_at and data.choice in CHOICES
    return Target(row.chat_id, open=is_open)


declare_button(JoinCb, target=session_target)
declare_button(SkipCb, target=session_target)
declare_button(VoteCb, target=proposal_target)


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
