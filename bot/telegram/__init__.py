"""Telegram-facing helpers: outgoing pacing, text splitting, access checks, menus."""
