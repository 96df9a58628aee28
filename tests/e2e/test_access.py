"""Access through the guards: admins, members, chat types, forged buttons, menus, deep links."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox import GroupActor, UserActor, World
from bot.sandbox.harness import Sandbox
from tests.e2e.conftest import check_world
from tests.e2e.flows import TEST_FEATURES


class Community:
    def __init__(self, box: Sandbox, group: GroupActor, **people: UserActor) -> None:
        self.box = box
        self.group = group
        self.admin = people["admin"]  # in ADMIN_IDS
        self.chat_admin = people["chat_admin"]  # administrator of the community chat
        self.member = people["member"]
        self.stranger = people["stranger"]  # not in the community chat


@pytest.fixture
async def community(sqlite_url: str) -> AsyncIterator[Community]:
    world = World()
    people = {
        "admin": world.user("Ada"),
        "chat_admin": world.user("Chad"),
        "member": world.user("Mia"),
        "stranger": world.user("Stan"),
    }
    group = world.group("Community", forum=True)
    group.add(people["chat_admin"], admin=True)
    group.add(people["member"])
    async with Sandbox(
        database_url=sqlite_url,
        world=world,
        features=TEST_FEATURES,
        admin_ids=frozenset({people["admin"].id}),
        community_chat_id=group.id,
    ) as box:
        await box.start()
        yield Community(box, group, **people)
        check_world(world)


async def test_admins_from_admin_ids_and_from_the_community_chat(community: Community) -> None:
    for person in (community.admin, community.chat_admin):
        reply = await person.send("/panel")
        assert reply.last.text == "Panel for admins."


async def test_non_admins_are_refused_for_commands_and_buttons(community: Community) -> None:
    reply = await community.member.send("/panel")
    assert reply.last.text == "This is for community admins only."
    admin_card = (await community.admin.send("/panel")).last
    forged = await community.member.press_data(
        admin_card.button("Purge")["callback_data"], message=community.member.last_message
    )
    assert forged.alert == "This is for community admins only."
    real = await community.admin.press("Purge")
    assert real.alert == "Purged."


async def test_members_only_commands(community: Community) -> None:
    assert (await community.member.send("/club")).last.text == "Welcome to the club."
    refused = await community.stranger.send("/club")
    assert refused.last.text.startswith("This is for community members only.")
    community.group.add(community.stranger)
    community.box.app.access._members.clear()  # type: ignore[union-attr]  # skip the cache
    assert (await community.stranger.send("/club")).last.text == "Welcome to the club."


async def test_admin_commands_only_in_private(community: Community) -> None:
    reply = await community.chat_admin.say_in(community.group, "/panel")
    assert reply.last.text == "This command works in a private chat with me."


async def test_help_and_menus_show_admin_commands_to_admins_only(community: Community) -> None:
    admin_help = (await community.admin.send("/help")).last.text
    member_help = (await community.member.send("/help")).last.text
    assert "Admin commands" in admin_help
    assert "/panel" in admin_help
    assert "/panel" not in member_help
    world = community.box.world
    for person in (community.admin, community.chat_admin):
        menu = dict(world.commands_for({"type": "chat", "chat_id": person.id}))
        assert "panel" in menu
    assert "panel" not in dict(world.commands_for({"type": "all_private_chats"}))


async def test_deep_link_enters_a_flow(community: Community) -> None:
    reply = await community.member.send("/start survey")
    assert reply.last.text == "What is your name?"
