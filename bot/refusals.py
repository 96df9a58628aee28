"""Domain refusals: one kind, raised by services, answered in one place.

A service that will not do what it was asked raises ``Refused(key, **params)``: ``key`` names
the catalog entry that explains why, ``params`` fill it. Nothing the update wrote is kept, and
the user gets that one sentence: an alert for a button, a reply for a message
(``bot.telegram.guards.RefusalAnswer``). Handlers do not catch it.

No aiogram here: services raise it.
"""

from __future__ import annotations

from typing import Any

#: The one answer to a button that proves nothing any more: its object is gone or closed, it
#: belongs to another chat, or its flow has moved on.
STALE = "button-stale"


class Refused(Exception):
    """A request the rules do not allow: `key` is the catalog key of the explanation."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"Refused({self.key!r}, **{self.params!r})"
