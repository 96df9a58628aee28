"""A button proves nothing: the data of group A's buttons pressed in group B is refused.

Two groups with a voting session each; a member of B (and one of both groups) sends the Join,
Skip and Yes data of A's cards on a bot message in B. The mechanism (bot.telegram.guards:
declare_button, ButtonCheck) refuses each with the one stale alert before a handler runs: A's
participants and votes are unchanged, and the real buttons still work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.features.voting.models import Proposal, SessionParticipant, Vote, VotingSession
from bot.sandbox import GroupActor, UserActor, World
from bot.sandbox.harness import TEST_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, check_world

STALE = "This button is no longer active."


class Two:
    def __init__(
        self, box: Sandbox, a: GroupActor, b: GroupActor, people: dict[str, UserActor]
    ) -> None:
        self.box = box
        self.a = a
        self.b = b
        self.admin = people["admin"]
        self.alice = people["alice"]  # in A only
        self.bob = people["bob"]  # in B only
        self.carol = people["carol"]  # in both

    async def scalar(self, stmt: Any) -> Any:
        assert self.box.app is not None
        async with self.box.app.session_factory() as session:
            return await session.scalar(stmt)

    async def participants(self, chat_id: int) -> set[int]:
        assert self.box.app is not None
        async with self.box.app.session_factory() as session:
            rows = await session.scalars(
                select(SessionParticipant.user_id)
                .join(VotingSession, VotingSession.id == SessionParticipant.session_id)
                .where(VotingSession.chat_id == chat_id)
            )
            return set(rows)

    async def votes(self) -> set[tuple[int, int, str]]:
        assert self.box.app is not None
        async with self.box.app.session_factory() as session:
            rows = await session.execute(select(Vote.proposal_id, Vote.user_id, Vote.choice))
            return {(p, u, c) for p, u, c in rows}


@pytest.fixture
async def two(backend: Backend) -> AsyncIterator[Two]:
    world = World(limits=TEST_SPEED.server_limits())
    people = {
        "admin": world.user("Ada", username="ada"),
        "alice": world.user("Alice", username="alice"),
        "bob": world.user("Bob", username="bob"),
        "carol": world.user("Carol", username="carol"),
    }
    a = world.group("Group A")
    b = world.group("Group B")
    for person in (people["admin"], people["alice"], people["carol"]):
        a.add(person)
    for person in (people["admin"], people["bob"], people["carol"]):
        b.add(person)
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=SettableClock(),
        admin_ids=frozenset({people["admin"].id}),
    ) as box:
        await box.start()
        yield Two(box, a, b, people)
        check_world(world)


async def test_buttons_of_another_group_are_refused(two: Two) -> None:
    a, b, alice, bob, carol = two.a, two.b, two.alice, two.bob, two.carol
    card_a = (await two.admin.say_in(a, '/create_session "In A" 5')).post
    card_b = (await two.admin.say_in(b, '/create_session "In B" 5')).post
    join_a = str(card_a.button("Join")["callback_data"])
    skip_a = str(card_a.button("Skip")["callback_data"])
    assert (await alice.press("Join", message=card_a)).alert == "You joined the session."
    assert (await carol.press("Join", message=card_a)).alert == "You joined the session."

    # Bob (in B only) sends A's Join and Skip on B's card: refused, A is unchanged.
    forged = await bob.press_data(join_a, message=card_b)
    assert forged.alert == STALE
    assert (await bob.press_data(skip_a, message=card_b)).alert == STALE
    assert await two.participants(a.id) == {alice.id, carol.id}
    assert await two.participants(b.id) == set()

    # A proposal in A; its Yes pressed in B (by Bob, and by Carol, a participant of A) is refused.
    proposal_a = (await alice.say_in(a, '/propose "Pizza" 3')).post
    yes_a = str(proposal_a.button("Yes")["callback_data"])
    assert (await bob.press_data(yes_a, message=card_b)).alert == STALE
    assert (await carol.press_data(yes_a, message=card_b)).alert == STALE
    assert await two.votes() == set()

    # The real buttons work, each in its own group.
    assert (await bob.press("Join", message=card_b)).alert == "You joined the session."
    assert (await carol.press("Yes", message=proposal_a)).alert == "Your vote: Yes."
    proposal_id = await two.scalar(select(Proposal.id))
    assert await two.votes() == {(proposal_id, carol.id, "yes")}
    assert await two.participants(a.id) == {alice.id, carol.id}
    assert await two.participants(b.id) == {bob.id}

    # B's own buttons pressed on A's card are refused the same way.
    join_b = str(card_b.button("Join")["callback_data"])
    assert (await alice.press_data(join_b, message=card_a)).alert == STALE
    assert await two.participants(b.id) == {bob.id}
    # An id that names nothing, or a choice no card offers, gets the same one alert.
    gone = await bob.press_data("vtv:999999:yes", message=card_b)
    assert gone.alert == STALE
    count = select(func.count()).select_from(Vote)
    assert await two.scalar(count) == 1
