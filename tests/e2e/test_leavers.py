"""A member who leaves (or is removed from) the community chat: their intro card and flows."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.features.profile.models import Profile
from tests.e2e.conftest import Community
from tests.e2e.onboarding import ABOUT, intro_posts, onboard


async def profile_row(community: Community, user_id: int) -> Profile | None:
    async with community.app.session_factory() as session:
        return await session.scalar(select(Profile).where(Profile.user_id == user_id))


async def test_a_member_who_leaves_loses_the_card_and_the_open_flow(
    community: Community,
) -> None:
    mia = community.member
    card = await onboard(community)
    await mia.send("/intro")  # mid-intro again
    prompt = mia.last_message
    assert prompt.keyboard
    await community.group.leave(mia)
    assert card.deleted
    profile = await profile_row(community, mia.id)
    assert profile is not None  # the profile stays
    assert profile.published_message_id is None
    assert await community.app.dispatcher.fsm.storage.get_state(key(community, mia.id)) is None
    assert not prompt.keyboard  # the flow's prompt lost its buttons


async def test_the_card_of_a_removed_member_is_kept_with_keep(community: Community) -> None:
    await community.box.restart(intro_card_of_leavers="keep")
    mia = community.member
    card = await onboard(community)
    await mia.send("/intro")
    await community.group.kick(mia)
    assert not card.deleted
    profile = await profile_row(community, mia.id)
    assert profile is not None
    assert profile.published_message_id == card.message_id
    assert await community.app.dispatcher.fsm.storage.get_state(key(community, mia.id)) is None


def key(community: Community, user_id: int) -> StorageKey:
    bot_id = community.world.bot_user.id
    return StorageKey(bot_id=bot_id, chat_id=user_id, user_id=user_id)


async def test_a_member_who_left_can_still_export_and_forget(community: Community) -> None:
    mia = community.member
    await onboard(community)
    await community.group.leave(mia)
    await mia.send("/export_me")
    assert mia.last_message.document is not None
    await mia.send("/forget")
    await mia.press("🗑 Delete everything")
    assert await profile_row(community, mia.id) is None


async def test_either_update_alone_removes_the_card(community: Community) -> None:
    """chat_member (an admin bot gets it) and the "left" service message (a fallback) each do."""
    mia, otto = community.member, community.other
    card = await onboard(community)
    world, chat = community.world, community.group.record
    chat.members[mia.id] = "kicked"
    update = {
        "chat": chat.to_api(),
        "from": community.admin.record.to_api(),
        "date": world.now(),
        "old_chat_member": world.member_api(mia.id, "member", forum=True),
        "new_chat_member": world.member_api(mia.id, "kicked", forum=True),
    }
    await world.settle([world.enqueue("chat_member", update)])
    assert card.deleted

    await otto.send("/intro")
    for answer in ("Otto", "Kuznetsov", ABOUT):
        await otto.send(answer)
    await otto.press("✅ Confirm")
    otto_card = intro_posts(community)[-1]
    assert not otto_card.deleted
    chat.members[otto.id] = "left"
    notice = world.add_message(chat, otto.record, {"left_chat_member": otto.record.to_api()})
    await world.settle([world.enqueue("message", notice.to_api())])
    assert otto_card.deleted
