"""Access: the membership cache is bounded in size and in time."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from aiogram.enums import ChatMemberStatus

from bot.telegram.access import MEMBER_CACHE_SECONDS, Access

COMMUNITY = -100123


class FakeBot:
    """Answers getChatMember: everyone is a member; counts the questions."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def get_chat_member(self, chat_id: int, user_id: int) -> Any:
        assert chat_id == COMMUNITY
        self.asked.append(user_id)
        return SimpleNamespace(status=ChatMemberStatus.MEMBER)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_access(size: int) -> tuple[Access, FakeBot, Clock]:
    bot, clock = FakeBot(), Clock()
    access = Access(
        bot,  # type: ignore[arg-type]
        admin_ids=(),
        community_chat_id=COMMUNITY,
        clock=clock,
        member_cache_size=size,
    )
    return access, bot, clock


async def test_many_users_keep_at_most_the_cache_size() -> None:
    access, bot, _clock = make_access(size=50)
    for user_id in range(1, 1001):
        assert await access.is_member(user_id)
    assert len(access._members) == 50  # the most recent ones
    assert len(bot.asked) == 1000
    assert await access.is_member(1000)  # still cached
    assert await access.is_member(1)  # forgotten: asked again
    assert bot.asked[-1] == 1
    assert len(bot.asked) == 1001


async def test_a_membership_is_asked_again_after_its_time() -> None:
    access, bot, clock = make_access(size=50)
    assert await access.is_member(7)
    clock.now += MEMBER_CACHE_SECONDS / 2
    assert await access.is_member(7)
    assert bot.asked == [7]
    clock.now += MEMBER_CACHE_SECONDS
    assert await access.is_member(7)
    assert bot.asked == [7, 7]
