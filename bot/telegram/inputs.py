"""Typed answers: length limits counted as Telegram counts (UTF-16), with a clear refusal."""

from __future__ import annotations

from bot.i18n import Translator
from bot.telegram.text import utf16_len


def length_error(t: Translator, text: str, *, limit: int, minimum: int = 1) -> str | None:
    """None when `text` fits; else a sentence that names the limit and the current length."""
    length = utf16_len(text.strip())
    if length < minimum:
        return t("input-too-short", minimum=str(minimum))
    if length > limit:
        return t("input-too-long", limit=str(limit), length=str(length))
    return None
