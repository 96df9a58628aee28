"""The game and /add are flows like the others: one active flow, /cancel ends them.

The issue's case: a newcomer mid-intro adds a pair, starts a game and types the answer — the
answer belongs to the game, the intro waits (paused) and comes back where it stopped.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.features.game.models import GameSession
from bot.sandbox import ChatMessage
from tests.e2e.conftest import Community

ANSWER = {"dog": "собака", "собака": "dog"}


def prompt_of(card: ChatMessage) -> str:
    line = next(line for line in (card.text or "").splitlines() if line.startswith("Translate: "))
    return line.removeprefix("Translate: ")


async def open_games(community: Community, user_id: int) -> int:
    async with community.app.session_factory() as session:
        rows = await session.scalars(select(GameSession).where(GameSession.user_id == user_id))
        return len(list(rows))


async def test_a_game_started_mid_intro_takes_its_own_answers(community: Community) -> None:
    mia = community.member
    assert "What is your first name?" in (await mia.send("/start")).last.text
    await mia.send("/add dog = собака")
    reply = await mia.send("/game")
    posted = [message.text for message in reply.posted]
    assert posted[0] == "Paused: the introduction. Send /intro to continue where you stopped."
    card = reply.last
    answer = await mia.send(ANSWER[prompt_of(card)])
    assert "✅" in (card.text or ""), "the typed word answered the game"
    assert not any("last name" in text for text in answer.texts)

    back = await mia.send("/intro")
    assert any("What is your first name?" in text for text in back.texts)
    assert await open_games(community, mia.id) == 0, "leaving the game ends it"
    assert "What is your last name?" in (await mia.send("Mia")).post.text


async def test_cancel_ends_a_game(community: Community) -> None:
    mia = community.other
    await mia.send("/add dog = собака")
    await mia.send("/game")
    assert await open_games(community, mia.id) == 1
    assert (await mia.send("/cancel")).last.text == "Cancelled: the game."
    assert await open_games(community, mia.id) == 0
    reply = await mia.send("собака")
    assert reply.last.text == "I did not understand that. Send /help to see what I can do."


async def test_add_waiting_for_its_pair_is_left_for_a_game(community: Community) -> None:
    otto = community.other
    await otto.send("/add dog = собака")
    assert "Send the pair" in (await otto.send("/add")).last.text
    reply = await otto.send("/game")
    assert (reply.posted[0].text or "").startswith("Left: adding a word pair.")
    card = reply.last
    await otto.send(ANSWER[prompt_of(card)])
    assert "✅" in (card.text or "")
