"""Native polls in the fake server: sendPoll, stopPoll and the poll_answer updates of votes."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputPollOption

from bot.sandbox import World
from bot.sandbox.client import ChatMessage, GroupActor, UserActor


@pytest.fixture
def club(world: World) -> GroupActor:
    return world.group("Club", forum=True)


@pytest.fixture
def alice(world: World, club: GroupActor) -> UserActor:
    user = world.user("Alice", username="alice")
    club.add(user)
    return user


def options(*texts: str) -> list[InputPollOption]:
    return [InputPollOption(text=text) for text in texts]


def answers(world: World) -> list[dict[str, Any]]:
    return [u.payload["poll_answer"] for u in world.updates if u.kind == "poll_answer"]


async def send_poll(bot: Bot, world: World, group: GroupActor, **kwargs: Any) -> ChatMessage:
    sent = await bot.send_poll(group.id, "Coffee?", options("Yes", "No"), **kwargs)
    [message] = [m for m in group.messages if m.message_id == sent.message_id]
    return message


async def test_a_poll_in_a_topic_and_its_answers(
    bot: Bot, world: World, no_wait: World, club: GroupActor, alice: UserActor
) -> None:
    topic = club.topic("Coffee")
    sent = await bot.send_poll(
        club.id,
        "Coffee <b>this</b> week?",
        options("Yes", "No"),
        message_thread_id=topic,
        question_parse_mode="HTML",
        is_anonymous=False,
    )
    assert sent.poll is not None
    assert sent.message_thread_id == topic
    assert sent.poll.question == "Coffee this week?"  # only custom emoji would stay
    assert [option.text for option in sent.poll.options] == ["Yes", "No"]
    assert (sent.poll.is_anonymous, sent.poll.is_closed, sent.poll.allows_revoting) == (
        False,
        False,
        True,
    )
    [message] = club.messages_in(topic)
    assert message.poll is not None
    assert message.poll.id == sent.poll.id

    await alice.vote(message, [0])
    await alice.vote(message, [1])  # changed
    await alice.vote(message, [])  # taken back
    assert [(a["poll_id"], a["user"]["id"], a["option_ids"]) for a in answers(world)] == [
        (sent.poll.id, alice.id, [0]),
        (sent.poll.id, alice.id, [1]),
        (sent.poll.id, alice.id, []),
    ]
    assert answers(world)[0]["option_persistent_ids"] == ["0"]
    await alice.vote(message, [0])
    assert message.to_api()["poll"]["options"][0]["voter_count"] == 1
    assert message.to_api()["poll"]["total_voter_count"] == 1


async def test_anonymous_polls_send_no_answers(
    bot: Bot, world: World, no_wait: World, club: GroupActor, alice: UserActor
) -> None:
    message = await send_poll(bot, world, club)  # anonymous unless told otherwise
    assert message.poll is not None
    assert message.poll.is_anonymous
    await alice.vote(message, [0])
    assert answers(world) == []
    assert message.poll.votes == {alice.id: [0]}


async def test_a_stopped_poll_takes_no_votes(
    bot: Bot, world: World, no_wait: World, club: GroupActor, alice: UserActor
) -> None:
    message = await send_poll(bot, world, club, is_anonymous=False)
    await alice.vote(message, [1])
    stopped = await bot.stop_poll(club.id, message.message_id)
    assert stopped.is_closed
    assert [option.voter_count for option in stopped.options] == [0, 1]
    with pytest.raises(TelegramBadRequest, match="poll has already been closed"):
        await bot.stop_poll(club.id, message.message_id)
    with pytest.raises(AssertionError, match="closed"):
        await alice.vote(message, [0])
    text = await bot.send_message(club.id, "not a poll")
    with pytest.raises(TelegramBadRequest, match="message with poll to stop not found"):
        await bot.stop_poll(club.id, text.message_id)


async def test_telegram_rules_for_votes(
    bot: Bot, world: World, no_wait: World, club: GroupActor, alice: UserActor
) -> None:
    message = await send_poll(bot, world, club, is_anonymous=False, allows_revoting=False)
    stranger = world.user("Stan")
    with pytest.raises(AssertionError, match="cannot see"):
        await stranger.vote(message, [0])
    with pytest.raises(AssertionError, match="one answer"):
        await alice.vote(message, [0, 1])
    with pytest.raises(AssertionError, match="no such option"):
        await alice.vote(message, [2])
    with pytest.raises(AssertionError, match="no vote to take back"):
        await alice.vote(message, [])
    await alice.vote(message, [0])
    with pytest.raises(AssertionError, match="does not allow changing"):
        await alice.vote(message, [1])
    assert len(answers(world)) == 1

    # A member forwards the poll to a chat the stranger is in: there the stranger votes in it.
    friends = world.group("Friends")
    friends.set_bot_status("left")
    friends.add(alice)
    friends.add(stranger)
    forwarded = await alice.forward_message(message, group=friends)
    await stranger.vote(forwarded, [1])
    assert answers(world)[-1]["user"]["id"] == stranger.id
    assert message.poll is not None
    assert answers(world)[-1]["poll_id"] == message.poll.id


@pytest.mark.parametrize(
    ("question", "texts", "error"),
    [
        ("", ("Yes", "No"), "question is empty"),
        ("<b> </b>", ("Yes", "No"), "poll question must be non-empty"),
        ("x" * 301, ("Yes", "No"), "poll question length must not exceed 300"),
        ("Coffee?", tuple(str(n) for n in range(13)), "poll must have 1-12 options"),
        ("Coffee?", ("Yes", "y" * 101), "poll option length must not exceed 100"),
        ("Coffee?", ("Yes", "Yes"), "POLL_OPTION_DUPLICATE"),
    ],
)
async def test_poll_limits(
    bot: Bot, club: GroupActor, question: str, texts: tuple[str, ...], error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_poll(
            club.id, question, options(*texts), is_anonymous=False, question_parse_mode="HTML"
        )
