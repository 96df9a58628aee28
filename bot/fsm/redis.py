"""FSM storage in Redis: one key per user and chat holding state and data, one TTL for both.

aiogram's RedisStorage keeps state and data under two keys, so a step that reads both and
writes both costs four commands; here it is one GET and one SET (see bot.fsm.frame).
`adopt_legacy_keys` moves what an older Agora wrote in aiogram's layout into this one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import Any, cast

from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from redis.asyncio import Redis

from bot.fsm.frame import FramedStorage, Record

log = logging.getLogger(__name__)


class RedisFsmStorage(FramedStorage):
    """State and data of a key as one JSON value `{"state": ..., "data": {...}}` at
    `key_builder.build(key)`, expiring `ttl_seconds` after its last write."""

    def __init__(self, redis: Redis, key_builder: KeyBuilder, ttl_seconds: int) -> None:
        self.redis = redis
        self.key_builder = key_builder
        self.ttl_seconds = ttl_seconds

    async def load(self, key: StorageKey) -> Record:
        raw = await self.redis.get(self.key_builder.build(key))
        return _decode(raw)

    def decode(self, raw: bytes | None) -> Record:
        """A record read by someone else (the user's lock reads it with the lock: RecordPeeker)."""
        return _decode(raw)

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        name = self.key_builder.build(key)
        if state is None and not data:
            await self.redis.delete(name)
        else:
            await self.redis.set(name, _encode(state, data), ex=self.ttl_seconds)

    async def close(self) -> None:
        await self.redis.aclose(close_connection_pool=True)


def _encode(state: str | None, data: dict[str, Any]) -> str:
    return json.dumps({"state": state, "data": data}, ensure_ascii=False, separators=(",", ":"))


def _decode(raw: bytes | str | None) -> Record:
    if raw is None:
        return None, {}
    record = json.loads(raw)
    return record.get("state"), record.get("data") or {}


async def adopt_legacy_keys(redis: Redis, ttl_seconds: int, prefix: str = "fsm") -> int:
    """Fold aiogram-layout keys (`<key>:state`, `<key>:data`) into records; how many were moved.

    Run once at start, before updates are taken. A record that already exists wins.
    """
    bases: set[str] = set()
    for suffix in ("state", "data"):
        async for name in redis.scan_iter(match=f"{prefix}:*:{suffix}", count=1000):
            text = name.decode() if isinstance(name, bytes) else str(name)
            bases.add(text.rsplit(":", 1)[0])
    moved = 0
    for base in sorted(bases):
        state_raw, data_raw = await redis.mget([f"{base}:state", f"{base}:data"])
        state = state_raw.decode() if isinstance(state_raw, bytes) else state_raw
        data = json.loads(data_raw) if data_raw else {}
        if state is not None or data:
            created = await cast(
                Awaitable[bool | None],
                redis.set(base, _encode(state, data), ex=ttl_seconds, nx=True),
            )
            moved += 1 if created else 0
        await redis.delete(f"{base}:state", f"{base}:data")
    if moved:
        log.info("moved %d FSM records of the old two-key layout into one key each", moved)
    return moved
