"""Flow-test fixtures: the real app, polling the fake Telegram, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.sandbox import GroupActor, UserActor, World
from bot.sandbox.harness import TEST_SPEED, Sandbox, SettableClock
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


class Community:
    """A community as features see it: a forum supergroup with its topics, admins and members.

    `admin` is in ADMIN_IDS; `moderator` administers the community chat; `member` and `other` are
    members; `stranger` is not in the chat. The bot runs with COMMUNITY_CHAT_ID and the topic ids
    set, on the backend of the test (embedded, or PostgreSQL + Redis), with a settable clock.
    """

    def __init__(
        self,
        box: Sandbox,
        clock: SettableClock,
        group: GroupActor,
        people: dict[str, UserActor],
        topics: dict[str, int],
    ) -> None:
        self.box = box
        self.world = box.world
        self.clock = clock
        self.group = group
        self.admin = people["admin"]
        self.moderator = people["moderator"]
        self.member = people["member"]
        self.other = people["other"]
        self.stranger = people["stranger"]
        self.topics = topics

    @property
    def app(self) -> App:
        assert self.box.app is not None
        return self.box.app

    def join(self, name: str, **kwargs: Any) -> UserActor:
        """A new member of the community chat."""
        user = self.world.user(name, **kwargs)
        self.group.add(user)
        return user


@pytest.fixture
async def community(backend: Backend) -> AsyncIterator[Community]:
    world = World(limits=TEST_SPEED.server_limits())
    people = {
        "admin": world.user("Ada", username="ada"),
        "moderator": world.user("Mod", username="mod"),
        "member": world.user("Mia", username="mia", last_name="Wallace"),
        "other": world.user("Otto", username="otto"),
        "stranger": world.user("Stan", username="stan"),
    }
    group = world.group("Agora Community", forum=True)
    group.add(people["admin"])
    group.add(people["moderator"], admin=True)
    group.add(people["member"])
    group.add(people["other"])
    topics = {name: group.topic(name) for name in ("Intros", "Announcements", "Content")}
    clock = SettableClock()
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        admin_ids=frozenset({people["admin"].id}),
        community_chat_id=group.id,
        intro_topic_id=topics["Intros"],
        announcements_topic_id=topics["Announcements"],
        content_topic_id=topics["Content"],
        community_timezone="Europe/Berlin",
    ) as box:
        await box.start()
        yield Community(box, clock, group, people, topics)
        check_world(world)
