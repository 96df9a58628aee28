"""Group voting through the sandbox: sessions, proposals, votes, deadlines and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.features.voting.models import Proposal, SessionParticipant, Vote, VotingSession
from bot.sandbox import ChatMessage, GroupActor, UserActor, World
from bot.sandbox.harness import TEST_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, check_world

VOTING_JOBS = ("voting-join-windows", "voting-proposal-deadlines", "voting-live-cards")


class Room:
    """A group with an admin (ADMIN_IDS), a group administrator and members; a settable clock."""

    def __init__(
        self, box: Sandbox, clock: SettableClock, group: GroupActor, people: dict[str, UserActor]
    ) -> None:
        self.box = box
        self.world = box.world
        self.clock = clock
        self.group = group
        self.admin = people["admin"]
        self.chair = people["chair"]
        self.alice = people["alice"]
        self.bob = people["bob"]
        self.carol = people["carol"]
        self.dave = people["dave"]

    async def jobs(self) -> None:
        assert self.box.app is not None
        # The live-cards round first: it also waits for a round of the background loop that
        # may still hold a card's row (the card is edited before its row is committed).
        for name in ("voting-live-cards", *VOTING_JOBS):
            await self.box.app.jobs.run_once(name)

    async def scalar(self, stmt: Any) -> Any:
        assert self.box.app is not None
        async with self.box.app.session_factory() as session:
            return await session.scalar(stmt)

    async def count(self, model: Any, *where: Any) -> int:
        return int(await self.scalar(select(func.count()).select_from(model).where(*where)))

    def posts(self, needle: str) -> list[ChatMessage]:
        return [m for m in self.group.messages if needle in (m.text or "")]

    async def session_with(self, *joiners: UserActor, minutes: int = 2) -> ChatMessage:
        """A session (created by the admin) joined by `joiners`, its join window closed."""
        card = (await self.admin.say_in(self.group, f'/create_session "Council" {minutes}')).last
        for person in joiners:
            assert (await person.press("Join", message=card)).alert == "You joined the session."
        self.clock.advance(timedelta(minutes=minutes))
        await self.jobs()
        return card


@pytest.fixture
async def room(backend: Backend) -> AsyncIterator[Room]:
    world = World(limits=TEST_SPEED.server_limits())
    people = {
        "admin": world.user("Ada", username="ada"),
        "chair": world.user("Chad", username="chad"),
        "alice": world.user("Alice", username="alice"),
        "bob": world.user("Bob", username="bob", last_name="Stone"),
        "carol": world.user("Carol", username="carol"),
        "dave": world.user("Dave", username="dave"),
    }
    group = world.group("Council")
    for name, person in people.items():
        group.add(person, admin=name == "chair")
    clock = SettableClock()
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        admin_ids=frozenset({people["admin"].id}),
    ) as box:
        await box.start()
        yield Room(box, clock, group, people)
        check_world(world)


async def test_the_whole_story(room: Room) -> None:
    group, alice, bob, carol, dave = room.group, room.alice, room.bob, room.carol, room.dave
    card = (await room.admin.say_in(group, '/create_session "Lunch plans" 3')).last
    assert "Lunch plans" in (card.text or "")
    assert "Participants: 0" in (card.text or "")
    assert card.buttons == [["Join", "Skip"]]
    join_data = str(card.button("Join")["callback_data"])

    assert (await alice.press("Join", message=card)).alert == "You joined the session."
    assert (await alice.press("Join", message=card)).alert == "You already joined."
    assert (await bob.press("Join", message=card)).alert == "You joined the session."
    assert (await carol.press("Join", message=card)).alert == "You joined the session."
    assert (await dave.press("Skip", message=card)).alert == "OK, you skip this session."
    assert await room.count(SessionParticipant) == 3
    await room.world.wait_for(lambda: "Participants: 3" in (card.text or ""), timeout=10)

    room.clock.advance(timedelta(minutes=3))
    await room.jobs()
    vs = await room.scalar(select(VotingSession))
    assert card.buttons == []
    assert "Joining is closed. Participants: 3" in (card.text or "")
    [started] = room.posts("Session started")
    assert "Participants (3): Alice, Bob Stone, Carol" in (started.text or "")
    assert "/propose" in (started.text or "")
    late_join = await dave.press_data(join_data, message=card)  # a stale button
    assert late_join.alert == "Joining this session is closed."

    proposal = (await alice.say_in(group, '/propose "Order pizza" 2')).last
    assert "Order pizza" in (proposal.text or "")
    assert "Not voted yet: 3" in (proposal.text or "")
    assert proposal.buttons == [["Yes", "No"]]
    second = await bob.say_in(group, "/propose Sushi instead")
    assert second.last.text == (
        "A proposal is already open: it closes in 2 min. Wait for its result, then propose."
    )

    assert (await alice.press("Yes", message=proposal)).alert == "Your vote: Yes."
    assert (await bob.press("No", message=proposal)).alert == "Your vote: No."
    assert (await bob.press("Yes", message=proposal)).alert == "Vote changed to Yes."
    assert (await bob.press("Yes", message=proposal)).alert == "You already voted Yes."
    reply = await carol.say_in(group, "/vote no")
    assert reply.last.text == "Your vote: No."
    refused = await dave.press("Yes", message=proposal)
    assert refused.alert == "Only participants of the session vote."
    assert await room.count(Vote) == 3
    await room.world.wait_for(lambda: "Not voted yet: 0" in (proposal.text or ""), timeout=10)
    assert "Yes: 2 · No: 1" in (proposal.text or "")

    room.clock.advance(timedelta(minutes=2))
    await room.jobs()
    assert proposal.buttons == []
    assert "Voting closed: PASSED" in (proposal.text or "")
    [result] = room.posts("Result:")
    text = result.text or ""
    assert "Result: PASSED" in text
    assert "Yes (2): Alice, Bob Stone" in text
    assert "No (1): Carol" in text
    assert "Abstained (0): nobody" in text

    late = await alice.press_data(
        f"vtv:{await room.scalar(select(Proposal.id))}:no", message=proposal
    )
    assert late.alert == "Voting on this proposal is closed."
    late_command = await alice.say_in(group, "/vote no")
    assert late_command.last.text == "There is no open proposal to vote on."
    assert await room.scalar(select(Vote.choice).where(Vote.user_id == alice.id)) == "yes"
    closed = await room.scalar(select(Proposal))
    assert (closed.status, closed.result, closed.yes_count, closed.no_count) == (
        "closed",
        "passed",
        2,
        1,
    )
    await room.jobs()  # nothing is posted twice
    assert len(room.posts("Result:")) == 1
