"""aiogram's Response[T] models survive garbage collection once the bot is built."""

from __future__ import annotations

import gc

from aiogram.methods.base import Response
from aiogram.types import Message

from bot.app import keep_response_types


def test_response_models_are_not_rebuilt_after_a_collection() -> None:
    keep_response_types()
    before = Response[Message]
    before_id = id(before)
    del before
    gc.collect()
    assert id(Response[Message]) == before_id
