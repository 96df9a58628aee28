"""The quiz game through the sandbox: answers, reveals, misses coming back, restarts, timeouts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.features.game.keyboards import GmRevealCb
from bot.features.game.models import GameSession, GameStatistic
from bot.sandbox import ChatMessage, UserActor
from tests.e2e.conftest import Community

PAIRS = {"cat": "кошка", "dog": "собака, пёс (домашний)"}
STALE = "This button is no longer active."
ANSWERS = {"cat": "кошка", "кошка": "cat", "dog": "Пёс!", "собака, пёс (домашний)": "  DOG. "}


def prompt_of(card: ChatMessage) -> str:
    line = next(line for line in (card.text or "").splitlines() if line.startswith("Translate: "))
    return line.removeprefix("Translate: ")


async def add_words(user: UserActor, pairs: dict[str, str]) -> None:
    for word, translation in pairs.items():
        await user.send(f"/add {word} = {translation}")


async def game_row(community: Community, user_id: int) -> GameSession | None:
    async with community.app.session_factory() as session:
        return await session.scalar(select(GameSession).where(GameSession.user_id == user_id))


async def statistics(community: Community, user_id: int) -> list[tuple[int, int, int, str]]:
    async with community.app.session_factory() as session:
        rows = await session.scalars(select(GameStatistic).where(GameStatistic.user_id == user_id))
        return [(row.cards, row.correct, row.answered, row.ended_by) for row in rows]


async def test_a_game_played_to_the_end(community: Community) -> None:
    mia = community.member
    await add_words(mia, PAIRS)
    card = (await mia.send("/game")).last
    assert (card.text or "").startswith("Card 1 of 4 · ✅ 0")
    assert card.buttons == [["👀"]]
    prompts = []
    for number in range(1, 5):
        assert (card.text or "").startswith(f"Card {number} of 4")
        prompts.append(prompt_of(card))
        reply = await mia.send(ANSWERS[prompt_of(card)])
        assert card.buttons == []
        assert "✅" in (card.text or "")
        assert "Your answer:" in (card.text or "")
        card = reply.last
    assert sorted(prompts) == sorted([*PAIRS, *PAIRS.values()]), "each pair both ways"
    assert card.text == "Game over: 4 correct answers of 4, accuracy 100%."
    assert await game_row(community, mia.id) is None
    assert await statistics(community, mia.id) == [(4, 4, 4, "answers")]
    # the game is over: text is no answer any more
    reply = await mia.send("кошка")
    assert reply.last.text == "I did not understand that. Send /help to see what I can do."


async def test_a_miss_comes_back_at_the_end(community: Community) -> None:
    mia = community.member
    await add_words(mia, {"sun": "солнце"})
    first = (await mia.send("/game")).last
    missed = prompt_of(first)
    reply = await mia.press("👀", message=first)
    assert first.buttons == []
    assert "❌" in (first.text or "")
    assert "Your answer" not in (first.text or "")
    second = reply.last
    assert (second.text or "").startswith("Card 2 of 3")
    second_prompt = prompt_of(second)
    reply = await mia.send("wrong")
    assert "❌" in (second.text or "")
    assert "— " in (second.text or ""), "the expected answer is shown"
    third = reply.last
    assert (third.text or "").startswith("Card 3 of 4")
    assert prompt_of(third) == missed
    await mia.send({"sun": "солнце", "солнце": "sun"}[missed])
    fourth = mia.last_message
    assert prompt_of(fourth) == second_prompt, "the second miss comes back too"
    reply = await mia.press("👀", message=fourth)
    assert reply.last.text == "Game over: 1 correct answers of 4, accuracy 25%."
    assert await statistics(community, mia.id) == [(4, 1, 4, "answers")]


async def test_stale_and_foreign_reveal_buttons(community: Community) -> None:
    mia = community.member
    await add_words(mia, PAIRS)
    first = (await mia.send("/game")).last
    data = str(first.button("👀")["callback_data"])
    await mia.send(ANSWERS[prompt_of(first)])
    reply = await mia.press_data(data, message=first)
    assert reply.alert == STALE
    row = await game_row(community, mia.id)
    assert row is not None
    assert (row.position, row.answered) == (1, 1)
    reply = await mia.press_data(GmRevealCb(token=row.token + 1).pack(), message=mia.last_message)
    assert reply.alert == STALE


async def test_restart_mid_game_keeps_the_card_and_the_score(community: Community) -> None:
    mia = community.member
    await add_words(mia, PAIRS)
    first = (await mia.send("/game")).last
    await mia.send(ANSWERS[prompt_of(first)])
    second_prompt = prompt_of(mia.last_message)
    await mia.send("no idea")
    third = mia.last_message
    assert (third.text or "").startswith("Card 3 of 5 · ✅ 1")

    await community.box.restart()
    reply = await mia.send("/game")
    resumed = reply.last
    assert resumed.text == third.text, "the same card, the same score"
    assert third.buttons == []
    await mia.send(ANSWERS[prompt_of(resumed)])
    assert (mia.last_message.text or "").startswith("Card 4 of 5 · ✅ 2")

    await community.box.restart()
    fourth = mia.last_message
    await mia.send(ANSWERS[prompt_of(fourth)])
    fifth = mia.last_message
    assert (fifth.text or "").startswith("Card 5 of 5 · ✅ 3")
    assert prompt_of(fifth) == second_prompt, "the missed card came back"
    reply = await mia.send(ANSWERS[prompt_of(fifth)])
    assert reply.last.text == "Game over: 4 correct answers of 5, accuracy 80%."


async def test_fifteen_minutes_without_an_answer_end_the_game(community: Community) -> None:
    mia = community.member
    await add_words(mia, PAIRS)
    first = (await mia.send("/game")).last
    await mia.send(ANSWERS[prompt_of(first)])
    card = mia.last_message
    community.clock.advance(timedelta(minutes=15) - timedelta(seconds=1))
    assert await community.app.jobs.run_once("game-timeout") == 0
    assert await game_row(community, mia.id) is not None
    community.clock.advance(timedelta(seconds=1))
    assert await community.app.jobs.run_once("game-timeout") == 1
    await community.app.sender.wait_settled()  # what the job queued was delivered
    assert card.buttons == []
    assert card.text == "Time is up for this game."
    assert mia.last_message.text == (
        "15 minutes without an answer: the game is over. 1 correct answers of 1, accuracy 100%."
    )
    assert await game_row(community, mia.id) is None
    assert await statistics(community, mia.id) == [(4, 1, 1, "timeout")]
    assert await community.app.jobs.run_once("game-timeout") == 0
    reply = await mia.send("кошка")
    assert reply.last.text == "I did not understand that. Send /help to see what I can do."


async def test_a_late_answer_finds_the_game_over(community: Community) -> None:
    mia = community.member
    await add_words(mia, PAIRS)
    await mia.send("/game")
    community.clock.advance(timedelta(minutes=16))
    reply = await mia.send("кошка")  # before the job came round
    assert reply.last.text == (
        "15 minutes without an answer: the game is over. 0 correct answers of 0, accuracy 0%."
    )
    assert await statistics(community, mia.id) == [(4, 0, 0, "timeout")]
    card = (await mia.send("/game")).last
    assert (card.text or "").startswith("Card 1 of 4 · ✅ 0"), "a new game"


async def test_game_without_words(community: Community) -> None:
    reply = await community.member.send("/game")
    assert (reply.last.text or "").startswith("Your vocabulary is empty.")


async def test_game_cleanup_deletes_only_expired_rows(community: Community) -> None:
    mia, otto = community.member, community.other
    await add_words(mia, PAIRS)
    await add_words(otto, PAIRS)
    await mia.send("/game")
    community.clock.advance(timedelta(seconds=1))
    await otto.send("/game")
    community.clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    assert await community.app.jobs.run_once("game-cleanup") == 1
    assert await game_row(community, mia.id) is None
    assert await game_row(community, otto.id) is not None


async def test_reveal_of_an_expired_or_foreign_game_gets_the_one_alert(
    community: Community,
) -> None:
    mia, otto = community.member, community.other
    await add_words(mia, PAIRS)
    await add_words(otto, PAIRS)
    card = (await mia.send("/game")).last
    otto_card = (await otto.send("/game")).last
    # Mia's real 👀 pressed on Otto's card (a forged press): refused, neither game moves
    data = str(card.button("👀")["callback_data"])
    assert (await otto.press_data(data, message=otto_card)).alert == STALE
    row = await game_row(community, mia.id)
    assert row is not None
    assert row.answered == 0

    community.clock.advance(timedelta(hours=24))
    reply = await mia.press("👀", message=card)
    assert reply.alert == STALE
    assert reply == [], "an expired game takes no press"
    assert await statistics(community, mia.id) == []
    new = (await mia.send("/game")).last
    assert card.text == "This game has expired.", "the next /game says so on the old card"
    assert (new.text or "").startswith("Card 1 of 4 · ✅ 0")
