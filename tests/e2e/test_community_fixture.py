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


async def test_admin_menus_go_to_people_not_to_the_bot(community: Community) -> None:
    """The bot administers the community chat too; it gets no admin menu of its own."""
    scoped = [r for r in community.world.calls("setMyCommands") if r.params.get("scope")]
    chats = {r.params["scope"].get("chat_id") for r in scoped}
    assert community.admin.id in chats
    assert community.moderator.id in chats
    assert community.world.bot_user.id not in chats
    assert [r.description for r in community.world.calls("setMyCommands") if not r.ok] == []
