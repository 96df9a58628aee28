"""Flow-test fixtures: the real app, polling the fake Telegram, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox import World
from bot.sandbox.harness import Sandbox
from tests.e2e.flows import GATE, PROBE, TEST_FEATURES, Gate


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None


@pytest.fixture(
    params=["embedded", pytest.param("pg+redis", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The embedded default (SQLite + SQL FSM storage) and production (PostgreSQL + Redis)."""
    if request.param == "embedded":
        return Backend("embedded", f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}", None)
    return Backend(
        "pg+redis", request.getfixturevalue("pg_url"), request.getfixturevalue("redis_url")
    )


def check_world(world: World) -> None:
    """What every flow test also asserts: the bot kept to the API and to the rate limits."""
    world.assert_no_violations()
    limited = [r for r in world.requests if r.error_code == 429]
    assert limited == [], f"the bot exceeded Telegram's rate limits: {limited[:3]}"


@pytest.fixture
async def sandbox(backend: Backend) -> AsyncIterator[Sandbox]:
    """A running bot (long polling) against a fresh fake Telegram."""
    PROBE.update(active=0, max_active=0)
    GATE[0] = Gate()
    async with Sandbox(
        database_url=backend.database_url, redis_url=backend.redis_url, features=TEST_FEATURES
    ) as box:
        await box.start()
        yield box
        check_world(box.world)


@pytest.fixture
def world(sandbox: Sandbox) -> World:
    return sandbox.world
