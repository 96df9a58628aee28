"""Every declared button (guards.declare_button) is handled only behind the button check."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters.callback_data import CallbackQueryFilter

from bot.features import build_routers
from bot.features.voting.keyboards import JoinCb, SkipCb, VoteCb
from bot.telegram.guards import ButtonCheck, button_target


def handled(router: Router, chain: tuple[Router, ...] = ()) -> list[tuple[str, type, bool]]:
    """(router name, CallbackData class, checked) for every button handler under `router`."""
    chain = (*chain, router)
    checked = any(
        isinstance(middleware, ButtonCheck)
        for each in chain
        for middleware in each.callback_query.middleware
    )
    found = [
        (router.name, each.callback.callback_data, checked)
        for handler in router.callback_query.handlers
        for each in handler.filters or []
        if isinstance(each.callback, CallbackQueryFilter)
    ]
    for sub in router.sub_routers:
        found += handled(sub, chain)
    return found


def test_voting_buttons_are_declared() -> None:
    for factory in (JoinCb, SkipCb, VoteCb):
        assert button_target(factory) is not None, factory


def test_declared_buttons_are_handled_behind_the_check() -> None:
    found = [row for router in build_routers() for row in handled(router)]
    declared = [row for row in found if button_target(row[1]) is not None]
    assert {row[1] for row in declared} >= {JoinCb, SkipCb, VoteCb}
    unchecked = [(name, factory.__name__) for name, factory, checked in declared if not checked]
    assert unchecked == [], "declared buttons on a router without guard()"
