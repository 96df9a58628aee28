"""Random Coffee texts: the poll, the announcement of the pairs, the notes to each member."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.coffee.service import Pairing, Person
from bot.features.profile.cards import card_text
from bot.features.profile.service import CardData
from bot.i18n import Html, Translator
from bot.telegram.links import user_link
from bot.telegram.text import escape


def poll_question(t: Translator) -> str:
    """HTML (the poll's question is parsed like every text the bot sends)."""
    return escape(t("coffee-poll-question"))


def poll_options(t: Translator) -> list[str]:
    """In the order of service.YES_OPTION, service.NO_OPTION."""
    return [escape(t("coffee-poll-yes")), escape(t("coffee-poll-no"))]


def mention(person: Person) -> Html:
    return user_link(person.user_id, person.name)


def announcement(t: Translator, pairing: Pairing, people: Mapping[int, Person]) -> str:
    if pairing.alone is not None:
        return t("coffee-alone", name=mention(people[pairing.alone]))
    if not pairing.groups:
        return t("coffee-nobody")
    lines = [
        f"{number}. " + " × ".join(mention(people[user_id]) for user_id in group)
        for number, group in enumerate(pairing.groups, start=1)
    ]
    return t("coffee-pairs", pairs=Html("\n".join(lines)), count=len(pairing.groups))


def card(t: Translator, person: Person) -> str:
    """The partner's profile card; without a profile, their name and @username."""
    profile = person.profile
    if profile is not None and (profile.full_name or profile.about):
        return card_text(t, CardData.of(profile))
    header = str(mention(person))
    if person.username:
        header += f" · @{escape(person.username)}"
    return header


def partner_note(t: Translator, partners: Sequence[Person]) -> str:
    cards = Html("\n\n".join(card(t, partner) for partner in partners))
    key = "coffee-your-partner" if len(partners) == 1 else "coffee-your-partners"
    return t(key, cards=cards)
