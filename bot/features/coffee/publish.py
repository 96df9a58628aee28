"""Random Coffee in the chat, through the outbox: the poll, its stop, the pairs, private notes.

Used by the jobs and the admin commands inside their transaction: what is posted is written
exactly when the change it shows commits.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.features.coffee import service, views
from bot.features.coffee.models import CoffeeRound
from bot.features.coffee.service import POLL_KEY, POLL_POSTED, Pairing, Person
from bot.i18n import Translator, get_translator, resolve_locale
from bot.outbox import sender as outbox
from bot.outbox.service import message_key


def personal_translator(settings: Settings, person: Person) -> Translator:
    return get_translator(
        resolve_locale(person.language, person.language_code, settings.default_locale)
    )


async def post_poll(session: AsyncSession, coffee: CoffeeRound) -> None:
    t = get_translator(coffee.locale)
    await outbox.poll(
        session,
        coffee.chat_id,
        views.poll_question(t),
        views.poll_options(t),
        thread_id=coffee.thread_id,
        key=message_key(POLL_KEY, coffee.id),
        on_sent=POLL_POSTED,
        owner_id=coffee.id,
    )


async def pair_and_announce(
    session: AsyncSession,
    settings: Settings,
    coffee: CoffeeRound,
    now: datetime,
    *,
    rng: random.Random | None = None,
) -> Pairing:
    """Stop the poll, pair the "yes" voters, announce the pairs in the topic and tell each
    member who started the bot their partner, with the partner's card."""
    pairing = await service.pair_round(
        session, coffee, now, avoid_weeks=settings.coffee_avoid_weeks, rng=rng
    )
    await outbox.stop_poll(
        session,
        coffee.chat_id,
        key=message_key(POLL_KEY, coffee.id),
        message_id=coffee.poll_message_id,
    )
    members = [user_id for group in pairing.groups for user_id in group]
    if pairing.alone is not None:
        members.append(pairing.alone)
    people = await service.people(session, members)
    t = get_translator(coffee.locale)
    await outbox.post(
        session,
        coffee.chat_id,
        views.announcement(t, pairing, people),
        thread_id=coffee.thread_id,
    )
    for group in pairing.groups:
        for user_id in group:
            person = people[user_id]
            if not person.reachable:
                continue
            partners = [people[other] for other in group if other != user_id]
            mine = personal_translator(settings, person)
            await outbox.post(session, user_id, views.partner_note(mine, partners))
    if pairing.alone is not None and people[pairing.alone].reachable:
        mine = personal_translator(settings, people[pairing.alone])
        await outbox.post(session, pairing.alone, mine("coffee-alone-note"))
    return pairing
