"""Translations: Fluent catalogs in bot/locales/<locale>/*.ftl, one Translator per locale.

String arguments are HTML-escaped by the Translator (parse mode is HTML everywhere), so user
text can never inject markup; wrap already-rendered HTML in `Html` to pass it through.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "ru")
FALLBACK_LOCALE = "en"


class Html(str):
    """A string that is already safe HTML: the Translator does not escape it."""

    __slots__ = ()


def _prepare(value: Any) -> Any:
    if isinstance(value, Html):
        return str(value)
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    return html.escape(str(value), quote=False)


@dataclass
class Translator:
    locale: str
    bundle: FluentBundle
    fallback: Translator | None = None
    _missing: set[str] = field(default_factory=set)

    def __call__(self, key: str, /, **args: Any) -> str:
        message = self.bundle.get_message(key) if self.bundle.has_message(key) else None
        if message is None or message.value is None:
            if self.fallback is not None:
                return self.fallback(key, **args)
            if key not in self._missing:
                self._missing.add(key)
                log.error("missing translation %r", key)
            return key
        text, errors = self.bundle.format_pattern(
            message.value, {name: _prepare(value) for name, value in args.items()}
        )
        if errors:
            log.error("translation %r (%s) failed: %s", key, self.locale, errors)
        return str(text)

    def has(self, key: str) -> bool:
        return bool(self.bundle.has_message(key))


def _read_catalog(locale: str) -> list[str]:
    folder = LOCALES_DIR / locale
    return [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.ftl"))]


@cache
def get_translator(locale: str) -> Translator:
    if locale not in SUPPORTED_LOCALES:
        locale = FALLBACK_LOCALE
    bundle = FluentBundle([locale], use_isolating=False)
    for text in _read_catalog(locale):
        bundle.add_resource(FluentResource(text))
    fallback = None if locale == FALLBACK_LOCALE else get_translator(FALLBACK_LOCALE)
    return Translator(locale=locale, bundle=bundle, fallback=fallback)


def catalog_keys(locale: str) -> set[str]:
    """Every message id defined for a locale (used by the catalog consistency test)."""
    from fluent.syntax import FluentParser, ast

    keys: set[str] = set()
    parser = FluentParser()
    for text in _read_catalog(locale):
        for entry in parser.parse(text).body:
            if isinstance(entry, ast.Message):
                if entry.id.name in keys:
                    raise ValueError(f"{entry.id.name!r} is defined twice in the {locale} catalog")
                keys.add(entry.id.name)
            elif isinstance(entry, ast.Junk):
                raise ValueError(
                    f"syntax error in {locale} catalog: {(entry.content or '')[:80]!r}"
                )
    return keys


def resolve_locale(
    chosen: str | None, telegram_code: str | None, default: str = FALLBACK_LOCALE
) -> str:
    """The /language choice, else Telegram's language_code, else the configured default."""
    telegram = (telegram_code or "").split("-")[0].lower()
    for candidate in (chosen, telegram):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return default if default in SUPPORTED_LOCALES else FALLBACK_LOCALE
