"""One read and one write of a user's FSM record per update.

aiogram's FSMContext asks its storage for the state, then the data, then writes each change as
it comes (`set_state`, then `update_data`, then `get_data` again...): a flow step cost a dozen
round trips. A `FramedStorage` keeps state and data of one key together as one record. While an
update runs (`FsmMiddleware` opens a frame for it, under the user's lock) the record is read once,
at its first use, and every change stays in the frame until `flush()` writes it in one statement:
before the update's first Bot API request and at its end (see `bot.db.context.durable_hook`).
Outside an update (tests, tools) every call goes to the backend at once.

A failing update leaves its unwritten changes behind, as a rolled-back transaction would.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, runtime_checkable

from aiogram import Bot
from aiogram.dispatcher.middlewares.base import BaseMiddleware
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.types import TelegramObject

from bot.db.context import DurableHook, durable_hook
from bot.fsm.isolation import LeasedRedisIsolation

Record = tuple[str | None, dict[str, Any]]


@dataclass(slots=True)
class _Entry:
    state: str | None
    data: dict[str, Any]
    dirty: bool = False


@dataclass(slots=True)
class Frame:
    """The FSM records one update has touched, by storage and key."""

    entries: dict[tuple[int, StorageKey], _Entry] = field(default_factory=dict)
    storages: dict[int, FramedStorage] = field(default_factory=dict)

    async def flush(self) -> None:
        """Write every changed record, one statement each; then they are clean again."""
        for (storage_id, key), entry in self.entries.items():
            if entry.dirty:
                entry.dirty = False
                await self.storages[storage_id].store(key, entry.state, entry.data)


_frame: ContextVar[Frame | None] = ContextVar("fsm_frame", default=None)


def current_frame() -> Frame | None:
    """The frame of the update being handled (None outside an update)."""
    return _frame.get()


@runtime_checkable
class RecordPeeker(Protocol):
    """A storage whose record the user's Redis lock can read in passing (the same key builder)."""

    def decode(self, raw: bytes | None) -> Record: ...


class FramedStorage(BaseStorage):
    """An aiogram storage of one record (state + data) per key, read and written whole.

    Subclasses implement `load` and `store` (one round trip each). Inside a frame the methods of
    BaseStorage work on the frame's copy; outside they read and write through.
    """

    # Whether `store` joins the update's SQL transaction (then the frame is flushed before
    # that transaction commits) or writes elsewhere (then after it, rows first).
    joins_transaction: bool = False

    @abstractmethod
    async def load(self, key: StorageKey) -> Record:
        """State and data of `key` (None and {} when absent or expired)."""

    @abstractmethod
    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        """Replace the record of `key` (remove it when state is None and data is empty)."""

    # -- BaseStorage ---------------------------------------------------------------------------

    async def get_state(self, key: StorageKey) -> str | None:
        entry = await self._entry(key)
        if entry is not None:
            return entry.state
        state, _data = await self.load(key)
        return state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        entry = await self._entry(key)
        if entry is not None:
            # A shallow copy: a flow reads its data several times a step. What is written is
            # copied deeply (below), so nested values are the frame's own; treat them as
            # read-only and write changes back with update_data.
            return dict(entry.data)
        _state, data = await self.load(key)
        return data

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        entry = await self._entry(key)
        if entry is not None:
            entry.state, entry.dirty = value, True
            return
        await self.write_state(key, value)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        _check_dict(data)
        entry = await self._entry(key)
        if entry is not None:
            entry.data, entry.dirty = copy.deepcopy(dict(data)), True
            return
        await self.write_data(key, dict(data))

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        _check_dict(data)
        entry = await self._entry(key)
        if entry is not None:
            entry.data.update(copy.deepcopy(dict(data)))
            entry.dirty = True
            return copy.deepcopy(entry.data)
        return await self.merge_data(key, dict(data))

    # -- outside a frame: one call, one change (subclasses may do each in one statement) --------

    async def write_state(self, key: StorageKey, state: str | None) -> None:
        _state, data = await self.load(key)
        await self.store(key, state, data)

    async def write_data(self, key: StorageKey, data: dict[str, Any]) -> None:
        state, _data = await self.load(key)
        await self.store(key, state, data)

    async def merge_data(self, key: StorageKey, data: dict[str, Any]) -> dict[str, Any]:
        state, stored = await self.load(key)
        merged = {**stored, **data}
        await self.store(key, state, merged)
        return merged

    # -- frames --------------------------------------------------------------------------------

    async def _entry(self, key: StorageKey) -> _Entry | None:
        frame = _frame.get()
        if frame is None:
            return None
        slot = (id(self), key)
        entry = frame.entries.get(slot)
        if entry is None:
            state, data = await self.load(key)
            entry = frame.entries[slot] = _Entry(state, data)
            frame.storages[id(self)] = self
        return entry


@asynccontextmanager
async def open_frame(
    storage: BaseStorage, known: tuple[StorageKey, Record] | None = None
) -> AsyncIterator[Frame | None]:
    """A frame for one update: its changes are written by `durable_hook` and at the end.

    `known` is a record already read (with the user's lock): the frame starts with it.
    """
    if not isinstance(storage, FramedStorage):
        yield None
        return
    frame = Frame()
    if known is not None:
        key, (state, data) = known
        frame.entries[(id(storage), key)] = _Entry(state, data)
        frame.storages[id(storage)] = storage
    frame_token = _frame.set(frame)
    hook_token = durable_hook.set(
        DurableHook(flush=frame.flush, joins_transaction=storage.joins_transaction)
    )
    try:
        yield frame
        await frame.flush()
    finally:
        durable_hook.reset(hook_token)
        _frame.reset(frame_token)


class FsmMiddleware(BaseMiddleware):
    """aiogram's FSM context middleware, with a frame around each update (under its lock).

    The Dispatcher is built with `disable_fsm=True` and this goes first among the outer
    middlewares instead, doing what aiogram's does (`state`, `raw_state`, `fsm_storage`).
    """

    def __init__(self, fsm: FSMContextMiddleware) -> None:
        self.fsm = fsm

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        context = self.fsm.resolve_event_context(cast(Bot, data["bot"]), data)
        storage, isolation = self.fsm.storage, self.fsm.events_isolation
        data["fsm_storage"] = storage
        if context is None:
            return await handler(event, data)
        if isinstance(isolation, LeasedRedisIsolation) and isinstance(storage, RecordPeeker):
            # Redis: the lock and the record in one round trip.
            async with isolation.lock_and_peek(context.key) as peek:
                known = (context.key, storage.decode(peek.raw))
                return await self._handle(handler, event, data, context, known)
        async with isolation.lock(key=context.key):
            return await self._handle(handler, event, data, context, None)

    async def _handle(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        context: FSMContext,
        known: tuple[StorageKey, Record] | None,
    ) -> Any:
        async with open_frame(self.fsm.storage, known):
            data.update({"state": context, "raw_state": await context.get_state()})
            return await handler(event, data)


def _check_dict(data: object) -> None:
    if not isinstance(data, dict):
        msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
        raise DataNotDictLikeError(msg)
