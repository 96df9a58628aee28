"""Buttons of the intro flow: its form (bot.telegram.forms) makes them; these are the labels of
its fields on the Edit menu."""

from __future__ import annotations

FIELD_LABELS = {
    "first_name": "intro-field-first-name",
    "last_name": "intro-field-last-name",
    "about": "intro-field-about",
}
