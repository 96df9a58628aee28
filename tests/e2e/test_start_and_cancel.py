"""/start and /cancel against the one-active-flow rule, through the fake Telegram.

/start of a member who has a profile ends the current flow with one line (paused when the flow
is resumable, left otherwise), never silently; /cancel ends the active flow in every state of
every feature.
"""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.features import FEATURES
from bot.i18n import get_translator
from bot.sandbox import UserActor
from bot.sandbox.client import Reply
from bot.telegram.flows import flow_name
from tests.e2e.conftest import Community
from tests.e2e.test_profile import onboard

GREETING = "Hello, <b>{name}</b>!"


def posted(reply: Reply) -> list[str]:
    return [message.text or "" for message in reply.posted]


def key(community: Community, user: UserActor) -> StorageKey:
    return StorageKey(bot_id=community.app.bot.id, chat_id=user.id, user_id=user.id)


async def state_of(community: Community, user: UserActor) -> str | None:
    return await community.app.fsm.storage.get_state(key(community, user))


async def test_start_leaves_a_flow_with_one_line(community: Community) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", "I like dancing and talking to people.")
    await mia.send("/content")
    assert await state_of(community, mia) == "ContentSearch:waiting_for_query"
    prompt = mia.last_message
    start = await mia.send("/start")
    texts = posted(start)
    assert texts[0] == "Left: the content search. Send /content to start again."
    assert len(texts) == 2
    assert texts[1].startswith("Hello, ")
    assert start.posted[-1].buttons == [["Help"]]
    assert prompt.buttons == []
    assert await state_of(community, mia) is None
    # With no flow active, /start just greets.
    assert [t.startswith("Hello, ") for t in posted(await mia.send("/start"))] == [True]


async def test_start_pauses_a_resumable_flow(community: Community) -> None:
    ada = community.admin
    await onboard(ada, "Ada", "Lovelace", "I write programs for engines that do not exist yet.")
    await ada.send("/event_setup")
    await ada.send("Monthly call")
    step = await state_of(community, ada)
    assert step is not None
    assert step.startswith("EventSetup")
    start = await ada.send("/start")
    texts = posted(start)
    assert texts[0] == (
        "Paused: setting up an event. Send /event_setup to continue where you stopped."
    )
    assert texts[1].startswith("Hello, ")
    assert await state_of(community, ada) is None
    await ada.send("/event_setup")
    assert await state_of(community, ada) == step


async def test_cancel_ends_every_flow_state_of_the_app(community: Community) -> None:
    mia = community.member
    t = get_translator("en")
    states = sorted(name for feature in FEATURES for name in feature.state_names())
    assert states, "the app has flows"
    for raw_state in states:
        await community.app.fsm.storage.set_state(key(community, mia), raw_state)
        reply = await mia.send("/cancel")
        assert posted(reply) == [f"Cancelled: {flow_name(t, raw_state)}."], raw_state
        assert await state_of(community, mia) is None, raw_state


async def test_a_cancel_button_off_the_live_prompt_ends_nothing(community: Community) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", "I like dancing and talking to people.")
    await mia.send("/content")
    old_prompt = mia.last_message
    await mia.send("/profile")  # another message of the bot, not the live prompt
    await mia.send("/content")
    live = mia.last_message
    assert await state_of(community, mia) == "ContentSearch:waiting_for_query"
    forged = await mia.press_data("cancel", message=old_prompt)
    assert forged.alert == "This button is no longer active."
    assert await state_of(community, mia) == "ContentSearch:waiting_for_query"
    cancelled = await mia.press("✖ Cancel", message=live)
    assert posted(cancelled) == ["Cancelled: the content search."]
    assert await state_of(community, mia) is None
