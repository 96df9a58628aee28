"""Intro cards: how a profile is rendered, and its publication in the community's intro topic."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import LinkPreviewOptions

from bot.config import Settings
from bot.features.profile.models import Profile
from bot.features.profile.service import CardData, set_published
from bot.i18n import Html, Translator, get_translator
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


async def publish(bot: Bot, settings: Settings, profile: Profile) -> bool:
    """Put the profile's card in the intro topic: edit the existing post, or send a new one.

    A new post is sent only when the old one is gone; the caller commits the stored id.
    Returns False when there is no community chat (the profile is only saved).
    """
    chat_id = settings.community_chat_id
    if chat_id is None:
        return False
    text = card_text(get_translator(settings.default_locale), CardData.of(profile))
    preview = LinkPreviewOptions(is_disabled=not profile.link_preview)
    if profile.published_message_id is not None and profile.published_chat_id == chat_id:
        try:
            await bot.edit_message_text(
                text=text,
                chat_id=chat_id,
                message_id=profile.published_message_id,
                link_preview_options=preview,
            )
            return True
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return True
            if "message to edit not found" not in exc.message:
                raise
            log.info("intro post of profile %s is gone: sending a new one", profile.id)
    sent = await bot.send_message(
        chat_id, text, message_thread_id=settings.intro_topic_id, link_preview_options=preview
    )
    set_published(profile, chat_id, sent.message_id)
    return True
