"""Screens shared by the intro and profile routers: cards with field states, the search list."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.features.profile import service
from bot.features.profile.cards import card_text, post_link
from bot.features.profile.keyboards import FIELD_LABELS, SEARCH_LIST, result_label
from bot.features.profile.models import Profile
from bot.features.profile.service import CardData
from bot.features.profile.states import ProfileSearch
from bot.i18n import Translator
from bot.telegram.flows import Ctx
from bot.telegram.keyboards import keyboard
from bot.telegram.pickers import Listed, Picker
from bot.telegram.prompts import ask

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


def value_prompt(t: Translator, profile: Profile, field: str) -> str:
    """Asking for a new value of a profile's field, with its current value."""
    current = getattr(profile, field) or ""
    text = t("profile-ask-value", field=t(FIELD_LABELS[field]))
    if current:
        return text + "\n\n" + t("profile-current", value=quote(current))
    return text + "\n\n" + t("profile-current-missing")


async def ask_query(event: Message | CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.set_state(ProfileSearch.waiting_for_query)
    await ask(event, state, t("profile-search-ask"), keyboard(t=t))


def matched_lines(ctx: Ctx, listed: Listed[Profile]) -> str:
    """Under a results title: each profile of the page with the words of the query it matched."""
    lines = []
    for profile in listed.items:
        words = service.matched_terms(listed.query, profile)
        if words:
            name = result_label(profile)
            lines.append(ctx.t("profile-search-matched", name=name, words=", ".join(words)))
    return "\n\n" + "\n".join(lines) if lines else ""


def search_title(ctx: Ctx, listed: Listed[Profile]) -> str:
    key = "profile-search-found" if listed.items else "profile-search-none"
    return ctx.t(key, query=listed.query, total=listed.total) + matched_lines(ctx, listed)


async def find_profile(ctx: Ctx, profile_id: int) -> Profile | None:
    return await service.get_profile(ctx.session, profile_id)


async def show_found(ctx: Ctx, profile: Profile) -> None:
    """A picked search result: its card, under the list (which stays, for the next one)."""
    await ctx.ack()
    await ctx.say(card_text(ctx.t, CardData.of(profile)))


# The member search (/profile → Find people, /intro words); a new query typed searches again.
SEARCH: Picker[Profile] = Picker(
    list_id=SEARCH_LIST,
    state=ProfileSearch.waiting_for_query,
    count=service.count_matches,
    fetch=service.search,
    title=search_title,
    label=lambda _ctx, profile: result_label(profile),
    find=find_profile,
    on_pick=show_found,
    gone="profile-gone",
    size=service.PAGE_SIZE,
    query_key=QUERY,
    command="profile",
)
