"""Paginated search results: the query kept in FSM data, one page counted, fetched and shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.telegram.keyboards import Page
from bot.telegram.prompts import ask

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Fetch(Protocol[T_co]):
    """A service's search: one page of matches of `query`, from `offset`."""

    def __call__(
        self, session: AsyncSession, query: str, *, offset: int = ..., limit: int = ...
    ) -> Awaitable[Sequence[T_co]]: ...


# The page's text and buttons from (t, query, matches on the page, the page, total matches).
Render = Callable[[Translator, str, Sequence[T], Page, int], tuple[str, InlineKeyboardMarkup]]


@dataclass(frozen=True)
class ResultsList(Generic[T]):
    """A searchable list of a feature: the state that browses it and where the query is kept."""

    step: State
    query_key: str
    size: int
    count: Callable[[AsyncSession, str], Awaitable[int]]
    fetch: Fetch[T]
    render: Render[T]

    async def show(
        self,
        event: Message | CallbackQuery,
        state: FSMContext,
        t: Translator,
        session: AsyncSession,
        query: str,
        page: int = 0,
        *,
        edit: bool = False,
    ) -> None:
        """Search and show one page of results as the flow's live prompt."""
        await state.set_state(self.step)
        await state.update_data({self.query_key: query})
        total = await self.count(session, query)
        current = Page.of(total, page, self.size)
        items = await self.fetch(session, query, offset=current.offset, limit=current.size)
        text, markup = self.render(t, query, items, current, total)
        await ask(event, state, text, markup, edit=edit)

    async def turn_page(
        self,
        callback: CallbackQuery,
        state: FSMContext,
        t: Translator,
        session: AsyncSession,
        page: int,
    ) -> None:
        """Prev / Next: the kept query, another page, in place; an alert when the query is gone."""
        query = (await state.get_data()).get(self.query_key)
        if not isinstance(query, str):
            await callback.answer(t("menu-expired"), show_alert=True)
            return
        await callback.answer()
        await self.show(callback, state, t, session, query, page, edit=True)
