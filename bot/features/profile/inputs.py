"""Typed answers of the profile flows: a paste split by Telegram counts once (bot.telegram.forms
does it for every form; kept importable from here)."""

from bot.telegram.forms import ANSWER, PasteTail, on_paste_tail, remember_answer

__all__ = ["ANSWER", "PasteTail", "on_paste_tail", "remember_answer"]
