"""Buttons of /profile, the profile search and the admins' profile manager."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.features.profile.models import Profile
from bot.i18n import Translator
from bot.telegram.keyboards import Page, button, keyboard, pager_row

SEARCH_LIST = "pf"
ADMIN_LIST = "pfa"
FIELD_LABELS = {
    "first_name": "profile-field-first-name",
    "last_name": "profile-field-last-name",
    "username": "profile-field-username",
    "about": "profile-field-about",
}


class PfEditCb(CallbackData, prefix="pf-edit"):
    field: str


class PfSearchCb(CallbackData, prefix="pf-search"):
    pass


class PfOpenCb(CallbackData, prefix="pf-open"):
    profile_id: int


class PfAdmOpenCb(CallbackData, prefix="pf-a-open"):
    profile_id: int


class PfAdmFieldCb(CallbackData, prefix="pf-a-field"):
    profile_id: int
    field: str


class PfAdmPublishCb(CallbackData, prefix="pf-a-pub"):
    profile_id: int
    preview: int  # 1: with a link preview


class PfAdmRestartCb(CallbackData, prefix="pf-a-again"):
    pass


def own_card_keyboard(t: Translator) -> InlineKeyboardMarkup:
    edit = [
        button(t("profile-btn-edit", field=t(FIELD_LABELS[field])), PfEditCb(field=field))
        for field in ("first_name", "last_name", "about")
    ]
    return keyboard([edit[:2], edit[2:], [button(t("profile-btn-search"), PfSearchCb())]])


def _label(profile: Profile) -> str:
    name = profile.full_name or str(profile.user_id)
    return f"{name} (@{profile.username})" if profile.username else name


def results_rows(
    t: Translator,
    profiles: Sequence[Profile],
    page: Page,
    *,
    list_id: str,
    admin: bool = False,
) -> list[list[InlineKeyboardButton]]:
    rows = [
        [
            button(
                _label(profile),
                PfAdmOpenCb(profile_id=profile.id) if admin else PfOpenCb(profile_id=profile.id),
            )
        ]
        for profile in profiles
    ]
    rows.append(pager_row(t, list_id, page.number, page.pages))
    return rows


def search_keyboard(t: Translator, profiles: Sequence[Profile], page: Page) -> InlineKeyboardMarkup:
    return keyboard(results_rows(t, profiles, page, list_id=SEARCH_LIST), t=t)


def admin_card_keyboard(t: Translator, profile: Profile) -> InlineKeyboardMarkup:
    fields = [
        button(
            t("profile-btn-edit", field=t(label)), PfAdmFieldCb(profile_id=profile.id, field=field)
        )
        for field, label in FIELD_LABELS.items()
    ]
    publish = [
        button(t("profile-btn-publish"), PfAdmPublishCb(profile_id=profile.id, preview=0)),
        button(t("profile-btn-publish-preview"), PfAdmPublishCb(profile_id=profile.id, preview=1)),
    ]
    rows = [
        fields[:2],
        fields[2:],
        publish,
        [button(t("profile-btn-start-over"), PfAdmRestartCb())],
    ]
    return keyboard(rows, t=t)


def value_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(t=t, back=True)
