"""The review is a flow: typed answers grade the waiting card, /cancel and other flows end it, and
its buttons are checked by the one mechanism (a stale, expired or forged press: one alert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.features.training.keyboards import TrGradeCb, TrSnoozeCb
from bot.features.training.models import TrainingSession, WordPair
from bot.sandbox import ChatMessage, UserActor
from tests.e2e.conftest import Community

WORDS = "cat,кошка\ndog,собака\n".encode()
STALE = "This button is no longer active."
UNKNOWN = "I did not understand that. Send /help to see what I can do."
REVIEWING = "Review:answering"


def sides(card: ChatMessage) -> tuple[str, str]:
    """The word shown and the hidden answer of a card ("Card n of m", "", front, back)."""
    lines = (card.text or "").splitlines()
    return lines[2], lines[3]


async def state_of(community: Community, user: UserActor) -> str | None:
    key = StorageKey(bot_id=community.app.bot.id, chat_id=user.id, user_id=user.id)
    return await community.app.fsm.storage.get_state(key)


async def reps(community: Community, user_id: int) -> dict[str, int]:
    async with community.app.session_factory() as session:
        rows = await session.scalars(select(WordPair).where(WordPair.user_id == user_id))
        return {pair.word: pair.reps for pair in rows}


async def session_row(community: Community, user_id: int) -> TrainingSession | None:
    async with community.app.session_factory() as session:
        return await session.scalar(
            select(TrainingSession).where(TrainingSession.user_id == user_id)
        )


async def test_typed_answers_grade_the_card_right_and_wrong(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    first = (await mia.send("/review")).last
    assert (first.text or "").startswith("Card 1 of 2")
    assert await state_of(community, mia) == REVIEWING
    front, back = sides(first)

    reply = await mia.send(f"{back.upper()}!")  # the game's comparison: case, a trailing "!"
    assert first.buttons == [], "the answered card lost its buttons"
    assert "✅" in (first.text or "")
    assert f"{front} — {back}" in (first.text or ""), "the correct answer is shown"
    assert f"Your answer: {back.upper()}!" in (first.text or "")
    assert (first.text or "").endswith("Your grade: Good")
    second = reply.post
    assert (second.text or "").startswith("Card 2 of 2")
    row = await session_row(community, mia.id)
    assert row is not None
    assert (row.position, row.grades) == (1, {"3": 1})
    assert sorted((await reps(community, mia.id)).values()) == [0, 1]

    front, back = sides(second)
    reply = await mia.send("something else")
    assert "❌" in (second.text or "")
    assert f"{front} — {back}" in (second.text or ""), "the correct answer is shown"
    assert (second.text or "").endswith("Your grade: Again")
    assert reply.post.text == "Session complete: 2 cards. Again 1 · Hard 0 · Good 1 · Easy 0."
    assert await session_row(community, mia.id) is None
    assert await reps(community, mia.id) == {"cat": 1, "dog": 1}
    assert await state_of(community, mia) is None, "the session is over: so is the flow"

    # text after the end grades nothing
    assert (await mia.send(back)).last.text == UNKNOWN
    assert await reps(community, mia.id) == {"cat": 1, "dog": 1}


async def test_buttons_and_typed_answers_mix(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    first = (await mia.send("/review")).last
    good = str(first.button("Good")["callback_data"])
    _, back = sides(first)
    second = (await mia.send(back)).post
    # the typed answer moved the session on: the first card's button is stale now
    stale = await mia.press_data(good, message=first)
    assert stale.alert == STALE
    assert stale == [], "a stale press changes nothing"
    row = await session_row(community, mia.id)
    assert row is not None
    assert (row.position, row.grades) == (1, {"3": 1})
    # a grade button of the waiting card still works in the flow
    reply = await mia.press("Easy", message=second)
    assert reply.alert is None
    assert (second.text or "").endswith("Your grade: Easy")
    assert reply.post.text == "Session complete: 2 cards. Again 0 · Hard 0 · Good 1 · Easy 1."
    assert await state_of(community, mia) is None


async def test_cancel_ends_the_review_and_its_answers(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    good = str(card.button("Good")["callback_data"])
    _, back = sides(card)
    reply = await mia.send("/cancel")
    assert [m.text for m in reply.posted] == ["Cancelled: the review."]
    assert card.buttons == [], "the card of the ended review lost its buttons"
    assert await state_of(community, mia) is None
    assert await session_row(community, mia.id) is None

    # a typed answer after /cancel grades nothing, nor does the old card's button
    assert (await mia.send(back)).last.text == UNKNOWN
    assert (await mia.press_data(good, message=card)).alert == STALE
    assert await reps(community, mia.id) == {"cat": 0, "dog": 0}

    # and /review works again: a new session from the first card
    again = (await mia.send("/review")).last
    assert (again.text or "").startswith("Card 1 of 2")
    assert await state_of(community, mia) == REVIEWING
    _, back = sides(again)
    await mia.send(back)
    assert sorted((await reps(community, mia.id)).values()) == [0, 1]


async def test_another_flows_command_leaves_the_review(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    reply = await mia.send("/add")
    assert reply.posted[0].text == "Left: the review. Send /review to start again."
    assert len(reply.posted) == 2
    assert (reply.post.text or "").startswith("Send the pair")
    assert card.buttons == []
    assert await state_of(community, mia) == "TrainingAdd:waiting_for_pair"
    assert await session_row(community, mia.id) is None

    # the game too: /review, then /game leaves it with one line and takes the typed answers
    await mia.send("/cancel")
    await mia.send("/review")
    reply = await mia.send("/game")
    assert reply.posted[0].text == "Left: the review. Send /review to start again."
    assert (reply.post.text or "").startswith("Card 1 of 4")
    assert await state_of(community, mia) == "Game:answering"
    assert await session_row(community, mia.id) is None


async def test_review_command_in_the_flow_resumes_the_card(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    await mia.send("/review")
    await mia.press("Good")
    second = mia.last_message
    reply = await mia.send("/getpair")
    assert [m.text for m in reply.posted] == [second.text], "the same card, no 'Left' line"
    assert second.buttons == []
    assert await state_of(community, mia) == REVIEWING
    _, back = sides(reply.post)
    reply = await mia.send(back)
    assert reply.post.text == "Session complete: 2 cards. Again 0 · Hard 0 · Good 2 · Easy 0."


async def test_a_typed_answer_after_the_session_expired(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    _, back = sides(card)
    community.clock.advance(timedelta(hours=24))
    reply = await mia.send(back)
    assert reply.post.text == "This review session is over. Send /review to start a new one."
    assert card.text == "This review session has expired. Send /review to start a new one."
    assert card.buttons == []
    assert await state_of(community, mia) is None
    assert await session_row(community, mia.id) is None
    assert await reps(community, mia.id) == {"cat": 0, "dog": 0}


async def test_a_session_cleaned_up_under_the_flow(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    _, back = sides(card)
    community.clock.advance(timedelta(hours=24))
    assert await community.app.jobs.run_once("training-cleanup") == 1
    await community.app.sender.wait_settled()
    reply = await mia.send(back)
    assert reply.last.text == "This review session is over. Send /review to start a new one."
    assert await state_of(community, mia) is None
    assert await reps(community, mia.id) == {"cat": 0, "dog": 0}


async def test_non_text_while_a_card_waits_gets_a_hint(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    reply = await mia.send_sticker()
    assert reply.texts == ["Type the answer as text, or grade the card with a button."]
    assert await state_of(community, mia) == REVIEWING
    assert card.buttons == [["Again", "Hard", "Good", "Easy"]]
    _, back = sides(card)
    await mia.send(back)
    assert "✅" in (card.text or "")


async def test_stale_expired_and_forged_grade_buttons_get_one_alert(community: Community) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", WORDS)
    first = (await mia.send("/review")).last
    old_good = str(first.button("Good")["callback_data"])
    await mia.press("Hard", message=first)
    second = mia.last_message
    # the card moved on: the old card's button (its message without buttons now) is stale
    assert (await mia.press_data(old_good, message=first)).alert == STALE
    # a forged token, a grade no card offers, a snooze the card does not offer: stale
    row = await session_row(community, mia.id)
    assert row is not None
    forged = await mia.press_data(TrGradeCb(token=row.token + 1, grade=3).pack(), message=second)
    assert forged.alert == STALE
    no_grade = await mia.press_data(TrGradeCb(token=row.token, grade=7).pack(), message=second)
    assert no_grade.alert == STALE
    snooze = await mia.press_data(TrSnoozeCb(token=row.token, days=1).pack(), message=second)
    assert snooze.alert == STALE
    # Mia's real button pressed on Otto's chat (a forged press): stale
    await otto.send("/add q = w")
    otto_message = otto.last_message
    real = str(second.button("Good")["callback_data"])
    assert (await otto.press_data(real, message=otto_message)).alert == STALE
    row = await session_row(community, mia.id)
    assert row is not None
    assert (row.position, row.grades) == (1, {"2": 1})
    # an expired session: its button gets the same one alert and grades nothing
    community.clock.advance(timedelta(hours=24))
    expired = await mia.press("Good", message=second)
    assert expired.alert == STALE
    assert expired == []
    assert sorted((await reps(community, mia.id)).values()) == [0, 1]


async def test_a_reminder_card_graded_by_button_enters_the_flow(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    assert await state_of(community, mia) is None
    community.clock.set(datetime(2026, 1, 6, 8, tzinfo=UTC))  # the morning slot, UTC
    assert await community.app.jobs.run_once("training-reminders") == 1
    await community.app.sender.wait_settled()
    card = mia.last_message
    assert (card.text or "").startswith("⏰")
    assert await state_of(community, mia) is None, "a reminder sets no state"
    reply = await mia.press("Good", message=card)
    assert (reply.post.text or "").startswith("Card 2 of 2")
    assert await state_of(community, mia) == REVIEWING, "its next card takes typed answers"
    _, back = sides(reply.post)
    reply = await mia.send(back)
    assert reply.post.text == "Session complete: 2 cards. Again 0 · Hard 0 · Good 2 · Easy 0."
    assert await state_of(community, mia) is None


async def test_clearing_the_vocabulary_ends_the_review(community: Community) -> None:
    mia = community.member
    await mia.send_document("w.csv", WORDS)
    card = (await mia.send("/review")).last
    _, back = sides(card)
    await mia.send("/clear")
    assert await state_of(community, mia) == REVIEWING, "/clear asks first: the review waits"
    await mia.press("Delete everything")
    assert card.buttons == []
    assert await state_of(community, mia) is None
    assert await session_row(community, mia.id) is None
    assert (await mia.send(back)).last.text == UNKNOWN
