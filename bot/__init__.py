"""Agora: a Telegram bot that runs a community."""

__version__ = "0.1.0"
