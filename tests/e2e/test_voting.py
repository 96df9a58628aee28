"""Group voting through the sandbox: sessions, proposals, votes, deadlines and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.features.voting.models import Proposal, SessionParticipant, Vote, VotingSession
from bot.sandbox import ChatMessage, GroupActor, UserActor, World
from bot.sandbox.harness import TEST_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, check_world
from tests.e2e.jobs import run_jobs

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
        # The live cards first, as a card's edit comes before the proposal closes.
        await run_jobs(self.box.app, "voting-live-cards", *VOTING_JOBS)

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
        card = (await self.admin.say_in(self.group, f'/create_session "Council" {minutes}')).post
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
    card = (await room.admin.say_in(group, '/create_session "Lunch plans" 3')).post
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
    assert await room.scalar(select(VotingSession.status)) == "started"
    assert card.buttons == []
    assert "Joining is closed. Participants: 3" in (card.text or "")
    [started] = room.posts("Session started")
    assert "Participants (3): Alice, Bob Stone, Carol" in (started.text or "")
    assert "/propose" in (started.text or "")
    late_join = await dave.press_data(join_data, message=card)  # a stale button
    assert late_join.alert == "This button is no longer active."

    proposal = (await alice.say_in(group, '/propose "Order pizza" 2')).post
    assert "Order pizza" in (proposal.text or "")
    assert "Not voted yet: 3" in (proposal.text or "")
    assert proposal.buttons == [["Yes", "No"]]
    second = await bob.say_in(group, "/propose Sushi instead")
    assert second.post.text == (
        "A proposal is already open: it closes in 2 min. Wait for its result, then propose."
    )

    assert (await alice.press("Yes", message=proposal)).alert == "Your vote: Yes."
    assert (await bob.press("No", message=proposal)).alert == "Your vote: No."
    assert (await bob.press("Yes", message=proposal)).alert == "Vote changed to Yes."
    assert (await bob.press("Yes", message=proposal)).alert == "You already voted Yes."
    reply = await carol.say_in(group, "/vote no")
    assert reply.post.text == "Your vote: No."
    refused = await dave.press("Yes", message=proposal)
    assert refused.alert == "Only participants of the session vote."
    assert await room.count(Vote) == 3
    await room.world.wait_for(lambda: "Not voted yet: 0" in (proposal.text or ""), timeout=10)
    assert "Yes: 2 · No: 1" in (proposal.text or "")

    room.clock.advance(timedelta(minutes=2))
    await room.jobs()
    assert proposal.buttons == []
    assert "Voting closed: passed" in (proposal.text or "")
    [result] = room.posts("Result:")
    text = result.text or ""
    assert "Result: passed" in text
    assert "Yes (2): Alice, Bob Stone" in text
    assert "No (1): Carol" in text
    assert "Abstained (0): nobody" in text

    late = await alice.press_data(
        f"vtv:{await room.scalar(select(Proposal.id))}:no", message=proposal
    )
    assert late.alert == "This button is no longer active."
    late_command = await alice.say_in(group, "/vote no")
    assert late_command.post.text == "There is no open proposal to vote on."
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


async def test_a_tie_is_rejected_and_abstentions_are_named(room: Room) -> None:
    await room.session_with(room.alice, room.bob, room.carol)
    card = (await room.alice.say_in(room.group, "/propose Paint the door red")).post
    assert "Closes in 5 min" in (card.text or "")  # the default
    await room.alice.press("Yes", message=card)
    await room.bob.press("No", message=card)
    room.clock.advance(timedelta(minutes=5))
    await room.jobs()
    [result] = room.posts("Result:")
    text = result.text or ""
    assert "Result: rejected" in text
    assert "Yes (1): Alice" in text
    assert "No (1): Bob Stone" in text
    assert "Abstained (1): Carol" in text
    assert "Voting closed: rejected" in (card.text or "")
    stored = await room.scalar(select(Proposal))
    assert (stored.result, stored.abstained_count) == ("rejected", 1)


async def test_session_overview_and_close_with_an_open_proposal(room: Room) -> None:
    group = room.group
    await room.session_with(room.alice, room.bob)
    first = (await room.alice.say_in(group, '/propose "Buy a kettle" 1')).post
    await room.alice.press("Yes", message=first)
    room.clock.advance(timedelta(minutes=1))
    await room.jobs()
    second = (await room.bob.say_in(group, '/propose "Move the meeting to <Friday>" 10')).post
    assert "Move the meeting to &lt;Friday&gt;" in second.html  # user text is escaped
    await room.bob.press("No", message=second)
    room.clock.advance(timedelta(minutes=4))

    overview = (await room.carol.say_in(group, "/session")).post.text or ""
    assert "Council — in progress" in overview
    assert "Participants (2): Alice, Bob Stone" in overview
    assert "Open proposal: Move the meeting to <Friday>" in overview
    assert "Yes: 0 · No: 1 · Not voted yet: 1 — 6 min left" in overview
    assert "1. Buy a kettle — passed (yes 1, no 0, abstained 1)" in overview

    refused = await room.alice.say_in(group, "/close_session")
    assert refused.post.text == "Only admins of this group can do that."
    closed = await room.chair.say_in(group, "/close_session")  # an administrator of the group
    assert second.buttons == []
    assert "Voting closed: rejected" in (second.text or "")
    result, summary = closed[-2], closed[-1]
    assert "Result: rejected" in (result.text or "")
    assert "No (1): Bob Stone" in (result.text or "")
    summary_text = summary.text or ""
    assert "Session closed: Council" in summary_text
    assert "Participants: 2 · Proposals: 2" in summary_text
    assert "1. Buy a kettle — passed" in summary_text
    assert "2. Move the meeting to <Friday> — rejected (yes 0, no 1, abstained 1)" in summary_text
    assert await room.scalar(select(VotingSession.status)) == "closed"
    assert await room.count(Proposal, Proposal.status == "open") == 0

    room.clock.advance(timedelta(minutes=10))
    await room.jobs()  # the deadline of the proposal closed early posts nothing more
    assert len(room.posts("Result:")) == 2
    assert (await room.carol.say_in(group, "/session")).post.text == (
        "There is no open voting session in this chat."
    )
    # A new session may be opened once the old one is closed.
    again = await room.admin.say_in(group, "/create_session Next round")
    assert "Next round" in (again.post.text or "")
    assert again.post.buttons == [["Join", "Skip"]]


async def test_refusals(room: Room) -> None:
    group, alice, dave = room.group, room.alice, room.dave
    reply = await alice.say_in(group, "/create_session Coup")
    assert reply.post.text == "Only admins of this group can do that."
    for command in ("/create_session Lunch", "/propose Lunch", "/vote yes", "/session"):
        private = await alice.send(command)
        assert private.last.text == "This command works in group chats only.", command
    assert await room.count(VotingSession) == 0
    assert (await alice.say_in(group, "/propose Lunch")).post.text == (
        "There is no open voting session in this chat."
    )

    for bad in ('"Lunch" 0', '"Lunch" 61', '"Lunch" soon', "Lunch -5"):
        reply = await room.admin.say_in(group, f"/create_session {bad}")
        assert reply.post.text is not None
        assert reply.post.text.startswith(
            "The join window must be a whole number of minutes from 1 to 60"
        )
    assert (await room.admin.say_in(group, "/create_session")).post.text.startswith("Usage:")
    long_title = await room.admin.say_in(group, "/create_session " + "x" * 201)
    assert long_title.post.text == (
        "That is too long: at most 200 characters, and you sent 201. Please send a shorter one."
    )
    assert await room.count(VotingSession) == 0

    card = (await room.admin.say_in(group, '/create_session "Lunch" 5')).post
    join_data = str(card.button("Join")["callback_data"])
    second = await room.chair.say_in(group, "/create_session Dinner")
    assert second.post.text == (
        "This chat already has an open session: «Lunch». "
        "Close it with /close_session before opening another."
    )
    assert await room.count(VotingSession) == 1

    refused = await dave.say_in(group, "/propose Pizza")
    assert refused.post.text == "Only participants of the session can make proposals."
    await alice.press("Join", message=card)
    for bad in ('"Pizza" 0', '"Pizza" 11', '"Pizza" later', "Pizza 30"):
        reply = await alice.say_in(group, f"/propose {bad}")
        assert reply.post.text is not None
        assert reply.post.text.startswith(
            "Voting time must be a whole number of minutes from 1 to 10"
        ), bad
    too_long = await alice.say_in(group, "/propose " + "я" * 501)
    assert too_long.post.text == (
        "That is too long: at most 500 characters, and you sent 501. Please send a shorter one."
    )
    assert await room.count(Proposal) == 0

    # Proposals and votes may start while joining is still open.
    proposal = (await alice.say_in(group, '/propose "Pizza" 3')).post
    assert (await dave.press("Yes", message=proposal)).alert == (
        "Join the session first: press Join on the session card."
    )
    assert (await dave.say_in(group, "/vote yes")).post.text == (
        "Join the session first: press Join on the session card."
    )
    assert (await alice.say_in(group, "/vote maybe")).post.text == (
        "Usage: /vote yes or /vote no (for the open proposal)."
    )
    forged = await alice.press_data("vtv:999999:yes", message=proposal)
    assert forged.alert == "This button is no longer active."
    yes_data = str(proposal.button("Yes")["callback_data"])
    maybe = await alice.press_data(yes_data.replace(":yes", ":maybe"), message=proposal)
    assert maybe.alert == "This button is no longer active."
    assert await room.count(Vote) == 0

    room.clock.advance(timedelta(minutes=5))  # joining (5 min) and the proposal (3 min) are over
    await room.jobs()
    stale = await dave.press_data(join_data, message=card)
    assert stale.alert == "This button is no longer active."
    late = await room.admin.say_in(group, '/propose "Pasta"')
    assert late.post.text == "Only participants of the session can make proposals."
    second_proposal = (await alice.say_in(group, '/propose "Pasta"')).post
    assert (await dave.press("No", message=second_proposal)).alert == (
        "Only participants of the session vote."
    )


async def test_two_admins_creating_at_once_get_one_session(room: Room) -> None:
    await asyncio.gather(
        room.admin.say_in(room.group, "/create_session Plan A"),
        room.chair.say_in(room.group, "/create_session Plan B"),
    )
    assert len(room.posts("This chat already has an open session")) == 1
    assert await room.count(VotingSession) == 1
    assert len([m for m in room.group.messages if m.buttons == [["Join", "Skip"]]]) == 1


@pytest.mark.parametrize("graceful", [True, False], ids=["graceful", "abrupt"])
async def test_a_deadline_passed_while_the_bot_was_down(room: Room, graceful: bool) -> None:
    await room.session_with(room.alice, room.bob, room.carol)
    card = (await room.alice.say_in(room.group, '/propose "Adopt a cat" 2')).post
    await room.alice.press("Yes", message=card)
    await room.bob.press("No", message=card)
    await room.carol.press("No", message=card)
    await room.carol.press("Yes", message=card)  # the last choice counts

    await room.box.stop(graceful=graceful)
    room.clock.advance(timedelta(minutes=10))
    await room.box.start()
    # The first round of the jobs after the start posts it: nothing runs them by hand here.
    [result] = await room.world.wait_for(lambda: room.posts("Result:"), timeout=5)
    text = result.text or ""
    assert "Result: passed" in text
    assert "Yes (2): Alice, Carol" in text
    assert "No (1): Bob Stone" in text
    assert card.buttons == []
    await room.jobs()
    await room.box.restart()
    await room.jobs()
    assert len(room.posts("Result:")) == 1


async def test_an_upgrade_to_a_supergroup_keeps_the_session(backend: Backend) -> None:
    world = World(limits=TEST_SPEED.server_limits())
    admin, alice, bob = world.user("Ada"), world.user("Alice"), world.user("Bob")
    group = world.group("Basic group", supergroup=False)
    for person in (admin, alice, bob):
        group.add(person)
    old_id = group.id
    clock = SettableClock()
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        admin_ids=frozenset({admin.id}),
    ) as box:
        await box.start()
        room_card = (await admin.say_in(group, '/create_session "Garden" 10')).post
        await alice.press("Join", message=room_card)
        proposal = (await alice.say_in(group, '/propose "Plant a tree" 5')).post
        await alice.press("Yes", message=proposal)

        await group.migrate_to_supergroup()
        assert group.id != old_id
        assert box.app is not None
        async with box.app.session_factory() as session:
            voting = await session.scalar(select(VotingSession))
            assert voting is not None
            assert (voting.chat_id, voting.status) == (group.id, "joining")
        texts = [m.text or "" for m in group.messages]
        assert any("continues here" in text for text in texts)
        cards = [m for m in group.messages if m.buttons]
        assert [card.buttons for card in cards] == [[["Join", "Skip"]], [["Yes", "No"]]]
        new_session_card, new_proposal_card = cards
        assert "Yes: 1 · No: 0 · Not voted yet: 0" in (new_proposal_card.text or "")

        assert (await bob.press("Join", message=new_session_card)).alert == (
            "You joined the session."
        )
        assert (await bob.press("No", message=new_proposal_card)).alert == "Your vote: No."
        assert "Garden" in ((await bob.say_in(group, "/session")).post.text or "")
        clock.advance(timedelta(minutes=10))
        await run_jobs(box.app, "voting-live-cards", *VOTING_JOBS)
        results = [m.text or "" for m in group.messages if "Result:" in (m.text or "")]
        assert len(results) == 1
        assert "Result: rejected" in results[0]
        assert "Yes (1): Alice" in results[0]
        assert "No (1): Bob" in results[0]
        assert new_proposal_card.buttons == []
        check_world(world)
