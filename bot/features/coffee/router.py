"""Random Coffee handlers: answers in the weekly poll, and the admins' commands (private chat)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, PollAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.coffee import publish, service
from bot.features.coffee.models import OPEN
from bot.features.coffee.service import Schedule
from bot.features.core.service import UserInfo
from bot.features.profile.service import find_user_id
from bot.i18n import Translator
from bot.refusals import Refused
from bot.telegram.access import Access
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.guards import guard

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

COMMANDS = (
    CommandSpec("coffee_now", Where.PRIVATE, Who.ADMIN),
    CommandSpec("coffee_pair", Where.PRIVATE, Who.ADMIN),
    CommandSpec("coffee_exclude", Where.PRIVATE, Who.ADMIN),
    CommandSpec("coffee_include", Where.PRIVATE, Who.ADMIN),
)


# --- answers in the poll ---------------------------------------------------------------------


async def on_poll_answer(
    poll_answer: PollAnswer,
    bot: Bot,
    session: AsyncSession,
    access: Access,
    user: UserInfo | None,
    t: Translator,
) -> None:
    """A vote, a changed vote or a withdrawn one (no options) in a round's poll."""
    voter = poll_answer.user
    if voter is None or voter.is_bot:
        return  # an anonymous voter (a channel) or a bot: nobody to pair
    coffee = await service.round_by_poll(session, poll_answer.poll_id)
    if coffee is None or coffee.status != OPEN:
        return  # not ours, or answered after the pairing
    if await service.is_excluded(session, voter.id):
        refusal = "coffee-excluded-note"
    elif not await access.is_member(voter.id):
        refusal = "coffee-members-only-note"
    else:
        await service.record_answer(session, coffee, voter.id, poll_answer.option_ids)
        return
    if poll_answer.option_ids and user is not None and not user.is_blocked:
        await _note(bot, voter.id, t(refusal))


async def _note(bot: Bot, user_id: int, text: str) -> None:
    """A private note, if the bot can write to them (they started it and did not block it)."""
    try:
        await bot.send_message(user_id, text)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.info("coffee: no note to %s: %s", user_id, exc)


# --- admins ----------------------------------------------------------------------------------


def _schedule(settings: Settings) -> Schedule:
    schedule = Schedule.of(settings)
    if schedule is None:
        raise Refused("coffee-off")
    return schedule


def _community(settings: Settings) -> int:
    assert settings.community_chat_id is not None  # Schedule.of requires it
    return settings.community_chat_id


async def cmd_coffee_now(
    message: Message, session: AsyncSession, settings: Settings, t: Translator, clock: Clock
) -> None:
    schedule = _schedule(settings)
    coffee = await service.open_now(
        session,
        chat_id=_community(settings),
        thread_id=settings.coffee_topic_id,
        week=schedule.now(clock()),
        locale=settings.default_locale,
    )
    await publish.post_poll(session, coffee)
    await message.answer(
        t(
            "coffee-opened",
            pairs_at=service.format_local(coffee.pairs_at, schedule.tz),
            zone=settings.community_timezone,
        )
    )


async def cmd_coffee_pair(
    message: Message, session: AsyncSession, settings: Settings, t: Translator, clock: Clock
) -> None:
    _schedule(settings)
    coffee = await service.open_round(session, _community(settings), lock=True)
    if coffee is None:
        raise Refused("coffee-none-open")
    pairing = await publish.pair_and_announce(session, settings, coffee, clock())
    if pairing.groups:
        text = t("coffee-paired", people=pairing.voters, groups=len(pairing.groups))
    else:
        text = t("coffee-paired-none", people=pairing.voters)
    await message.answer(text)


async def _who(command: CommandObject, session: AsyncSession) -> tuple[int, str] | None:
    """The member an admin named (@username or Telegram id) and their name; None: nobody named."""
    text = (command.args or "").strip()
    if not text:
        return None
    found = await find_user_id(session, text)
    if found is None or found <= 0:
        raise Refused("coffee-unknown-user", who=text)
    return found, (await service.people(session, [found]))[found].name


async def cmd_coffee_exclude(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    user: UserInfo | None,
    t: Translator,
) -> None:
    _schedule(settings)
    named = await _who(command, session)
    if named is None:
        excluded = await service.excluded_ids(session)
        names = await service.people(session, excluded)
        listed = ", ".join(f"{names[i].name} ({i})" for i in excluded)
        await message.answer(
            t("coffee-usage-exclude", excluded=listed or t("coffee-nobody-excluded"))
        )
        return
    if user is None:
        return
    who, name = named
    if not await service.exclude(session, who, by=user.id):
        raise Refused("coffee-already-excluded", name=name)
    await message.answer(t("coffee-excluded", name=name))


async def cmd_coffee_include(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
) -> None:
    _schedule(settings)
    named = await _who(command, session)
    if named is None:
        await message.answer(t("coffee-usage-include"))
        return
    who, name = named
    if not await service.include(session, who):
        raise Refused("coffee-not-excluded", name=name)
    await message.answer(t("coffee-included", name=name))


def build_router() -> Router:
    router = Router(name=__name__)
    router.poll_answer.register(on_poll_answer)
    admin = guard(Router(name=f"{__name__}.admin"), where=Where.PRIVATE, who=Who.ADMIN)
    admin.message.register(cmd_coffee_now, Command("coffee_now"))
    admin.message.register(cmd_coffee_pair, Command("coffee_pair"))
    admin.message.register(cmd_coffee_exclude, Command("coffee_exclude"))
    admin.message.register(cmd_coffee_include, Command("coffee_include"))
    router.include_router(admin)
    return router
