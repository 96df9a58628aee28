"""Shared buttons: Cancel, Back, confirmation cards and pagination, built the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator


class CancelCb(CallbackData, prefix="cancel"):
    """The Cancel button of every prompt: does what /cancel does."""


class BackCb(CallbackData, prefix="back"):
    """The Back button: the flow's router decides what the previous step is."""


class PageCb(CallbackData, prefix="page"):
    """Prev / Next of a paginated list: `list_id` names the list, `page` is 0-based."""

    list_id: str
    page: int


def button(text: str, callback: CallbackData | str) -> InlineKeyboardButton:
    data = callback if isinstance(callback, str) else callback.pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, url=url)


def nav_row(t: Translator, *, back: bool = False) -> list[InlineKeyboardButton]:
    row = [button(t("btn-back"), BackCb())] if back else []
    row.append(button(t("btn-cancel"), CancelCb()))
    return row


def keyboard(
    rows: Sequence[Sequence[InlineKeyboardButton]] = (),
    *,
    t: Translator | None = None,
    back: bool = False,
    cancel: bool = True,
) -> InlineKeyboardMarkup:
    """Rows of buttons, ending with [Back] [Cancel] when `t` is given (prompts of a flow)."""
    all_rows = [list(row) for row in rows if row]
    if t is not None and cancel:
        all_rows.append(nav_row(t, back=back))
    return InlineKeyboardMarkup(inline_keyboard=all_rows)


def choice_rows(
    options: Sequence[tuple[str, CallbackData]], *, per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    for index in range(0, len(options), per_row):
        rows.append([button(text, cb) for text, cb in options[index : index + per_row]])
    return rows


def confirm_rows(
    t: Translator, confirm: CallbackData, edit: CallbackData | None = None
) -> list[list[InlineKeyboardButton]]:
    """[Confirm] [Edit] of a confirmation card; add Back/Cancel with `keyboard(rows, t=t)`."""
    row = [button(t("btn-confirm"), confirm)]
    if edit is not None:
        row.append(button(t("btn-edit"), edit))
    return [row]


@dataclass(frozen=True)
class Page:
    """One page of a list: which items to show and how many pages there are."""

    number: int  # 0-based, clamped to the existing pages
    pages: int
    offset: int
    size: int

    @classmethod
    def of(cls, total: int, number: int, size: int = 5) -> Page:
        pages = max(1, -(-total // size))
        number = min(max(number, 0), pages - 1)
        return cls(number=number, pages=pages, offset=number * size, size=size)


def pager_row(t: Translator, list_id: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    """[◀ Prev] [2/5] [Next ▶]; empty when everything fits on one page."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(t("btn-prev"), PageCb(list_id=list_id, page=page - 1)))
    row.append(button(f"{page + 1}/{pages}", PageCb(list_id=list_id, page=page)))
    if page < pages - 1:
        row.append(button(t("btn-next"), PageCb(list_id=list_id, page=page + 1)))
    return row
