"""Intro cards: how a profile is rendered, and its publication in the community's intro topic."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.profile.models import Profile
from bot.features.profile.service import CARD_KEY, CARD_POSTED, Card, CardData
from bot.i18n import Html, Translator, get_translator
from bot.outbox import sender as outbox
from bot.outbox.service import message_key, withdraw
from bot.telegram.links import message_link, user_link
from bot.telegram.text import escape

log = logging.getLogger(__name__)


def card_text(t: Translator, card: CardData) -> str:
    """The intro card: the name linking to the user, @username if any, then the about text."""
    name = f"{card.first_name} {card.last_name}".strip() or str(card.user_id)
    header = str(user_link(card.user_id, name))
    if card.username:
        header += f" · @{escape(card.username)}"
    return t("profile-card", header=Html(header), about=card.about or t("profile-missing"))


def post_link(profile: Profile) -> str | None:
    if profile.published_chat_id is None or profile.published_message_id is None:
        return None
    return message_link(profile.published_chat_id, profile.published_message_id)


async def publish(session: AsyncSession, settings: Settings, profile: Profile) -> bool:
    """Queue the profile's card for the intro topic: an edit of the posted card, or a new post.

    Through the outbox: the card goes out at the group's pace, after this update commits, and a
    card that was deleted meanwhile is posted anew. Queued again before it went out, only the
    newest version is sent. False when there is no community chat (the profile is only saved).
    """
    chat_id = settings.community_chat_id
    if chat_id is None:
        return False
    text = card_text(get_translator(settings.default_locale), CardData.of(profile))
    posted_here = profile.published_chat_id == chat_id
    await outbox.edit(
        session,
        chat_id,
        text,
        key=message_key(CARD_KEY, profile.id),
        message_id=profile.published_message_id if posted_here else None,
        preview=profile.link_preview,
        send_if_gone=True,
        thread_id=settings.intro_topic_id,
        on_sent=CARD_POSTED,
        owner_id=profile.id,
    )
    return True


async def remove_card(session: AsyncSession, profile_id: int, card: Card | None) -> None:
    """Queue the deletion of a profile's published intro card (a card already gone is no
    error), and drop a post or an edit of it still waiting in the outbox."""
    await withdraw(session, message_key(CARD_KEY, profile_id))
    if card is not None:
        await outbox.delete(session, card.chat_id, [card.message_id], quiet=True)
