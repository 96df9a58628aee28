"""Voting under load: a burst of 300 voters at Telegram's real limits, and two job processes."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.features.core.models import User
from bot.features.voting.models import Proposal, SessionParticipant, Vote, VotingSession
from bot.sandbox import GroupActor, RequestRecord, UserActor, World
from bot.sandbox.harness import REAL_SPEED, TEST_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, check_world
from tests.e2e.jobs import run_jobs


async def seat(
    app: App,
    group: GroupActor,
    admin: UserActor,
    people: Sequence[UserActor],
    clock: SettableClock,
    *,
    status: str = "started",
) -> int:
    """A session in `group` with `people` as participants, written straight to the database."""
    async with app.session_factory() as session, session.begin():
        for person in (admin, *people):
            await session.merge(User(id=person.id, first_name=person.record.first_name))
        voting = VotingSession(
            chat_id=group.id,
            title=f"Session of {group.title}",
            created_by=admin.id,
            status=status,
            join_closes_at=clock() + timedelta(minutes=1 if status == "joining" else -1),
        )
        session.add(voting)
        await session.flush()
        session.add_all(SessionParticipant(session_id=voting.id, user_id=p.id) for p in people)
        return voting.id


def assert_spaced(edits: Sequence[RequestRecord]) -> None:
    """Edits of one card come at least about 3 seconds apart, however many pressed."""
    times = [record.time for record in edits]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 2.9 for gap in gaps), gaps


async def test_a_join_burst_edits_the_card_now_and_then(backend: Backend) -> None:
    world = World(limits=TEST_SPEED.server_limits())
    admin = world.user("Ada")
    people = [world.user(f"Joiner {n}") for n in range(60)]
    group = world.group("Club")
    for person in (admin, *people):
        group.add(person)
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=SettableClock(),
        admin_ids=frozenset({admin.id}),
    ) as box:
        await box.start()
        card = (await admin.say_in(group, "/create_session Club night")).post
        join = str(card.button("Join")["callback_data"])
        for batch in (people[:30], people[30:]):
            await asyncio.gather(*(person.press_data(join, message=card) for person in batch))
        await world.wait_for(lambda: "Participants: 60" in (card.text or ""), timeout=10)
        edits = [
            r
            for r in world.calls("editMessageText")
            if r.params.get("message_id") == card.message_id
        ]
        assert 1 <= len(edits) < 60
        assert_spaced(edits)
        check_world(world)


async def test_burst_of_300_voters_at_real_speed(backend: Backend) -> None:
    world = World(limits=REAL_SPEED.server_limits())
    admin = world.user("Ada")
    voters = [world.user(f"Participant {n:03d}") for n in range(300)]
    group = world.group("Town hall")
    for person in (admin, *voters):
        group.add(person)
    clock = SettableClock()
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        speed=REAL_SPEED,
        clock=clock,
        admin_ids=frozenset({admin.id}),
    ) as box:
        app = await box.start()
        await seat(app, group, admin, voters, clock)
        card = (await voters[0].say_in(group, '/propose "Build a bridge" 5')).post
        yes = str(card.button("Yes")["callback_data"])
        presses = [voter.press_data(yes, message=card) for voter in voters]
        presses += [voter.press_data(yes, message=card) for voter in voters[:100]]
        replies = await asyncio.gather(*presses)
        answers = [reply.alert for reply in replies]
        assert answers.count("Your vote: Yes.") == 300
        assert answers.count("You already voted Yes.") == 100

        async with app.session_factory() as session:
            assert await session.scalar(select(func.count()).select_from(Vote)) == 300
            assert await session.scalar(select(func.count(func.distinct(Vote.user_id)))) == 300
        await world.wait_for(lambda: "Yes: 300 · No: 0" in (card.text or ""), timeout=15)
        # The live card is edited now and then, never once per press.
        edits = [
            r
            for r in world.calls("editMessageText")
            if r.params.get("message_id") == card.message_id
        ]
        assert 1 <= len(edits) <= 10
        assert_spaced(edits)

        clock.advance(timedelta(minutes=5))
        await run_jobs(app, "voting-live-cards", "voting-proposal-deadlines")
        parts = [m for m in group.messages if m.message_id > card.message_id]
        text = "\n".join(m.text or "" for m in parts)
        assert len(parts) >= 2  # the names do not fit in one message
        assert "Result: passed" in text
        assert "Yes (300):" in text
        assert "No (0): nobody" in text
        assert "Abstained (0): nobody" in text
        assert all(f"Participant {n:03d}" in text for n in range(300))
        assert card.buttons == []
        check_world(world)  # no Bot API violations and never a 429


async def test_two_processes_post_each_result_once(backend: Backend) -> None:
    world = World(limits=TEST_SPEED.server_limits())
    admin = world.user("Ada")
    people = [world.user(f"Member {n}") for n in range(4)]
    groups = [world.group(f"Group {n}") for n in range(8)]
    for group in groups:
        for person in (admin, *people):
            group.add(person)
    clock = SettableClock()
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        admin_ids=frozenset({admin.id}),
    ) as box:
        app = await box.start()
        for group in groups:
            await seat(app, group, admin, people, clock, status="joining")
            await people[0].say_in(group, '/propose "Same time" 1')
            await people[1].say_in(group, "/vote yes")
            await people[2].say_in(group, "/vote no")
            await people[3].say_in(group, "/vote yes")
        worker = await box.worker()
        try:
            clock.advance(timedelta(minutes=2))
            for _ in range(3):
                for name in ("voting-join-windows", "voting-proposal-deadlines"):
                    await asyncio.gather(app.jobs.run_once(name), worker.jobs.run_once(name))
        finally:
            await worker.close()
        await app.sender.wait_settled()
        for group in groups:
            texts = [m.text or "" for m in group.messages]
            assert sum("Session started" in text for text in texts) == 1, group.title
            results = [text for text in texts if "Result:" in text]
            assert len(results) == 1, group.title
            assert "Yes (2): Member 1, Member 3" in results[0]
        async with app.session_factory() as session:
            statuses = (await session.scalars(select(Proposal.status))).all()
            assert statuses == ["closed"] * len(groups)
        check_world(world)
