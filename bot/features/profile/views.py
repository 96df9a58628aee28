"""Screens shared by the intro and profile routers: cards with field states, search results."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.features.profile import service
from bot.features.profile.cards import card_text, post_link
from bot.features.profile.keyboards import FIELD_LABELS, search_keyboard
from bot.features.profile.models import Profile
from bot.features.profile.service import CardData
from bot.features.profile.states import ProfileSearch
from bot.i18n import Translator
from bot.telegram.keyboards import Page, keyboard
from bot.telegram.prompts import ask
from bot.telegram.results import ResultsList

QUERY = "pf_query"
# A prompt that quotes a current value keeps it short enough for one message.
QUOTE_LIMIT = 3000


def quote(value: str) -> str:
    return value if len(value) <= QUOTE_LIMIT else value[:QUOTE_LIMIT] + "…"


def field_lines(t: Translator, profile: Profile, fields: tuple[str, ...]) -> list[str]:
    lines = []
    for field in fields:
        filled = bool(getattr(profile, field))
        status = t("profile-filled") if filled else t("profile-missing")
        lines.append(t("profile-field-line", field=t(FIELD_LABELS[field]), status=status))
    return lines


def profile_screen(t: Translator, profile: Profile, *, admin: bool = False) -> str:
    """The card, the state of each field and the link to the published intro post."""
    fields = service.ADMIN_FIELDS if admin else service.FIELDS
    parts = [card_text(t, CardData.of(profile)), "", *field_lines(t, profile, fields)]
    link = post_link(profile)
    if link:
        parts.append(t("profile-post-link", url=link))
    else:
        parts.append(t("profile-not-published"))
    return "\n".join(parts)


async def ask_query(event: Message | CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(ProfileSearch.waiting_for_query)
    await ask(event, state, t("profile-search-ask"), keyboard(t=t))


def render_search(
    t: Translator, query: str, profiles: Sequence[Profile], page: Page, total: int
) -> tuple[str, InlineKeyboardMarkup]:
    if not profiles:
        text = t("profile-search-none", query=query)
    else:
        text = t("profile-search-found", query=query, total=total)
    return text, search_keyboard(t, profiles, page)


# The member search; the flow keeps waiting for a new query.
SEARCH_RESULTS = ResultsList(
    step=ProfileSearch.waiting_for_query,
    query_key=QUERY,
    size=service.PAGE_SIZE,
    count=service.count_matches,
    fetch=service.search,
    render=render_search,
)
