"""Pickers: choose an item from a paginated list, then act on it.

A `Picker` declares what it lists (a count and a page of a service's query, optionally for a
typed search query), how an item is labelled, found again and acted on. It shows one page as
the flow's live prompt ([item] rows, [◀ Prev] [2/5] [Next ▶], Cancel), turns pages in place,
re-finds a picked item (gone: one alert) and takes the user back to the same page from the next
step (`back`); a list that became empty ends the flow, saying so. A command opens it only when
there is something to list: otherwise it says so and the flow the user was in goes on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.refusals import STALE
from bot.telegram.flows import Ctx, declare_flow
from bot.telegram.keyboards import Page, PageCb, button, keyboard, pager_row
from bot.telegram.prompts import LivePrompt, ask, finish_flow, start_flow

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

PAGE = "_page"  # FSM data: the page of the flow's list the user is on


class PickCb(CallbackData, prefix="pick"):
    """An item of a picker's list: `list` names the picker, `item` is the item's id."""

    list: str
    item: int


class Count(Protocol):
    """A service's count of what a list shows (for a search: of the matches of `query`)."""

    def __call__(self, session: AsyncSession, query: str) -> Awaitable[int]: ...


class Fetch(Protocol[T_co]):
    """A service's page of what a list shows, from `offset`."""

    def __call__(
        self, session: AsyncSession, query: str, *, offset: int = ..., limit: int = ...
    ) -> Awaitable[Sequence[T_co]]: ...


@dataclass(frozen=True)
class Listed(Generic[T]):
    """One page of a list as it is shown."""

    query: str
    items: Sequence[T]
    page: Page
    total: int


class Picker(Generic[T]):
    """A declared list to pick from (see the module docstring); `register` adds its handlers.

    Callback data: `pick:<list_id>:<item id>` and `page:<list_id>:<page>`.
    """

    def __init__(
        self,
        *,
        list_id: str,
        state: State,
        count: Count,
        fetch: Fetch[T],
        title: Callable[[Ctx, Listed[T]], str],
        label: Callable[[Ctx, T], str] | None = None,
        item_id: Callable[[T], int] | None = None,
        find: Callable[[Ctx, int], Awaitable[T | None]] | None = None,
        on_pick: Callable[[Ctx, T], Awaitable[None]] | None = None,
        empty: str | None = None,
        gone: str = STALE,
        rows: Callable[[Ctx, Listed[T]], Sequence[Sequence[InlineKeyboardButton]]] | None = None,
        size: int = 10,
        query_key: str | None = None,
        command: str | None = None,
    ) -> None:
        """
        list_id: names the list in callback data (short).
        state: the flow's state while the list is shown.
        title: the text above the list; label: an item's button (None: no item buttons, the
            title shows the items); item_id, find, on_pick: an item's id, the item found again
            by it (None: gone, the press gets the alert `gone`), and what picking it does.
        empty: catalog key said instead of an empty list (a search shows its empty page).
        rows: more buttons under the pager; size: items per page.
        query_key: FSM data key of the search query (a list of a typed search).
        command: the command that enters the flow (flows.declare_flow).
        """
        self.list_id, self.state = list_id, state
        self.count, self.fetch = count, fetch
        self.title, self.label = title, label
        self.item_id: Callable[[T], int] = item_id or (lambda item: int(item.id))  # type: ignore[attr-defined]
        self.find, self.on_pick = find, on_pick
        self.empty, self.gone = empty, gone
        self.rows, self.size, self.query_key = rows, size, query_key
        if command is not None:
            declare_flow(state.group, command)

    @property
    def buttons(self) -> list[Any]:
        """Filters of its own buttons (for flows.expire_stale, last in the router)."""
        return [
            PageCb.filter(F.list_id == self.list_id),
            PickCb.filter(F.list == self.list_id),
        ]

    async def open(self, ctx: Ctx, query: str = "") -> None:
        """Enter the list from a command: when it is empty, only say so."""
        total = await self.count(ctx.session, query)
        if total == 0 and self.empty is not None:
            await ctx.say(ctx.t(self.empty))
            return
        await start_flow(ctx.event, ctx.state, self.state, t=ctx.t)
        ctx.values = await ctx.state.get_data()
        await self.show(ctx, query, total=total)

    async def on_command(
        self, message: Message, state: FSMContext, t: Translator, **data: Any
    ) -> None:
        """A command that begins with this list (register it with the command's filter)."""
        await self.open(await Ctx.of(message, state, t, data))

    async def show(
        self, ctx: Ctx, query: str = "", page: int = 0, *, total: int | None = None
    ) -> None:
        """One page of the list as the flow's live prompt (in place after a press on it)."""
        await ctx.state.set_state(self.state)
        if total is None:
            total = await self.count(ctx.session, query)
        current = Page.of(total, page, self.size)
        items = await self.fetch(ctx.session, query, offset=current.offset, limit=current.size)
        listed = Listed(query, items, current, total)
        kept: dict[str, Any] = {PAGE: current.number}
        if self.query_key is not None:
            kept[self.query_key] = query
        await ctx.update(**kept)
        rows: list[list[InlineKeyboardButton]] = []
        if self.label is not None:
            label = self.label
            rows += [
                [button(label(ctx, item), PickCb(list=self.list_id, item=self.item_id(item)))]
                for item in items
            ]
        rows.append(pager_row(ctx.t, self.list_id, current.number, current.pages))
        if self.rows is not None:
            rows += [list(row) for row in self.rows(ctx, listed)]
        markup = keyboard(rows, t=ctx.t)
        await ctx.ack()
        edit = isinstance(ctx.event, CallbackQuery)
        await ask(ctx.event, ctx.state, self.title(ctx, listed), markup, edit=edit)

    async def back(self, ctx: Ctx) -> None:
        """Back to the list, on the page the user left it; an emptied list ends the flow."""
        query = self._query(ctx.values) or ""
        page = ctx.values.get(PAGE)
        total = await self.count(ctx.session, query)
        if self.empty is not None and total == 0:
            await finish_flow(ctx.event.bot, ctx.chat_id, ctx.state)
            if isinstance(ctx.event, CallbackQuery):
                await ctx.ack(ctx.t(self.empty), alert=True)
            else:
                await ctx.say(ctx.t(self.empty))
            return
        await self.show(ctx, query, page if isinstance(page, int) else 0, total=total)

    def _query(self, values: dict[str, Any]) -> str | None:
        if self.query_key is None:
            return ""
        query = values.get(self.query_key)
        return query if isinstance(query, str) else None

    # --- handlers ------------------------------------------------------------------------------

    async def _on_page(
        self,
        callback: CallbackQuery,
        callback_data: PageCb,
        state: FSMContext,
        t: Translator,
        **data: Any,
    ) -> None:
        ctx = await Ctx.of(callback, state, t, data)
        query = self._query(ctx.values)
        if query is None:
            await ctx.expire()
            return
        await self.show(ctx, query, callback_data.page)

    async def _on_pick(
        self,
        callback: CallbackQuery,
        callback_data: PickCb,
        state: FSMContext,
        t: Translator,
        **data: Any,
    ) -> None:
        ctx = await Ctx.of(callback, state, t, data)
        assert self.find is not None
        assert self.on_pick is not None
        item = await self.find(ctx, callback_data.item)
        if item is None:
            await ctx.ack(t(self.gone), alert=True)
            return
        await self.on_pick(ctx, item)
        await ctx.ack()

    def register(self, router: Router) -> None:
        """Add the list's handlers to `router` (then, last, flows.expire_stale(picker.buttons))."""
        cb = router.callback_query
        cb.register(
            self._on_page, self.state, LivePrompt(), PageCb.filter(F.list_id == self.list_id)
        )
        if self.on_pick is not None:
            cb.register(
                self._on_pick, self.state, LivePrompt(), PickCb.filter(F.list == self.list_id)
            )


def title_key(key: str) -> Callable[[Ctx, Listed[Any]], str]:
    """A list's title that is one catalog text."""
    return lambda ctx, _listed: ctx.t(key)
