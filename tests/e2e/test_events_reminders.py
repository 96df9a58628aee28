"""Event reminders: 24 h and 1 h before the start, once, across restarts and processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.features.events.jobs import REMINDER_JOB
from bot.features.events.models import PENDING, SENT, SKIPPED
from tests.e2e.conftest import Community
from tests.e2e.test_events import events_in_db, setup_event

# 12.01.2026 19:00 in Berlin
START = datetime(2026, 1, 12, 18, 0, tzinfo=UTC)


def reminders(community: Community) -> list[str]:
    return [
        m.text or ""
        for m in community.group.messages_in(community.topics["Announcements"])
        if (m.text or "").startswith("⏰")
    ]


async def run_job(community: Community) -> object:
    done = await community.app.jobs.run_once(REMINDER_JOB)
    await community.app.sender.wait_settled()  # the reminders it queued are in the group
    return done


async def test_due_reminders_fire_once_each(community: Community) -> None:
    await setup_event(community, name="Call")
    community.clock.set(START - timedelta(hours=24, minutes=1))
    await run_job(community)
    assert reminders(community) == []

    community.clock.set(START - timedelta(hours=24) + timedelta(seconds=20))
    await run_job(community)
    await run_job(community)
    assert reminders(community) == [
        "⏰ Call (Club call) starts in 24 h: 12.01.2026 19:00 (Europe/Berlin).\n"
        "Propose a topic with /topic_add."
    ]
    await community.box.restart()
    await run_job(community)
    assert len(reminders(community)) == 1

    community.clock.set(START - timedelta(minutes=59))
    await run_job(community)
    await run_job(community)
    assert len(reminders(community)) == 2
    assert reminders(community)[1].startswith("⏰ Call (Club call) starts in 1 h: ")
    [event] = await events_in_db(community)
    assert (event.reminder_24h_state, event.reminder_1h_state) == (SENT, SENT)


async def test_two_processes_post_each_reminder_once(community: Community) -> None:
    for number in range(4):
        await setup_event(community, name=f"Event {number}", start=f"12.01.2026 1{number}:00")
    community.clock.set(datetime(2026, 1, 11, 14, 0, tzinfo=UTC))  # all four 24 h reminders due
    worker = await community.box.worker()
    try:
        await asyncio.gather(run_job(community), worker.jobs.run_once(REMINDER_JOB))
        await asyncio.gather(run_job(community), worker.jobs.run_once(REMINDER_JOB))
    finally:
        await worker.close()
    posted = reminders(community)
    assert sorted(text.split(" (")[0] for text in posted) == [f"⏰ Event {n}" for n in range(4)]
    assert {e.reminder_24h_state for e in await events_in_db(community)} == {SENT}


async def test_missed_reminders_are_skipped_not_sent_late(community: Community) -> None:
    await setup_event(community, name="Missed")
    await setup_event(community, name="Half missed", start="13.01.2026 19:00")
    # The bot was down from before the 24 h moments until after "Missed" started and
    # half an hour before "Half missed": only the 1 h reminder of the latter is still timely.
    community.clock.set(START + timedelta(hours=23, minutes=30))
    await run_job(community)
    assert reminders(community) == [
        "⏰ Half missed (Club call) starts in 30 min: 13.01.2026 19:00 (Europe/Berlin).\n"
        "Propose a topic with /topic_add."
    ]
    missed, half = await events_in_db(community)
    assert (missed.reminder_24h_state, missed.reminder_1h_state) == (SKIPPED, SKIPPED)
    assert (half.reminder_24h_state, half.reminder_1h_state) == (SKIPPED, SENT)
    await run_job(community)
    assert len(reminders(community)) == 1


async def test_editing_the_start_moves_the_reminders(community: Community) -> None:
    admin = community.admin
    await setup_event(community, name="Moved")
    community.clock.set(START - timedelta(hours=24) + timedelta(seconds=5))
    await run_job(community)
    assert len(reminders(community)) == 1  # the 24 h reminder of the old start

    await admin.send("/event_edit")
    await admin.press("Moved · 12.01.2026 19:00")
    await admin.press("Start")
    await admin.send("15.01.2026 19:00")
    [event] = await events_in_db(community)
    assert (event.reminder_24h_state, event.reminder_1h_state) == (PENDING, PENDING)

    community.clock.set(START - timedelta(minutes=30))  # the old 1 h moment: nothing now
    await run_job(community)
    assert len(reminders(community)) == 1
    new_start = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    community.clock.set(new_start - timedelta(hours=24))
    await run_job(community)
    assert len(reminders(community)) == 2
    assert "15.01.2026 19:00" in reminders(community)[1]


async def test_started_and_deleted_events_get_no_reminders(community: Community) -> None:
    admin = community.admin
    await setup_event(community, name="Early start")
    await setup_event(community, name="Gone", start="12.01.2026 20:00")
    await admin.send("/event_start")
    await admin.press("Early start · 12.01.2026 19:00")
    await admin.send("https://meet.example.org/early")
    await admin.press("✅ Confirm")
    await admin.send("/event_delete")
    await admin.press("Gone · 12.01.2026 20:00")
    await admin.press("✅ Confirm")
    community.clock.set(START - timedelta(minutes=30))
    await run_job(community)
    assert reminders(community) == []
