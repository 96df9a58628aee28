"""The shared `community` fixture is what it says: admins, members, a forum with its topics."""

from __future__ import annotations

from tests.e2e.conftest import Community


async def test_community_roles(community: Community) -> None:
    access = community.app.access
    assert await access.is_admin(community.admin.id)
    assert await access.is_admin(community.moderator.id)
    assert not await access.is_admin(community.member.id)
    assert await access.is_member(community.member.id)
    assert not await access.is_member(community.stranger.id)
    assert set(community.topics) == {"Intros", "Announcements", "Content"}
    assert community.app.settings.intro_topic_id == community.topics["Intros"]
