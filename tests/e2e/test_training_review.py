"""Review sessions through the sandbox: FSRS grading, stale and double presses, restarts, expiry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.features.training.keyboards import TrGradeCb
from bot.features.training.models import TrainingSession, WordPair
from tests.e2e.conftest import Community

WORDS = "cat,кошка\ndog,собака\nsun,солнце\n".encode()


async def pairs(community: Community, user_id: int) -> dict[str, WordPair]:
    async with community.app.session_factory() as session:
        rows = await session.scalars(select(WordPair).where(WordPair.user_id == user_id))
        return {pair.word: pair for pair in rows}


async def session_row(community: Community, user_id: int) -> TrainingSession | None:
    async with community.app.session_factory() as session:
        return await session.scalar(
            select(TrainingSession).where(TrainingSession.user_id == user_id)
        )


async def test_a_review_session_to_the_end(community: Community) -> None:
    mia = community.member
    now = community.clock()
    await mia.send_document("w.csv", WORDS)
    first = (await mia.send("/review")).last
    assert first.text is not None
    assert first.text.startswith("Card 1 of 3")
    assert "<tg-spoiler>" in first.html
    assert first.buttons == [["Again", "Hard", "Good", "Easy"]]
    reply = await mia.press("Good")
    assert first.buttons == [], "the graded card lost its buttons"
    assert first.text.endswith("Your grade: Good")
    assert "<tg-spoiler>" not in first.html
    assert reply.last.text is not None
    assert reply.last.text.startswith("Card 2 of 3")
    await mia.press("Easy")
    reply = await mia.press("Again")
    assert reply.last.text == ("Session complete: 3 cards. Again 1 · Hard 0 · Good 1 · Easy 1.")
    assert await session_row(community, mia.id) is None
    stored = await pairs(community, mia.id)
    assert all(pair.reps == 1 and pair.fsrs_card for pair in stored.values())
    assert all(pair.due > now for pair in stored.values())
    # Easy is scheduled later than Good, Good later than Again
    by_grade = sorted(stored.values(), key=lambda pair: pair.due)
    assert [pair.fsrs_card["state"] for pair in by_grade if pair.fsrs_card] == [1, 1, 2]


async def test_due_cards_come_first_and_due_dates_advance(community: Community) -> None:
    mia = community.member
    await mia.send("/add zebra — зебра")
    await mia.send("/getpair")
    await mia.press("Good")
    first_due = (await pairs(community, mia.id))["zebra"].due
    await mia.send_document("w.csv", WORDS)
    community.clock.advance(timedelta(days=1))
    card = (await mia.send("/review")).last
    assert "zebra" in (card.text or "") or "зебра" in (card.text or ""), "the due card first"
    await mia.press("Good")
    zebra = (await pairs(community, mia.id))["zebra"]
    assert zebra.reps == 2
    assert zebra.due > first_due + timedelta(days=1)


async def test_getpair_is_a_session_of_one_card(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/getpair")).last
    assert card.text is not None
    assert card.text.startswith("Card 1 of 1")
    reply = await mia.press("Hard")
    assert reply.last.text == "Session complete: 1 cards. Again 0 · Hard 1 · Good 0 · Easy 0."
    reviewed = [pair for pair in (await pairs(community, mia.id)).values() if pair.reps]
    assert len(reviewed) == 1


async def test_nothing_to_review(community: Community) -> None:
    mia = community.member
    reply = await mia.send("/review")
    assert reply.last.text is not None
    assert reply.last.text.startswith("Nothing to review")
    await mia.send("/add a = b")
    await mia.send("/getpair")
    await mia.press("Easy")
    reply = await mia.send("/review")
    assert reply.last.text is not None
    assert reply.last.text.startswith("Nothing is due right now. The next card is due on")


async def test_stale_buttons_and_double_presses_grade_once(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    first = (await mia.send("/review")).last
    good = str(first.button("Good")["callback_data"])
    await mia.press("Good", message=first)
    again = await mia.press_data(good, message=first)
    assert again.alert == "This button is no longer active."
    assert again == [], "a stale press changes nothing"
    row = await session_row(community, mia.id)
    assert row is not None
    assert row.position == 1
    assert row.grades == {"3": 1}

    # a button of another session (a forged token) is stale too
    forged = TrGradeCb(token=row.token + 1, grade=4).pack()
    reply = await mia.press_data(forged, message=mia.last_message)
    assert reply.alert == "This button is no longer active."

    # two presses of the same card at once: one grade, one next card
    second = mia.last_message
    data = str(second.button("Easy")["callback_data"])
    replies = await asyncio.gather(
        mia.press_data(data, message=second), mia.press_data(data, message=second)
    )
    assert sorted(str(r.alert) for r in replies) == ["None", "This button is no longer active."]
    row = await session_row(community, mia.id)
    assert row is not None
    assert row.position == 2
    assert row.grades == {"3": 1, "4": 1}
    assert sum(pair.reps for pair in (await pairs(community, mia.id)).values()) == 2
    cards = [m for m in mia.messages if (m.text or "").startswith("Card 3 of 3")]
    assert len(cards) == 1

    # someone else cannot press this user's card (a forged callback on their message)
    otto = community.other
    await otto.send("/add q = w")
    reply = await otto.press_data(
        str(mia.last_message.button("Good")["callback_data"]), message=mia.last_message
    )
    assert reply.alert == "This button is no longer active."
    row = await session_row(community, mia.id)
    assert row is not None
    assert row.position == 2


async def test_restart_mid_review_continues_on_the_same_card(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    await mia.send("/review")
    await mia.press("Again")
    second = mia.last_message
    assert (second.text or "").startswith("Card 2 of 3")
    await community.box.restart()
    reply = await mia.press("Good", message=second)
    assert reply.last.text is not None
    assert reply.last.text.startswith("Card 3 of 3")

    await community.box.restart()
    third = mia.last_message
    reply = await mia.send("/review")
    resumed = reply.last
    assert resumed.text == third.text, "the same card again"
    assert third.buttons == [], "the old copy lost its buttons"
    reply = await mia.press("Hard", message=resumed)
    assert reply.last.text == "Session complete: 3 cards. Again 1 · Hard 1 · Good 1 · Easy 0."


async def test_getpair_resumes_an_open_session(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    await mia.send("/review")
    await mia.press("Good")
    reply = await mia.send("/getpair")
    assert reply.last.text is not None
    assert reply.last.text.startswith("Card 2 of 3")


async def test_24_hour_expiry(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    await mia.send("/review")
    await mia.press("Good")
    card = mia.last_message
    community.clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    reply = await mia.press("Good", message=card)
    assert reply.alert is None, "one second before the expiry the session is alive"
    card = mia.last_message
    community.clock.advance(timedelta(hours=24))
    reply = await mia.press("Good", message=card)
    assert reply.alert == "This button is no longer active."
    assert reply == [], "an expired card grades nothing"
    reply = await mia.send("/review")
    # the expired card says so (the next /review or the cleanup job, whichever comes first)
    assert card.buttons == []
    assert card.text == "This review session has expired. Send /review to start a new one."
    assert reply.last.text is not None
    assert reply.last.text.startswith("Card 1 of ")


async def test_cleanup_deletes_only_expired_sessions(community: Community) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    await otto.send_document("w.csv", WORDS)
    await mia.send("/review")
    mia_card = mia.last_message
    community.clock.advance(timedelta(seconds=1))
    await otto.send("/review")
    otto_card = otto.last_message
    community.clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    # now: exactly 24 h after Mia's last step, 24 h − 1 s after Otto's
    assert await community.app.jobs.run_once("training-cleanup") == 1
    await community.app.sender.wait_settled()
    assert await session_row(community, mia.id) is None
    assert await session_row(community, otto.id) is not None
    assert mia_card.buttons == []
    assert (mia_card.text or "").startswith("This review session has expired.")
    assert otto_card.buttons != []
    reply = await mia.press_data(TrGradeCb(token=1, grade=3).pack(), message=mia_card)
    assert reply.alert == "This button is no longer active."
    assert await community.app.jobs.run_once("training-cleanup") == 0
