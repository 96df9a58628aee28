"""/start of someone who is not in the community chat yet: with COMMUNITY_INVITE_LINK set, an
invitation with a Join button (the link) instead of the member greeting; without a link, the
greeting as before. Through the fake Telegram, on both backends."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.sandbox import UserActor
from tests.e2e.conftest import Community
from tests.e2e.test_profile import onboard

LINK = "https://t.me/+AgoraJoin42"
INVITE = (
    "Hello, Stan! I am Agora, the bot of this community.\n"
    "You are not in the community chat yet: join it with the button below, then send /start again."
)


async def state_of(community: Community, user: UserActor) -> str | None:
    key = StorageKey(bot_id=community.app.bot.id, chat_id=user.id, user_id=user.id)
    return await community.app.fsm.storage.get_state(key)


async def test_a_non_member_gets_the_join_button(community: Community) -> None:
    await community.box.restart(community_invite_link=LINK)
    stan = community.stranger
    reply = await stan.send("/start")
    assert reply.texts == [INVITE]
    assert reply.last.buttons == [["Join the community"]]
    assert reply.last.button("Join the community") == {"text": "Join the community", "url": LINK}
    assert await state_of(community, stan) is None


async def test_the_invitation_in_russian(community: Community) -> None:
    await community.box.restart(community_invite_link=LINK)
    ivan = community.world.user("Иван", language_code="ru")
    reply = await ivan.send("/start")
    assert reply.last.text is not None
    assert reply.last.text.startswith("Привет, Иван!")
    assert reply.last.buttons == [["Вступить в сообщество"]]


async def test_a_member_keeps_the_greeting(community: Community) -> None:
    await community.box.restart(community_invite_link=LINK)
    mia = community.member
    await onboard(mia, "Mia", "Wallace", "I like dancing and talking to people.")
    reply = await mia.send("/start")
    assert len(reply.posted) == 1
    assert (reply.post.text or "").startswith("Hello, Mia!")
    assert reply.post.buttons == [["Help"]]


async def test_a_member_without_a_profile_is_asked_to_introduce(community: Community) -> None:
    await community.box.restart(community_invite_link=LINK)
    otto = community.other
    reply = await otto.send("/start")
    assert all("Join the community" not in row for m in reply.posted for row in m.buttons)
    assert (await state_of(community, otto) or "").startswith("Intro")


async def test_without_an_invite_link_a_non_member_is_greeted(community: Community) -> None:
    stan = community.stranger
    reply = await stan.send("/start")
    assert (reply.last.text or "").startswith("Hello, Stan!")
    assert reply.last.buttons == [["Help"]]
