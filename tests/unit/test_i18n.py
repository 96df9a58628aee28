"""Catalogs: English and Russian define the same keys, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.features import FEATURES
from bot.i18n import Html, catalog_keys, get_translator, resolve_locale

BOT = Path(__file__).resolve().parents[2] / "bot"
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9-]*)["']""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in BOT.rglob("*.py"):
        keys |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return keys


def test_locales_define_the_same_keys() -> None:
    en, ru = catalog_keys("en"), catalog_keys("ru")
    assert en - ru == set(), "missing in ru"
    assert ru - en == set(), "missing in en"


def test_every_key_used_in_code_exists() -> None:
    keys = used_keys()
    assert len(keys) > 10  # the scan itself works
    assert keys - catalog_keys("en") == set()


def test_every_command_and_flow_has_texts() -> None:
    en = catalog_keys("en")
    for feature in FEATURES:
        for spec in feature.commands:
            assert spec.description_key in en, spec.name
        for group in feature.states:
            assert f"flow-{group.__name__}" in en, group.__name__


def test_arguments_are_escaped_unless_marked_html() -> None:
    t = get_translator("en")
    assert "&lt;b&gt;Eve &amp; Co&lt;/b&gt;" in t("start-greeting", name="<b>Eve & Co</b>")
    assert "<i>Eve</i>" in t("start-greeting", name=Html("<i>Eve</i>"))


def test_russian_text_and_fallback_for_unknown_locale() -> None:
    assert get_translator("ru")("cancel-nothing") == "Отменять нечего."
    assert get_translator("de")("cancel-nothing") == "There is nothing to cancel."


@pytest.mark.parametrize(
    ("chosen", "telegram", "default", "expected"),
    [
        ("ru", "en", "en", "ru"),
        (None, "ru-RU", "en", "ru"),
        (None, "de", "ru", "ru"),
        (None, None, "en", "en"),
        ("xx", "en-GB", "ru", "en"),
    ],
)
def test_locale_resolution(
    chosen: str | None, telegram: str | None, default: str, expected: str
) -> None:
    assert resolve_locale(chosen, telegram, default) == expected


def test_refusal_texts_exist_for_every_audience() -> None:
    from bot.telegram.commands import Who

    en = catalog_keys("en")
    for who in Who:
        if who is not Who.EVERYONE:
            assert f"only-for-{who.value.replace('_', '-')}" in en


def test_callback_data_prefixes_are_unique() -> None:
    """Two features with one prefix would route each other's buttons."""
    import importlib
    import pkgutil

    from aiogram.filters.callback_data import CallbackData

    import bot.features

    for module in pkgutil.walk_packages(bot.features.__path__, "bot.features."):
        importlib.import_module(module.name)
    seen: dict[str, str] = {}
    stack = list(CallbackData.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("bot."):
            continue
        prefix = cls.__prefix__
        assert prefix not in seen, f"{cls.__qualname__} and {seen[prefix]} share {prefix!r}"
        seen[prefix] = cls.__qualname__
    assert "cancel" in seen
