"""Command menus (per chat scope and language) and the bot's description, set at start-up."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)

from bot.i18n import SUPPORTED_LOCALES, get_translator
from bot.telegram.access import Access
from bot.telegram.commands import CommandRegistry, CommandSpec, Where

log = logging.getLogger(__name__)


def _commands(specs: list[CommandSpec], locale: str) -> list[BotCommand]:
    t = get_translator(locale)
    return [BotCommand(command=s.name, description=t(s.description_key)[:256]) for s in specs]


async def publish_menus(bot: Bot, registry: CommandRegistry, access: Access) -> None:
    scopes: list[
        tuple[
            BotCommandScopeAllPrivateChats | BotCommandScopeAllGroupChats | BotCommandScopeChat,
            list[CommandSpec],
        ]
    ] = [
        (BotCommandScopeAllPrivateChats(), registry.menu(Where.PRIVATE, admin=False)),
        (BotCommandScopeAllGroupChats(), registry.menu(Where.GROUP, admin=False)),
    ]
    admins = set(access.admin_ids)
    if access.community_chat_id is not None:
        admins |= await access.chat_admins(access.community_chat_id)
    admin_menu = registry.menu(Where.PRIVATE, admin=True)
    scopes += [(BotCommandScopeChat(chat_id=admin_id), admin_menu) for admin_id in sorted(admins)]
    for scope, specs in scopes:
        for locale in SUPPORTED_LOCALES:
            # The default language has no language_code: it is what every other client sees.
            code = None if locale == SUPPORTED_LOCALES[0] else locale
            # An admin who never opened a chat with the bot has no chat to set a menu for.
            with contextlib.suppress(TelegramAPIError):
                await bot.set_my_commands(_commands(specs, locale), scope=scope, language_code=code)
    log.info("command menus published for %d admins", len(admins))


async def publish_descriptions(bot: Bot) -> None:
    """What a first-time user sees before pressing Start, in each language of the catalogs."""
    for locale in SUPPORTED_LOCALES:
        t = get_translator(locale)
        code = None if locale == SUPPORTED_LOCALES[0] else locale
        # Cosmetic: a refusal (e.g. flood control at start-up) must not stop the bot.
        with contextlib.suppress(TelegramAPIError):
            await bot.set_my_description(t("bot-description")[:512], language_code=code)
            await bot.set_my_short_description(t("bot-short-description")[:120], language_code=code)
