"""Buttons of /profile and of the admins' profile manager (pickers and forms make the rest)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.features.profile.models import Profile
from bot.i18n import Translator
from bot.telegram.keyboards import button, keyboard

SEARCH_LIST = "pf"  # the member search (pick / page callback data)
ADMIN_LIST = "pfa"  # the manager's search results
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


class PfAdmPublishCb(CallbackData, prefix="pf-a-pub"):
    preview: int  # 1: with a link preview


class PfAdmRestartCb(CallbackData, prefix="pf-a-again"):
    pass


class PfAdmRemoveCb(CallbackData, prefix="pf-a-rm"):
    step: int  # 0 ask (on the card), 1 remove, 2 back to the card


def own_card_keyboard(t: Translator) -> InlineKeyboardMarkup:
    edit = [
        button(t("profile-btn-edit", field=t(FIELD_LABELS[field])), PfEditCb(field=field))
        for field in ("first_name", "last_name", "about")
    ]
    return keyboard([edit[:2], edit[2:], [button(t("profile-btn-search"), PfSearchCb())]])


def result_label(profile: Profile) -> str:
    """A search result's button: the name, and the @username if any."""
    name = profile.full_name or str(profile.user_id)
    return f"{name} (@{profile.username})" if profile.username else name


def admin_card_rows(t: Translator) -> list[list[InlineKeyboardButton]]:
    """Under the fields of the manager's card: Publish (with or without a preview), Start over."""
    return [
        [
            button(t("profile-btn-publish"), PfAdmPublishCb(preview=0)),
            button(t("profile-btn-publish-preview"), PfAdmPublishCb(preview=1)),
        ],
        [button(t("profile-btn-remove"), PfAdmRemoveCb(step=0))],
        [button(t("profile-btn-start-over"), PfAdmRestartCb())],
    ]


def remove_keyboard(t: Translator) -> InlineKeyboardMarkup:
    """The question of Remove profile: Remove, Back to the card (and the flow's Cancel)."""
    rows = [
        [button(t("profile-btn-remove-confirm"), PfAdmRemoveCb(step=1))],
        [button(t("btn-back"), PfAdmRemoveCb(step=2))],
    ]
    return keyboard(rows, t=t)
