"""Random Coffee through the sandbox: the weekly poll, answers, pairs, restarts, two processes."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.features.coffee import service
from bot.features.coffee.models import PAIRED, CoffeeAnswer, CoffeeRound
from bot.features.coffee.service import PAIRS_JOB, POLLS_JOB, Group, pairs_in
from bot.features.profile.models import Profile
from bot.sandbox import ChatMessage, UserActor, World
from bot.sandbox.harness import TEST_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, Community, check_world
from tests.e2e.jobs import run_jobs

# Monday 5 January 2026, 10:00 in Berlin: the weekly poll opens (COFFEE_POLL_AT=Mon 10:00).
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Wednesday 10:00 in Berlin: the pairs are made (COFFEE_PAIRS_AT=Wed 10:00).
WEDNESDAY = MONDAY + timedelta(days=2)
WEEK = timedelta(days=7)


@pytest.fixture
async def coffee(backend: Backend) -> AsyncIterator[Community]:
    """The `community` of the other flow tests, with Random Coffee on in its own topic; the
    clock starts on the Sunday before the first poll."""
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
    topics = {name: group.topic(name) for name in ("Intros", "Announcements", "Coffee")}
    clock = SettableClock(MONDAY - timedelta(hours=20))
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        admin_ids=frozenset({people["admin"].id}),
        community_chat_id=group.id,
        intro_topic_id=topics["Intros"],
        announcements_topic_id=topics["Announcements"],
        community_timezone="Europe/Berlin",
        coffee_poll_at="Mon 10:00",
        coffee_pairs_at="Wed 10:00",
        coffee_topic_id=topics["Coffee"],
    ) as box:
        await box.start()
        yield Community(box, clock, group, people, topics)
        check_world(world)


def in_topic(c: Community) -> list[ChatMessage]:
    return c.group.messages_in(c.topics["Coffee"])


def polls(c: Community) -> list[ChatMessage]:
    return [m for m in in_topic(c) if m.poll is not None]


def announcements(c: Community) -> list[ChatMessage]:
    return [m for m in in_topic(c) if m.poll is None]


async def open_week(c: Community, monday: datetime = MONDAY) -> ChatMessage:
    c.clock.set(monday)
    await run_jobs(c.app, POLLS_JOB)
    poll = polls(c)[-1]
    assert poll.poll is not None
    assert not poll.poll.is_closed
    return poll


async def pair_week(c: Community, wednesday: datetime = WEDNESDAY) -> None:
    c.clock.set(wednesday)
    await run_jobs(c.app, PAIRS_JOB)


async def weeks(c: Community) -> list[tuple[str, list[Group]]]:
    async with c.app.session_factory() as session:
        return await service.history(session, c.group.id)


async def count(c: Community, model: type[CoffeeRound] | type[CoffeeAnswer]) -> int:
    async with c.app.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def said_to(user: UserActor, reply: list[ChatMessage]) -> str | None:
    """The last text of a reply in the user's private chat (the group's posts left out)."""
    mine = [m for m in reply if m.chat_id == user.id]
    assert mine, f"nothing was said to {user.name}: {reply}"
    return mine[-1].text


def members(c: Community, *names: str, start: bool = True) -> list[UserActor]:
    joined = [c.join(name, username=name.lower()) for name in names]
    for user in joined:
        user.record.started = start
    return joined


async def test_a_week_with_seven_members_and_a_trio(coffee: Community) -> None:
    c = coffee
    regulars = [c.admin, c.moderator, c.member, c.other]
    for user in regulars:
        await user.send("/start")
    pia, quinn, sam = members(c, "Pia", "Quinn", "Sam")
    rob, zed = members(c, "Rob", "Zed", start=False)  # never started the bot

    poll = await open_week(c)
    assert poll.poll is not None
    assert poll.poll.question.startswith("☕ Random Coffee")
    assert poll.poll.options == ["Yes", "No"]
    assert not poll.poll.is_anonymous  # the bot gets every answer
    assert c.world.calls("sendPoll")[0].params["message_thread_id"] == c.topics["Coffee"]

    for user in (*regulars, pia, quinn, sam, rob, zed):
        await user.vote(poll, [0])
    await c.other.vote(poll, [1])  # changed: no
    await zed.vote(poll, [])  # withdrawn
    await c.moderator.vote(poll, [])
    await c.moderator.vote(poll, [0])  # and back
    assert await count(c, CoffeeAnswer) == 8  # Otto's "no" is kept, Zed's withdrawal is not

    async with c.app.session_factory() as session:
        session.add(
            Profile(
                user_id=c.member.id,
                first_name="Mia",
                last_name="Wallace",
                username="mia",
                about="Jazz & <b>dance</b>",
            )
        )
        await session.commit()

    await pair_week(c)
    assert poll.poll.is_closed  # stopped by the bot
    [announcement] = announcements(c)
    lines = (announcement.text or "").splitlines()
    assert lines[0] == "☕ Random Coffee pairs of the week:"
    assert [line.split(". ")[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert sorted(line.count(" × ") for line in lines[1:4]) == [1, 1, 2]  # two pairs, a trio
    assert announcement.html.count('<a href="tg://user?id=') == 7
    yes = {c.admin, c.moderator, c.member, pia, quinn, sam, rob}
    assert all(f"tg://user?id={user.id}" in announcement.html for user in yes)
    assert "Otto" not in (announcement.text or "")

    [(week, groups)] = await weeks(c)
    assert week == "2026-W02"
    assert sorted(len(group) for group in groups) == [2, 2, 3]
    assert sorted(u for group in groups for u in group) == sorted(user.id for user in yes)

    partners_of = {u: [v for g in groups if u in g for v in g if v != u] for g in groups for u in g}
    by_id = {user.id: user for user in (*regulars, pia, quinn, sam, rob)}
    for user in yes - {rob}:
        note = user.last_message.text or ""
        expected = "partners" if len(partners_of[user.id]) == 2 else "partner this week"
        assert expected in note, note
        for partner in partners_of[user.id]:
            assert by_id[partner].record.first_name in note
    assert rob.messages == []  # never started the bot: nothing, and nothing broke
    assert not any("Coffee" in (m.text or "") for m in c.other.messages)  # Otto said no
    # Mia has a profile: her partners get her card (her text escaped, as everywhere).
    for user in yes - {rob}:  # Rob never started the bot: nothing reaches him
        if c.member.id in partners_of[user.id]:
            assert "Jazz &amp; &lt;b&gt;dance&lt;/b&gt;" in user.last_message.html

    with pytest.raises(AssertionError, match="closed"):
        await pia.vote(poll, [1])
    await run_jobs(c.app, POLLS_JOB, PAIRS_JOB)  # nothing more this week
    assert len(polls(c)) == 1
    assert len(announcements(c)) == 1


async def test_no_pair_repeats_across_three_weeks_when_avoidable(coffee: Community) -> None:
    c = coffee
    four = [c.admin, c.member, c.other, *members(c, "Pia")]
    for week in range(3):
        poll = await open_week(c, MONDAY + week * WEEK)
        for user in four:
            await user.vote(poll, [0])
        await pair_week(c, WEDNESDAY + week * WEEK)
    history = await weeks(c)
    assert [week for week, _ in history] == ["2026-W02", "2026-W03", "2026-W04"]
    met = Counter(pair for _, groups in history for group in groups for pair in pairs_in(group))
    assert len(met) == 6  # every two of the four met, once
    assert set(met.values()) == {1}
    assert len(announcements(c)) == 3


@pytest.mark.parametrize("graceful", [True, False], ids=["stop", "crash"])
async def test_a_restart_between_the_poll_and_the_pairs(coffee: Community, graceful: bool) -> None:
    c = coffee
    poll = await open_week(c)
    await c.admin.vote(poll, [0])
    await c.member.vote(poll, [0])
    c.clock.set(MONDAY + timedelta(hours=5))
    await c.box.restart(graceful=graceful)
    await c.other.vote(poll, [0])  # answered to the new process
    await run_jobs(c.app, POLLS_JOB)
    assert len(polls(c)) == 1  # the restart opens nothing new

    await pair_week(c)
    await c.box.restart()
    await run_jobs(c.app, PAIRS_JOB)
    [(_, [trio])] = await weeks(c)
    assert sorted(trio) == sorted([c.admin.id, c.member.id, c.other.id])
    assert len(announcements(c)) == 1
    assert len([r for r in c.world.calls("stopPoll") if r.ok]) == 1


async def test_two_processes_post_one_poll_and_one_announcement(coffee: Community) -> None:
    c = coffee
    worker = await c.box.worker()
    try:
        c.clock.set(MONDAY)
        await asyncio.gather(run_jobs(c.app, POLLS_JOB), worker.jobs.run_once(POLLS_JOB))
        await asyncio.gather(run_jobs(c.app, POLLS_JOB), worker.jobs.run_once(POLLS_JOB))
        [poll] = polls(c)
        assert await count(c, CoffeeRound) == 1
        for user in (c.admin, c.member, c.other, c.moderator):
            await user.vote(poll, [0])
        c.clock.set(WEDNESDAY)
        await asyncio.gather(run_jobs(c.app, PAIRS_JOB), worker.jobs.run_once(PAIRS_JOB))
        await asyncio.gather(run_jobs(c.app, PAIRS_JOB), worker.jobs.run_once(PAIRS_JOB))
    finally:
        await worker.close()
    await c.app.sender.wait_settled()
    assert len(c.world.calls("sendPoll")) == 1
    assert len(announcements(c)) == 1
    assert len(c.world.calls("stopPoll")) == 1
    [(_, groups)] = await weeks(c)
    assert sorted(len(group) for group in groups) == [2, 2]


async def test_admin_commands_and_what_they_refuse(coffee: Community) -> None:
    c = coffee
    admin = c.admin
    for user in (c.member, c.other, c.stranger):
        await user.send("/start")
    c.clock.set(MONDAY - timedelta(hours=2))

    reply = await admin.send("/coffee_pair")
    assert said_to(admin, reply) == "No Random Coffee poll is open. Open one with /coffee_now."
    reply = await c.member.send("/coffee_now")
    assert said_to(c.member, reply) == "This is for community admins only."
    reply = await admin.say_in(c.group, "/coffee_now")
    assert reply.last.text == "This command works in a private chat with me."
    assert reply.last.chat_id == c.group.id

    reply = await admin.send("/coffee_now")
    assert said_to(admin, reply) == (
        "☕ The Random Coffee poll is posted. The pairs will be made on 07.01.2026 10:00 "
        "(Europe/Berlin), or at once with /coffee_pair."
    )
    [poll] = polls(c)
    reply = await admin.send("/coffee_now")
    assert said_to(admin, reply) == (
        "A Random Coffee poll is already open. Use /coffee_pair to make the pairs now."
    )
    await run_jobs(c.app, POLLS_JOB)  # the weekly poll is due (another week): one is open
    c.clock.set(MONDAY)
    await run_jobs(c.app, POLLS_JOB)
    assert len(polls(c)) == 1

    reply = await admin.send("/coffee_exclude")
    assert said_to(admin, reply) == (
        "Send /coffee_exclude @username (or a Telegram user id) to exclude a member from "
        "Random Coffee.\nExcluded now: nobody"
    )
    reply = await admin.send("/coffee_exclude @nobody_here")
    assert (said_to(admin, reply) or "").startswith("I do not know @nobody_here.")
    await c.other.vote(poll, [0])
    reply = await admin.send("/coffee_exclude @otto")
    assert said_to(admin, reply) == (
        "Otto is excluded from Random Coffee. Their answers are not counted until /coffee_include."
    )
    assert await count(c, CoffeeAnswer) == 0  # the answer already given is dropped
    reply = await admin.send("/coffee_exclude @OTTO")
    assert said_to(admin, reply) == "Otto is already excluded from Random Coffee."
    reply = await c.other.vote(poll, [])
    assert reply == []  # taking a vote back: no note
    reply = await c.other.vote(poll, [0])
    assert said_to(c.other, reply) == (
        "Your answer in the Random Coffee poll does not count: "
        "an admin has excluded you from Random Coffee."
    )
    assert await count(c, CoffeeAnswer) == 0
    reply = await admin.send("/coffee_exclude")
    assert (said_to(admin, reply) or "").endswith(f"Excluded now: Otto ({c.other.id})")
    reply = await admin.send(f"/coffee_include {c.other.id}")
    assert said_to(admin, reply) == "Otto takes part in Random Coffee again."
    reply = await admin.send("/coffee_include @otto")
    assert said_to(admin, reply) == "Otto is not excluded from Random Coffee."
    await c.other.vote(poll, [1])
    await c.other.vote(poll, [0])

    # Someone outside the community votes in a forward of the poll: refused, privately.
    friends = c.world.group("Friends")
    friends.set_bot_status("left")
    friends.add(c.member)
    friends.add(c.stranger)
    forwarded = await c.member.forward_message(poll, group=friends)
    reply = await c.stranger.vote(forwarded, [0])
    assert said_to(c.stranger, reply) == (
        "Your answer in the Random Coffee poll does not count: "
        "Random Coffee is for members of the community chat."
    )
    await c.member.vote(poll, [0])
    await admin.vote(poll, [0])

    reply = await admin.send("/coffee_pair")
    to_admin = [m.text for m in reply if m.chat_id == admin.id]
    assert to_admin[0] == "☕ Done: 3 people in one group. The pairs are announced in the chat."
    assert (to_admin[1] or "").startswith("☕ You are a trio in Random Coffee this week.")
    assert poll.poll is not None
    assert poll.poll.is_closed
    [(_, [trio])] = await weeks(c)
    assert sorted(trio) == sorted([admin.id, c.member.id, c.other.id])
    reply = await admin.send("/coffee_now")
    assert said_to(admin, reply) == (
        "This week's Random Coffee is already paired. The next poll opens at its usual time."
    )
    await run_jobs(c.app, PAIRS_JOB)
    assert len(announcements(c)) == 1

    # Next Monday the weekly poll opens again, in Russian for nobody: the community's language.
    await open_week(c, MONDAY + WEEK)
    assert len(polls(c)) == 2


async def test_one_or_no_yes_voter_makes_no_pairs(coffee: Community) -> None:
    c = coffee
    await c.member.send("/start")
    poll = await open_week(c)
    await c.member.vote(poll, [0])
    await c.other.vote(poll, [1])
    await pair_week(c)
    [announcement] = announcements(c)
    assert announcement.text == (
        "☕ Only Mia Wallace signed up for Random Coffee this week, so there are no pairs "
        "this time."
    )
    assert (c.member.last_message.text or "").startswith("☕ Nobody else signed up")

    await open_week(c, MONDAY + WEEK)
    await pair_week(c, WEDNESDAY + WEEK)
    assert announcements(c)[-1].text == "☕ Nobody signed up for Random Coffee this week."
    async with c.app.session_factory() as session:
        statuses = (await session.scalars(select(CoffeeRound.status))).all()
    assert list(statuses) == [PAIRED, PAIRED]


async def test_off_without_a_poll_time(community: Community) -> None:
    reply = await community.admin.send("/coffee_now")
    assert said_to(community.admin, reply) == (
        "Random Coffee is off: COFFEE_POLL_AT (and COMMUNITY_CHAT_ID) must be set."
    )
    await run_jobs(community.app, POLLS_JOB, PAIRS_JOB)
    assert community.world.calls("sendPoll") == []
    assert await community.app.jobs.until_due(POLLS_JOB) is None
