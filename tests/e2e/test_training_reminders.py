"""Reminders with a fixed clock: local slots, busy learners, expiry, snooze, pause, once a slot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.features.core.models import User
from bot.features.training.jobs import claim_reminder
from bot.features.training.keyboards import TrSettingsCb
from bot.features.training.models import LearningSettings, TrainingSession, WordPair
from bot.jobs.runner import JobContext
from bot.sandbox import UserActor, World
from bot.sandbox.harness import REAL_SPEED, Sandbox, SettableClock
from tests.e2e.conftest import Backend, Community, check_world

REMIND = "training-reminders"
DAY = datetime(2026, 1, 6, tzinfo=UTC)  # the fixture's clock starts at 2026-01-05 09:00 UTC
WORDS = "cat,кошка\ndog,собака\nsun,солнце\n".encode()
FIVE = b"a,1\nb,2\nc,3\nd,4\ne,5\n"


async def at(community: Community, moment: datetime) -> object:
    community.clock.set(moment)
    queued = await community.app.jobs.run_once(REMIND)
    await community.app.sender.wait_settled()  # the reminders it queued were delivered
    return queued


async def settings_of(community: Community, user_id: int) -> LearningSettings:
    async with community.app.session_factory() as session:
        row = await session.get(LearningSettings, user_id)
        assert row is not None
        return row


def reminders(user: UserActor) -> list[str]:
    """Reminder cards sent to the user (also those edited since, e.g. expired)."""
    return [
        str(call.params["text"])
        for call in user.world.calls("sendMessage")
        if str(call.params.get("chat_id")) == str(user.id)
        and str(call.params.get("text", "")).startswith("⏰")
    ]


async def test_reminder_at_the_slot_of_the_users_time_zone(community: Community) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    await otto.send_document("w.csv", WORDS)
    await mia.send("/settings")
    await mia.press("🌍 Time zone: UTC (UTC±0)")
    reply = await mia.send("moscow")
    assert "Time zone: Europe/Moscow (UTC+3)" in (reply.last.text or "")

    assert await at(community, DAY + timedelta(hours=4, minutes=59)) == 0
    assert await at(community, DAY + timedelta(hours=5)) == 1  # 08:00 in Moscow (UTC+3)
    card = mia.last_message
    assert (card.text or "").startswith("⏰ Time to review: 3 cards are due.")
    assert "Card 1 of 3" in (card.text or "")
    assert card.buttons == [["Again", "Hard", "Good", "Easy"]], "all due cards fit: no snooze"
    assert reminders(otto) == [], "05:00 in UTC is no slot"
    # 20 minutes on (no longer "busy", still within the slot's grace): the slot is spent
    assert await at(community, DAY + timedelta(hours=5, minutes=20)) == 0, "once per slot"
    assert await at(community, DAY + timedelta(hours=8)) == 1  # Otto's 08:00 UTC
    assert len(reminders(otto)) == 1
    assert len(reminders(mia)) == 1
    # a slot switched off does not fire
    await otto.send("/settings")
    await otto.press("Afternoon 13:00 ✅")
    assert not (await settings_of(community, otto.id)).remind_afternoon
    assert await at(community, DAY + timedelta(hours=13)) == 0
    # the reminder's card works like any card
    reply = await mia.press("Good", message=card)
    assert (reply.last.text or "").startswith("Card 2 of 3")


async def test_reminders_follow_daylight_saving_time(community: Community) -> None:
    """Europe/Berlin: the 08:00 slot is 07:00 UTC in winter and 06:00 UTC in summer."""
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    await otto.send_document("w.csv", WORDS)
    await mia.send("/settings")
    await mia.press("🌍 Time zone: UTC (UTC±0)")
    await mia.send("Berlin")
    assert (await settings_of(community, mia.id)).time_zone == "Europe/Berlin"

    assert await at(community, DAY + timedelta(hours=6, minutes=59)) == 0
    assert await at(community, DAY + timedelta(hours=7)) == 1  # 08:00 CET
    assert len(reminders(mia)) == 1
    assert reminders(otto) == []
    assert await at(community, DAY + timedelta(hours=7, minutes=20)) == 0, "once per slot"

    summer = datetime(2026, 7, 7, tzinfo=UTC)
    assert await at(community, summer + timedelta(hours=5, minutes=59)) == 0
    assert await at(community, summer + timedelta(hours=6)) == 1  # 08:00 CEST
    assert len(reminders(mia)) == 2
    assert reminders(otto) == []
    assert await at(community, summer + timedelta(hours=7, minutes=1)) == 0, "spent, not 07:00"
    assert len(reminders(mia)) == 2
    assert (await settings_of(community, mia.id)).last_slot_at == summer + timedelta(hours=6)
    panel = (await mia.send("/settings")).last
    assert "Time zone: Europe/Berlin (UTC+2)" in (panel.text or ""), "the offset of now"


async def test_busy_learner_is_left_alone_and_an_old_session_expires(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    community.clock.set(DAY + timedelta(hours=7, minutes=50))
    await mia.send("/review")
    await mia.press("Good")
    card = mia.last_message
    assert await at(community, DAY + timedelta(hours=8)) == 0, "active 10 minutes ago"
    assert await at(community, DAY + timedelta(hours=8, minutes=20)) == 0, "that slot is spent"
    assert card.buttons != []

    assert await at(community, DAY + timedelta(hours=13)) == 1
    assert card.buttons == []
    assert (card.text or "").startswith("This review session has expired.")
    new = mia.last_message
    assert "Card 1 of 3" in (new.text or "")
    async with community.app.session_factory() as session:
        rows = list(await session.scalars(select(TrainingSession)))
    assert [(row.message_id, row.position) for row in rows] == [(new.message_id, 0)]


async def test_snooze_when_more_cards_are_overdue_than_fit(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", FIVE)
    panel = (await mia.send("/settings")).last
    await mia.press_data(TrSettingsCb(what="c", value=2).pack(), message=panel)
    assert (await settings_of(community, mia.id)).cards_per_session == 2

    assert await at(community, DAY + timedelta(hours=8)) == 1
    card = mia.last_message
    assert "5 cards are due" in (card.text or "")
    assert "Card 1 of 2" in (card.text or "")
    assert card.buttons == [
        ["Again", "Hard", "Good", "Easy"],
        ["Snooze 1 day", "Snooze 1 week"],
    ]
    reply = await mia.press("Snooze 1 week", message=card)
    assert reply.last.text == "Snoozed: 5 cards moved by a week."
    assert card.buttons == []
    async with community.app.session_factory() as session:
        dues = set(await session.scalars(select(WordPair.due)))
        assert await session.scalar(select(TrainingSession)) is None
    assert dues == {DAY + timedelta(hours=8, days=7)}
    assert await at(community, DAY + timedelta(hours=13)) == 0, "nothing is due now"


async def test_snooze_is_offered_on_the_first_card_only(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", FIVE)
    panel = (await mia.send("/settings")).last
    await mia.press_data(TrSettingsCb(what="c", value=2).pack(), message=panel)
    assert await at(community, DAY + timedelta(hours=8)) == 1
    reply = await mia.press("Good")
    assert reply.last.buttons == [["Again", "Hard", "Good", "Easy"]]


async def test_pause_after_nine_unanswered_reminders_and_resume(community: Community) -> None:
    mia = community.member
    await mia.send("/add cat — кошка")
    slots = [DAY + timedelta(days=d, hours=h) for d in range(5) for h in (8, 13, 20)]
    for slot in slots[:8]:
        assert await at(community, slot) == 1
    assert (await settings_of(community, mia.id)).unanswered == 8
    assert not (await settings_of(community, mia.id)).paused
    assert await at(community, slots[8]) == 1
    assert mia.last_message.text == (
        "I have sent 9 reminders without an answer, so I paused them. "
        "Send /review or open /settings to resume them."
    )
    assert (await settings_of(community, mia.id)).paused
    assert await at(community, slots[9]) == 0
    assert len(reminders(mia)) == 9

    await mia.send("hello")  # any activity resumes them
    resumed = await settings_of(community, mia.id)
    assert (resumed.paused, resumed.unanswered) == (False, 0)
    assert await at(community, slots[10]) == 1
    # an answer starts the count again
    await mia.press("Good")
    assert (await settings_of(community, mia.id)).unanswered == 0


async def test_one_reminder_per_slot_with_two_processes_and_a_restart(
    community: Community,
) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    await otto.send_document("w.csv", WORDS)
    community.clock.set(DAY + timedelta(hours=8))
    worker = await community.box.worker()
    try:
        results = await asyncio.gather(
            community.app.jobs.run_once(REMIND), worker.jobs.run_once(REMIND)
        )
        assert sum(int(str(n)) for n in results) == 2
        community.clock.set(DAY + timedelta(hours=8, minutes=20))
        assert await worker.jobs.run_once(REMIND) == 0
    finally:
        await worker.close()
    await community.box.restart()
    assert await community.app.jobs.run_once(REMIND) == 0
    await community.app.sender.wait_settled()
    assert len(reminders(mia)) == 1
    assert len(reminders(otto)) == 1


async def test_a_learner_claimed_by_another_process_is_skipped(
    community: Community, backend: Backend
) -> None:
    """FOR UPDATE SKIP LOCKED: while one process holds a learner's row, another passes by."""
    if backend.name != "pg+redis":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    community.clock.set(DAY + timedelta(hours=8))
    app = community.app
    context = JobContext(
        bot=app.bot,
        session_factory=app.session_factory,
        settings=app.settings,
        clock=community.clock,
    )
    async with app.session_factory() as holder, holder.begin():
        stmt = select(LearningSettings).where(LearningSettings.user_id == mia.id)
        assert await holder.scalar(stmt.with_for_update()) is not None
        claimed = await asyncio.wait_for(claim_reminder(context, mia.id, community.clock()), 5)
        assert claimed is False
    assert reminders(mia) == []
    assert await app.jobs.run_once(REMIND) == 1


async def test_blocked_learners_are_skipped(community: Community) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    await otto.send_document("w.csv", WORDS)
    mia.block_bot(emit=False)
    # Both are queued (nobody knows yet that Mia blocked the bot); Telegram refuses hers.
    assert await at(community, DAY + timedelta(hours=8)) == 2
    assert len(reminders(otto)) == 1
    assert (await settings_of(community, mia.id)).last_slot_at == DAY + timedelta(hours=8)
    async with community.app.session_factory() as session:
        user = await session.get(User, mia.id)
        assert user is not None
        assert user.is_blocked  # her session is left to expire (training-cleanup)
    assert await at(community, DAY + timedelta(hours=13)) == 1  # Otto only


async def test_reminders_for_many_learners_keep_to_telegrams_limits(backend: Backend) -> None:
    """Pacing, not volume: a few dozen learners at Telegram's real limits (the pacer is what
    keeps 10,000 under them too: one global bucket of 28 messages a second)."""
    clock = SettableClock(DAY + timedelta(hours=7))
    world = World(limits=REAL_SPEED.server_limits())
    async with Sandbox(
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        world=world,
        clock=clock,
        speed=REAL_SPEED,
    ) as box:
        app = await box.start()
        learners = [world.user(f"Learner{i}") for i in range(40)]
        async with app.session_factory() as session, session.begin():
            for learner in learners:
                learner.record.started = True
                session.add(User(id=learner.id, first_name=learner.name))
            await session.flush()
            for learner in learners:
                session.add(LearningSettings(user_id=learner.id))
                session.add(
                    WordPair(
                        user_id=learner.id,
                        word="cat",
                        word_key="cat",
                        translation="кошка",
                        due=clock(),
                    )
                )
        clock.set(DAY + timedelta(hours=8))
        assert await app.jobs.run_once(REMIND) == len(learners)
        await app.sender.wait_settled()
        assert all(len(reminders(learner)) == 1 for learner in learners)
        check_world(world)
