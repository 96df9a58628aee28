"""Filters shared by the flows."""

from __future__ import annotations

from aiogram import F
from aiogram.utils.magic_filter import MagicFilter

# Text typed as an answer to a prompt: a command is never taken as an answer.
TEXT_INPUT: MagicFilter = F.text & ~F.text.startswith("/")
