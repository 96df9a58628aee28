"""A member who introduced themselves: the intro card in the community's Intros topic."""

from __future__ import annotations

from bot.sandbox.client import ChatMessage
from tests.e2e.conftest import Community

ABOUT = "Marine biologist, I dive with sharks and teach kids to swim."


def intro_posts(community: Community) -> list[ChatMessage]:
    return community.group.messages_in(community.topics["Intros"])


async def onboard(community: Community) -> ChatMessage:
    """The member (Mia Wallace) goes through the intro; her published card."""
    mia = community.member
    await mia.send("/intro")
    await mia.send("Mia")
    await mia.send("Wallace")
    await mia.send(ABOUT)
    await mia.press("✅ Confirm")
    [card] = intro_posts(community)
    return card
