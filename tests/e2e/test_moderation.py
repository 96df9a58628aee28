"""Group hygiene through the fake Telegram: read-only topics, replies moved to the discussion
topic, "joined / left" messages removed, private commands typed in the group tidied away."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.base import utcnow
from bot.features.content.models import ContentMessage
from bot.features.moderation.service import Topics, Verdict, verdict
from bot.outbox.sender import TIDY_AFTER
from tests.e2e.conftest import Community
from tests.e2e.jobs import run_jobs


@pytest.fixture
async def moderated(community: Community) -> Community:
    """The community with Announcements and Intros read-only, a Discussion topic for replies
    and REMOVE_SERVICE_MESSAGES on."""
    community.topics["Discussion"] = community.group.topic("Discussion")
    await community.box.restart(
        readonly_topic_ids=frozenset(
            {community.topics["Announcements"], community.topics["Intros"]}
        ),
        discussion_topic_id=community.topics["Discussion"],
        remove_service_messages=True,
    )
    return community


async def started(community: Community) -> None:
    """Members who have written to the bot in private (so it may write to them)."""
    for person in (community.member, community.other, community.admin):
        await person.send("/language")


def internal(chat_id: int) -> str:
    return str(chat_id).removeprefix("-100")


# --- read-only topics ---------------------------------------------------------------------------


async def test_a_member_post_in_a_readonly_topic_is_removed_and_explained(
    moderated: Community,
) -> None:
    c = moderated
    await started(c)
    before = len(c.member.messages)
    await c.member.say_in(
        c.group, "Buy <b>my</b> course & more", thread_id=c.topics["Announcements"]
    )
    post = c.member.last_sent
    assert post.deleted
    notes = c.member.messages[before:]
    assert len(notes) == 1
    note = notes[0]
    assert "Agora Community" in note.text
    assert "only the admins post" in note.text
    assert "reply to it" in note.text  # replies have a place to go
    assert "Buy <b>my</b> course & more" in note.text  # the copy, shown as typed (escaped)
    assert "<blockquote>Buy &lt;b&gt;my&lt;/b&gt; course &amp; more</blockquote>" in note.html

    # A sticker (no text) goes too, and the note has no copy.
    await c.other.send_sticker(group=c.group, thread_id=c.topics["Intros"])
    assert c.other.last_sent.deleted
    assert "Your text" not in c.other.last_message.text
    assert "only the admins post" in c.other.last_message.text
    # A command typed there by a member is removed like any post (no command answer).
    await c.member.say_in(c.group, "/help", thread_id=c.topics["Announcements"])
    assert c.member.last_sent.deleted
    assert c.group.messages == []  # the bot said nothing in the group


async def test_admins_post_in_readonly_topics_and_other_topics_are_free(
    moderated: Community,
) -> None:
    c = moderated
    ann = c.topics["Announcements"]
    await c.admin.say_in(c.group, "Meetup on Friday", thread_id=ann)  # ADMIN_IDS
    assert not c.admin.last_sent.deleted
    await c.moderator.say_in(c.group, "Room 101", thread_id=ann)  # the chat's administrator
    assert not c.moderator.last_sent.deleted
    await c.member.say_in(c.group, "Hello all", thread_id=c.topics["Content"])
    assert not c.member.last_sent.deleted
    await c.member.say_in(c.group, "Hello general")
    assert not c.member.last_sent.deleted
    assert c.world.calls("deleteMessages") == []


async def test_a_member_who_never_started_the_bot_is_not_written_to(
    moderated: Community,
) -> None:
    c = moderated
    stranger = c.join("Newbie")
    for text in ("first", "second"):
        await stranger.say_in(c.group, text, thread_id=c.topics["Announcements"])
        assert stranger.last_sent.deleted
    assert stranger.messages == []
    # Telegram refused the first note; the second was not even tried.
    tried = [r for r in c.world.calls("sendMessage") if r.params["chat_id"] == stranger.id]
    assert len(tried) == 1
    assert not tried[0].ok


async def test_a_reply_to_a_readonly_post_is_moved_to_the_discussion_topic(
    moderated: Community,
) -> None:
    c = moderated
    ann, discussion = c.topics["Announcements"], c.topics["Discussion"]
    await c.admin.say_in(c.group, "Meetup on Friday at 7", thread_id=ann)
    original = c.admin.last_sent
    before = len(c.member.messages)
    reply = await c.member.say_in(c.group, "Can I bring a <friend>?", reply_to=original)
    assert c.member.last_sent.deleted
    assert not original.deleted
    moved = reply.post
    assert moved.thread_id == discussion
    assert "Mia Wallace" in moved.text
    assert "Can I bring a <friend>?" in moved.text
    link = f"https://t.me/c/{internal(c.group.id)}/{ann}/{original.message_id}"
    assert f'<a href="{link}">' in moved.html
    assert f'<a href="tg://user?id={c.member.id}">Mia Wallace</a>' in moved.html
    assert len(c.member.messages) == before  # moved, not explained
    # An admin's reply stays where it is.
    await c.moderator.say_in(c.group, "Yes!", reply_to=original)
    assert not c.moderator.last_sent.deleted
    # In the discussion topic itself anyone writes.
    await c.other.say_in(c.group, "See you there", thread_id=discussion)
    assert not c.other.last_sent.deleted


async def test_without_a_discussion_topic_a_reply_is_removed_like_a_post(
    community: Community,
) -> None:
    c = community
    ann = c.topics["Announcements"]
    await c.box.restart(readonly_topic_ids=frozenset({ann}))
    await started(c)
    await c.admin.say_in(c.group, "Meetup on Friday", thread_id=ann)
    original = c.admin.last_sent
    before = len(c.member.messages)
    await c.member.say_in(c.group, "Me too", reply_to=original)
    assert c.member.last_sent.deleted
    note = c.member.messages[before:][0]
    assert "only the admins post" in note.text
    assert "reply to it" not in note.text  # no discussion topic to point to
    assert "Me too" in note.text
    assert c.group.messages == []


async def test_a_readonly_content_topic_archives_only_what_stays(community: Community) -> None:
    c = community
    content = c.topics["Content"]
    await c.box.restart(readonly_topic_ids=frozenset({content}))
    await c.member.say_in(c.group, "Spam about Rust", thread_id=content)
    assert c.member.last_sent.deleted
    await c.admin.say_in(c.group, "Talk about Rust", thread_id=content)
    assert not c.admin.last_sent.deleted
    async with c.app.session_factory() as session:
        rows = (await session.scalars(select(ContentMessage))).all()
    assert [row.text for row in rows] == ["Talk about Rust"]


def test_verdicts() -> None:
    topics = Topics(chat_id=-1, readonly=frozenset({5}), discussion=9)
    common = {"chat_id": -1, "thread_id": 5, "has_text": True}
    assert verdict(topics, by_admin=True, replies_to_post=True, **common) is Verdict.KEEP
    assert verdict(topics, by_admin=False, replies_to_post=True, **common) is Verdict.MOVE
    assert verdict(topics, by_admin=False, replies_to_post=False, **common) is Verdict.REMOVE
    photo = {**common, "has_text": False}
    assert verdict(topics, by_admin=False, replies_to_post=True, **photo) is Verdict.REMOVE
    elsewhere = {**common, "thread_id": 9}
    assert verdict(topics, by_admin=False, replies_to_post=True, **elsewhere) is Verdict.KEEP
    other_chat = {**common, "chat_id": -2}
    assert verdict(topics, by_admin=False, replies_to_post=False, **other_chat) is Verdict.KEEP
    # A discussion topic that is itself read-only moves nothing.
    loop = Topics(chat_id=-1, readonly=frozenset({5, 9}), discussion=9)
    assert verdict(loop, by_admin=False, replies_to_post=True, **common) is Verdict.REMOVE


# --- a tidy group -------------------------------------------------------------------------------


async def test_joined_and_left_messages_are_removed(moderated: Community) -> None:
    c = moderated
    newcomer = c.world.user("Nina")
    await c.group.join(newcomer)
    joined = [m for m in c.group.record.messages.values() if "new_chat_members" in m.content]
    assert [m.deleted for m in joined] == [True]
    await c.group.leave(newcomer)
    left = [m for m in c.group.record.messages.values() if "left_chat_member" in m.content]
    assert [m.deleted for m in left] == [True]


async def test_joined_messages_stay_when_not_asked_to_remove_them(community: Community) -> None:
    c = community
    await c.group.join(c.world.user("Nina"))
    joined = [m for m in c.group.record.messages.values() if "new_chat_members" in m.content]
    assert [m.deleted for m in joined] == [False]
    assert c.world.calls("deleteMessages") == []


def later(community: Community) -> None:
    """The outbox sender's clock moves past the tidy-up delay (its rows are due)."""
    community.app.sender.clock = lambda: utcnow() + TIDY_AFTER + timedelta(seconds=1)


async def test_a_private_command_in_the_group_is_answered_then_tidied_away(
    community: Community,
) -> None:
    c = community
    reply = await c.member.say_in(c.group, "/profile")
    command = c.member.last_sent
    answer = reply.post
    assert answer.text == "This command works in a private chat with me."
    assert answer.reply_to == command
    assert answer.button("@agora_test_bot")["url"] == "https://t.me/agora_test_bot"
    # Both stay for a while (a scheduled row waits for its time, holding nothing back) ...
    await c.admin.say_in(c.group, "/help")
    assert not command.deleted
    assert not answer.deleted
    assert c.group.last_message.text != answer.text  # /help's answer went out meanwhile
    # ... and go once it is due.
    later(c)
    await run_jobs(c.app, "outbox-sender")
    assert command.deleted
    assert answer.deleted


async def test_without_the_right_to_delete_the_answer_stays_quietly(
    community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    c = community
    c.world.bot_rights[c.group.id] = {"can_delete_messages": False}
    reply = await c.member.say_in(c.group, "/profile")
    later(c)
    with caplog.at_level(logging.INFO):
        await run_jobs(c.app, "outbox-sender")
    assert not c.member.last_sent.deleted
    assert not reply.post.deleted
    refused = [r for r in c.world.calls("deleteMessages") if not r.ok]
    assert len(refused) == 1
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
