"""The bot checks its own rights: on my_chat_member in groups and when it starts, it tells the
admins what it lacks for the configured features (in the group once, in private to ADMIN_IDS)."""

from __future__ import annotations

from bot.features.moderation.jobs import RIGHTS_JOB
from bot.sandbox import ChatMessage, Reply
from tests.e2e.conftest import Community
from tests.e2e.jobs import run_jobs


async def started(community: Community) -> None:
    for person in (community.admin, community.moderator, community.member):
        await person.send("/language")


def posted_in(reply: Reply, chat_id: int) -> list[ChatMessage]:
    return [m for m in reply.posted if m.chat_id == chat_id]


def reports(messages: list[ChatMessage]) -> list[str]:
    return [m.text or "" for m in messages if "Agora Community" in (m.text or "")]


async def test_the_rights_report_when_the_bot_lacks_pin_rights(community: Community) -> None:
    c = community
    await started(c)
    reply = await c.group.set_bot_rights(can_pin_messages=False)
    [report] = posted_in(reply, c.group.id)
    assert report.text.startswith("⚠️ I am missing rights in Agora Community:")
    assert "Pin messages: event announcements are pinned." in report.text
    assert "Delete messages" not in report.text
    assert "not an administrator" not in report.text
    assert "@agora_test_bot" in report.text
    # ADMIN_IDS hear it in private too; the chat's other admins and members read the group.
    assert reports(c.admin.messages) == [report.text]
    assert reports(c.moderator.messages) == []
    assert reports(c.member.messages) == []

    # Told once: a change that leaves the same rights missing says nothing again.
    again = await c.group.set_bot_rights(can_pin_messages=False, can_invite_users=False)
    assert again.posted == []
    assert len(reports(c.admin.messages)) == 1

    # Given the right: one word that all is well now.
    [fixed] = posted_in(await c.group.set_bot_rights(), c.group.id)
    assert fixed.text == "✅ I now have every right I need in Agora Community. Thank you!"
    assert reports(c.admin.messages)[-1] == fixed.text


async def test_a_bot_that_is_no_admin_says_so_with_every_right_it_needs(
    community: Community,
) -> None:
    c = community
    await c.box.restart(readonly_topic_ids=frozenset({c.topics["Announcements"]}))
    reply = await c.group.set_bot_rights("member")
    text = reply.post.text
    assert "I am not an administrator there." in text
    assert "Pin messages: event announcements are pinned." in text
    assert (
        "Delete messages: members' posts in read-only topics are removed, "
        "commands meant for my private chat are tidied away." in text
    )
    assert "Manage topics" in text


async def test_removed_from_the_community_the_admins_hear_it_in_private(
    community: Community,
) -> None:
    c = community
    await started(c)
    reply = await c.group.set_bot_rights("left")
    assert [m.chat_id for m in reply.posted] == [c.admin.id]
    assert reply.post.text.startswith("⚠️ I am no longer in Agora Community")


async def test_the_rights_are_checked_when_the_bot_starts(community: Community) -> None:
    c = community
    await started(c)
    await run_jobs(c.app, RIGHTS_JOB)  # all rights: nothing to say
    assert c.group.messages == []
    await c.group.set_bot_rights(can_delete_messages=False, emit=False)  # changed while away
    await c.box.restart()
    # The check runs as the bot starts (a job's first round): the report is posted once.
    await c.world.wait_for(lambda: reports(c.group.messages))
    await c.app.sender.wait_settled()
    assert len(reports(c.group.messages)) == 1
    assert "Delete messages: commands meant for my private chat" in c.group.last_message.text
    assert len(reports(c.admin.messages)) == 1
    await run_jobs(c.app, RIGHTS_JOB)  # looked at again (daily): already told
    await c.box.restart()
    await run_jobs(c.app, RIGHTS_JOB)
    assert len(reports(c.group.messages)) == 1
    assert len(reports(c.admin.messages)) == 1


async def test_added_to_another_group_without_rights_it_says_so_once(
    community: Community,
) -> None:
    c = community
    side = c.world.group("Side chat", bot_admin=False)
    side.add(c.member)
    side.set_bot_status("left")
    reply = await side.set_bot_rights("member")  # added as a plain member
    assert [m.chat_id for m in reply.posted] == [side.id]
    assert "right to delete messages" in reply.post.text
    # Promoted later: nothing more to say there; nor in private.
    assert (await side.set_bot_rights()).posted == []
    assert reports(c.admin.messages) == []
