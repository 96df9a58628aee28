"""/feedback: a member's next message reaches every admin who started the bot (and the admin
chat), under a line naming the sender; bad input is re-asked, /cancel, another flow's command
and the prompt's timeout end it. Through the fake Telegram, on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.features.core.models import User
from bot.sandbox import UserActor
from bot.sandbox.client import ChatMessage, Reply
from tests.e2e.conftest import Community

PROMPT = (
    "What would you like to tell the admins? Send one message: text, a photo, a document or a"
    " voice message.\nThis request is open for 15 minutes."
)
UNSUPPORTED = (
    "I can pass on text, a photo, a document or a voice message (a video or an audio file too),"
    " not this."
)
SENT = "Thank you! Your message was passed on to the admins."
NOBODY = (
    "Sorry, your message could not be passed on to any admin right now. Please try again later."
)
EXPIRED = (
    "This request expired after 15 minutes, so your message was not passed on."
    " Send /feedback to try again."
)
WAITING = "Feedback:waiting"


async def state_of(community: Community, user: UserActor) -> str | None:
    key = StorageKey(bot_id=community.app.bot.id, chat_id=user.id, user_id=user.id)
    return await community.app.fsm.storage.get_state(key)


def to(reply: Reply, user: UserActor) -> list[ChatMessage]:
    """What the bot posted in `user`'s private chat during `reply`."""
    return [message for message in reply.posted if message.chat_id == user.id]


def header_of(community: Community) -> str:
    mia = community.member
    return f"📨 Feedback from Mia Wallace (@mia, id {mia.id}):"


def assert_delivered(community: Community, reply: Reply, admin: UserActor) -> ChatMessage:
    """The admin got the header (a link to the member) and then the copy; the copy is returned."""
    got = to(reply, admin)
    assert len(got) == 2, got
    head, copy = got
    assert head.text == header_of(community)
    assert f'<a href="tg://user?id={community.member.id}">Mia Wallace</a>' in head.html
    assert copy.stored.forward_origin is None  # a copy, not a forward
    return copy


async def start_admins(community: Community) -> None:
    """Both admins (ADMIN_IDS and the chat's administrator) have started the bot."""
    await community.admin.send("/help")
    await community.moderator.send("/help")


async def send_content(
    user: UserActor,
    content: dict[str, Any],
    *,
    kind: str | None = None,
    forward_from: UserActor | None = None,
) -> Reply:
    """Any kind of message in the private chat (a voice, a location, a forwarded sticker…)."""
    world = user.world
    file = world.store_file(b"sandbox-bytes", kind=kind) if kind else None
    if file is not None:
        assert kind is not None
        content = {kind: {**content.get(kind, {}), **file.to_api()}}
    origin = (
        {"type": "user", "date": world.now(), "sender_user": forward_from.record.to_api()}
        if forward_from is not None
        else None
    )
    return await user._roundtrip(
        lambda: [user._post(user.chat, content, file=file, forward_origin=origin)]
    )


async def test_feedback_text_reaches_two_admins(community: Community) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    prompt = await mia.send("/feedback")
    assert prompt.texts == [PROMPT]
    assert prompt.last.buttons == [["✖ Cancel"]]
    assert await state_of(community, mia) == WAITING

    reply = await mia.send("The <b>coffee</b> machine & the projector are broken")
    for admin in (ada, mod):
        copy = assert_delivered(community, reply, admin)
        assert copy.text == "The <b>coffee</b> machine & the projector are broken"
    assert [m.text for m in to(reply, mia)] == [SENT]
    assert prompt.last.buttons == []  # the prompt's Cancel is gone
    assert await state_of(community, mia) is None
    # The flow is over: the next message goes to nobody.
    after = await mia.send("one more thing")
    assert to(after, ada) == []
    assert to(after, mod) == []


async def test_feedback_with_a_photo_reaches_two_admins(community: Community) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    await mia.send("/feedback")
    reply = await mia.send_photo(b"\xff\xd8\xff\xe0broken-projector", caption="Look at this")
    photo = mia.last_sent
    for admin in (ada, mod):
        copy = assert_delivered(community, reply, admin)
        assert "photo" in copy.content
        assert copy.file is not None
        assert photo.file is not None
        assert copy.file.file_id == photo.file.file_id
        assert copy.caption == "Look at this"
    assert [m.text for m in to(reply, mia)] == [SENT]


async def test_a_voice_message_is_passed_on(community: Community) -> None:
    mia, ada = community.member, community.admin
    await ada.send("/help")
    await mia.send("/feedback")
    reply = await send_content(mia, {"voice": {"duration": 3}}, kind="voice")
    copy = assert_delivered(community, reply, ada)
    assert "voice" in copy.content
    assert [m.text for m in to(reply, mia)] == [SENT]


async def test_a_document_is_passed_on(community: Community) -> None:
    mia, ada = community.member, community.admin
    await ada.send("/help")
    await mia.send("/feedback")
    reply = await mia.send_document("minutes.txt", b"what we decided", caption="Minutes")
    copy = assert_delivered(community, reply, ada)
    assert copy.document is not None
    assert copy.document.file_name == "minutes.txt"
    assert copy.caption == "Minutes"
    assert [m.text for m in to(reply, mia)] == [SENT]


async def test_a_sticker_a_forwarded_sticker_and_a_location_are_re_asked(
    community: Community,
) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    await mia.send("/feedback")
    sticker = await mia.send_sticker()
    assert [m.text for m in to(sticker, mia)] == [f"{UNSUPPORTED}\n\n{PROMPT}"]
    assert sticker.post.buttons == [["✖ Cancel"]]
    assert await state_of(community, mia) == WAITING
    forwarded = await send_content(
        mia,
        {
            "sticker": {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "🙂",
            }
        },
        kind="sticker",
        forward_from=community.other,
    )
    assert [m.text for m in to(forwarded, mia)] == [f"{UNSUPPORTED}\n\n{PROMPT}"]
    location = await send_content(mia, {"location": {"latitude": 52.52, "longitude": 13.4}})
    assert [m.text for m in to(location, mia)] == [f"{UNSUPPORTED}\n\n{PROMPT}"]
    for reply in (sticker, forwarded, location):
        assert to(reply, ada) == []
        assert to(reply, mod) == []
    assert await state_of(community, mia) == WAITING
    # Still asking: the next text goes out.
    reply = await mia.send("Sorry, here it is in words")
    assert assert_delivered(community, reply, ada).text == "Sorry, here it is in words"


async def test_cancel_ends_feedback_and_nothing_is_forwarded(community: Community) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    await mia.send("/feedback")
    cancelled = await mia.send("/cancel")
    assert [m.text for m in to(cancelled, mia)][-1] == "Cancelled: the message to the admins."
    assert await state_of(community, mia) is None
    after = await mia.send("never mind, this is not for the admins")
    assert to(after, ada) == []
    assert to(after, mod) == []
    # The Cancel button of the prompt does the same.
    await mia.send("/feedback")
    pressed = await mia.press("✖ Cancel")
    assert pressed.texts[-1] == "Cancelled: the message to the admins."
    assert await state_of(community, mia) is None


async def test_an_expired_prompt_forwards_nothing(community: Community) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    await mia.send("/feedback")
    community.clock.advance(timedelta(minutes=16))
    late = await mia.send("Is anybody there?")
    assert [m.text for m in to(late, mia)] == [EXPIRED]
    assert to(late, ada) == []
    assert to(late, mod) == []
    assert await state_of(community, mia) is None
    # Within the time it goes out.
    await mia.send("/feedback")
    community.clock.advance(timedelta(minutes=14))
    reply = await mia.send("Is anybody there?")
    assert_delivered(community, reply, ada)


async def test_another_flows_command_ends_feedback_with_one_line(community: Community) -> None:
    mia, ada = community.member, community.admin
    await ada.send("/help")
    await mia.send("/feedback")
    add = await mia.send("/add")
    line, add_prompt = to(add, mia)  # the one line, then /add's own prompt
    assert line.text == "Left: the message to the admins. Send /feedback to start again."
    assert add_prompt.buttons == [["✖ Cancel"]]
    assert await state_of(community, mia) == "TrainingAdd:waiting_for_pair"
    pair = await mia.send("apple — яблоко")
    assert to(pair, ada) == []


async def test_admin_chat_receives_feedback(community: Community) -> None:
    """ADMIN_CHAT_ID set: the header and the copy are posted there (through the outbox), also
    when no admin started the bot."""
    admins = community.world.group("Agora Admins")
    await community.box.restart(admin_chat_id=admins.id)
    mia = community.member
    await mia.send("/feedback")
    reply = await mia.send_photo(caption="From the meetup")
    in_chat = [message for message in reply.posted if message.chat_id == admins.id]
    assert [m.text for m in in_chat] == [header_of(community), "From the meetup"]
    assert "photo" in in_chat[1].content
    assert [m.text for m in to(reply, mia)] == [SENT]


async def test_nobody_to_tell_is_said_honestly(community: Community) -> None:
    """No admin started the bot (and no admin chat): the member is told it did not go out."""
    mia = community.member
    await mia.send("/feedback")
    reply = await mia.send("hello?")
    assert [m.text for m in to(reply, mia)] == [NOBODY]
    assert await state_of(community, mia) is None


async def test_an_admin_who_blocked_the_bot_is_skipped(community: Community) -> None:
    mia, ada, mod = community.member, community.admin, community.moderator
    await start_admins(community)
    ada.block_bot(emit=False)  # the bot learns it from the 403
    await mia.send("/feedback")
    reply = await mia.send("Ada will not see this")
    assert to(reply, ada) == []
    assert_delivered(community, reply, mod)
    assert [m.text for m in to(reply, mia)] == [SENT]
    async with community.app.session_factory() as session:
        blocked = await session.scalar(select(User.is_blocked).where(User.id == ada.id))
    assert blocked is True


async def test_an_admin_sending_feedback_does_not_get_it_back(community: Community) -> None:
    ada, mod = community.admin, community.moderator
    await start_admins(community)
    await ada.send("/feedback")
    reply = await ada.send("A note from an admin")
    assert len(to(reply, mod)) == 2
    assert [m.text for m in to(reply, ada)] == [SENT]


async def test_feedback_is_for_members(community: Community) -> None:
    stan = community.stranger
    reply = await stan.send("/feedback")
    assert reply.texts == ["This is for community members only. Join the community chat first."]
    assert await state_of(community, stan) is None
