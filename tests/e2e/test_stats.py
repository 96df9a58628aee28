"""Flow runs and /stats, through the fake Telegram, on both backends.

Flows are driven to each end (completed, cancelled, left for another flow, expired at the FSM
TTL and found by the expiry job), then an admin's /stats gives the exact figures and the chart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.db.flow_runs import FlowRun
from bot.features.events.jobs import REMINDER_JOB
from bot.features.stats.jobs import EXPIRY_JOB
from bot.features.training.jobs import REMINDERS_JOB as REVIEW_REMINDERS_JOB
from bot.sandbox import UserActor
from tests.e2e.conftest import Community
from tests.e2e.jobs import run_jobs
from tests.e2e.test_events import setup_event

ABOUT = "I teach maths and run the chess club."


async def runs(community: Community) -> list[tuple[str, int, str]]:
    async with community.app.session_factory() as session:
        rows = (await session.scalars(select(FlowRun).order_by(FlowRun.id))).all()
    return [(row.kind, row.user_id, row.status) for row in rows]


async def forget_fsm(community: Community, user: UserActor) -> None:
    """The user's FSM record goes, as it does at its TTL."""
    app = community.app
    key = StorageKey(bot_id=app.bot.id, chat_id=user.id, user_id=user.id)
    await app.fsm.storage.set_state(key, None)
    await app.fsm.storage.set_data(key, {})


async def test_stats_count_each_end_of_a_flow(community: Community) -> None:
    ada, mia, otto = community.admin, community.member, community.other
    await setup_event(community)  # EventSetup: completed
    # Intro: completed, in 90 seconds.
    await mia.send("/start")
    await mia.send("Mia")
    await mia.send("Wallace")
    await mia.send(ABOUT)
    community.clock.advance(timedelta(seconds=90))
    await mia.press("✅ Confirm")
    # Review: three cards reviewed to the end (completed).
    await mia.send_document("w.csv", "cat,кошка\ndog,собака\nsun,солнце\n".encode())
    await mia.send("/review")
    for grade in ("Good", "Easy", "Again"):
        await mia.press(grade)
    # EventSetup: cancelled.
    await ada.send("/event_setup")
    await ada.send("/cancel")
    # ContentSearch: left for EventSetup, which is cancelled.
    await ada.send("/content")
    await ada.send("/event_setup")
    await ada.send("/cancel")
    # Intro: its FSM record goes at the TTL; the job finds it expired.
    await otto.send("/start")
    await forget_fsm(community, otto)
    # EventSetup: its FSM record is still there at the TTL: the job lets it go on.
    await ada.send("/event_setup")
    community.clock.advance(timedelta(seconds=community.app.settings.fsm_ttl_seconds + 60))
    await run_jobs(community.app, EXPIRY_JOB)
    assert (await runs(community))[-1] == ("EventSetup", ada.id, "active")
    await ada.send("/cancel")
    # ContentSearch: active now.
    await mia.send("/content")
    # VotingSession (a durable session of the group): one closed, one open.
    chair = community.moderator  # an administrator of the community chat
    await chair.say_in(community.group, '/create_session "Lunch" 5')
    await chair.say_in(community.group, "/close_session")
    await chair.say_in(community.group, '/create_session "Council" 5')

    assert await runs(community) == [
        ("EventSetup", ada.id, "completed"),
        ("Intro", mia.id, "completed"),
        ("Review", mia.id, "completed"),
        ("EventSetup", ada.id, "cancelled"),
        ("ContentSearch", ada.id, "left"),
        ("EventSetup", ada.id, "cancelled"),
        ("Intro", otto.id, "expired"),
        ("EventSetup", ada.id, "cancelled"),
        ("ContentSearch", mia.id, "active"),
        ("VotingSession", chair.id, "completed"),
        ("VotingSession", chair.id, "active"),
    ]

    reply = await ada.send("/stats")
    assert "photo" in reply.last.content  # one message: the chart, the figures as its caption
    chart = reply.last.file
    assert chart is not None
    assert chart.data.startswith(b"\x89PNG")
    assert reply.last.caption == "\n".join(
        [
            "📊 Stats",
            "Members: 4 · profiles: 1 · published intros: 1",
            "",
            "Flows active now: ContentSearch 1, VotingSession 1",
            "Last 7 days (started → completed / cancelled / expired, median time to complete):",
            "ContentSearch: 2 → 0 / 1 / 0, median –",  # left counts as cancelled
            "EventSetup: 4 → 1 / 3 / 0, median 0s",
            "Intro: 2 → 1 / 0 / 1, median 1m 30s",
            "Review: 1 → 1 / 0 / 0, median 0s",
            "VotingSession: 2 → 1 / 0 / 0, median 0s",
            "",
            "Events ahead: 1 · voting sessions open: 1",
            "Learners active (7 days): 1 · cards reviewed: 3",
            "Outbox: 0 waiting, oldest –",
            "Reminders sent (7 days): events 0 · reviews 0",
        ]
    )
    assert len(reply) == 1  # one message: the chart with the figures as its caption


async def test_stats_are_for_admins(community: Community) -> None:
    reply = await community.member.send("/stats")
    assert [message.text for message in reply] == ["This is for community admins only."]
    assert community.world.calls("sendDocument") == []


async def test_a_paused_flow_resumed_goes_on_with_the_same_run(community: Community) -> None:
    ada = community.admin  # without a profile: /start begins her introduction
    await ada.send("/start")
    await ada.send("Ada")
    await ada.send("/event_setup")  # the intro is paused
    await ada.send("/intro")  # and resumed (the event setup is paused in turn)
    await ada.send("/cancel")
    assert await runs(community) == [
        ("Intro", ada.id, "cancelled"),
        ("EventSetup", ada.id, "active"),
    ]


async def test_stats_count_event_reminders_sent(community: Community) -> None:
    await setup_event(community, name="Call")  # 12.01.2026 19:00 in Berlin
    start = datetime(2026, 1, 12, 18, 0, tzinfo=UTC)
    community.clock.set(start - timedelta(hours=24) + timedelta(seconds=20))
    await run_jobs(community.app, REMINDER_JOB)  # the 24 h reminder
    community.clock.set(start - timedelta(minutes=59))
    await run_jobs(community.app, REMINDER_JOB)  # the 1 h reminder
    caption = (await community.admin.send("/stats")).last.caption
    assert caption is not None
    lines = caption.split("\n")
    assert "Events ahead: 1 · voting sessions open: 0" in lines
    assert "Outbox: 0 waiting, oldest –" in lines
    assert "Reminders sent (7 days): events 2 · reviews 0" in lines


async def test_stats_count_review_reminders_delivered(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", "cat,кошка\ndog,собака\n".encode())
    community.clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))  # Mia's 08:00 slot (UTC)
    assert await community.app.jobs.run_once(REVIEW_REMINDERS_JOB) == 1
    await community.app.sender.wait_settled()  # the reminder card was delivered
    assert (mia.last_message.text or "").startswith("⏰")
    await mia.send("/review")  # a review's own card is a reply, not a reminder
    caption = (await community.admin.send("/stats")).last.caption
    assert caption is not None
    assert "Reminders sent (7 days): events 0 · reviews 1" in caption.split("\n")
