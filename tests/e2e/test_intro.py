"""Intro (onboarding) through the fake Telegram: steps, limits, pastes, restarts, publication."""

from __future__ import annotations

from sqlalchemy import select

from bot.features.intro.states import Intro
from bot.features.profile.models import Profile
from bot.sandbox import UserActor
from tests.e2e.conftest import Community

ABOUT = "I build bridges and bake sourdough bread."


async def profile_row(community: Community, user: UserActor) -> Profile | None:
    async with community.app.session_factory() as session:
        return await session.scalar(select(Profile).where(Profile.user_id == user.id))


async def fsm_state(community: Community, user: UserActor) -> str | None:
    context = community.app.dispatcher.fsm.get_context(
        community.app.bot, chat_id=user.id, user_id=user.id
    )
    return await context.get_state()


async def onboard(user: UserActor, first: str, last: str, about: str) -> None:
    await user.send("/start")
    await user.send(first)
    await user.send(last)
    await user.send(about)


async def test_full_onboarding_publishes_the_card_in_the_intro_topic(
    community: Community,
) -> None:
    mia = community.member
    await mia.send("/start")
    start_msg = mia.last_message
    assert "What is your first name?" in start_msg.text
    assert start_msg.buttons == [["✖ Cancel"]]  # no Back on the first step
    await mia.send("Mia")
    second_msg = mia.last_message
    assert "What is your last name?" in second_msg.text
    assert second_msg.buttons == [["◀ Back", "✖ Cancel"]]
    await mia.send("Wallace")
    await mia.send(ABOUT)
    preview_msg = mia.last_message
    assert "This is how your intro card will look" in preview_msg.text
    assert "Mia Wallace · @mia" in preview_msg.text
    assert ABOUT in preview_msg.text
    assert preview_msg.buttons == [["✅ Confirm", "✏️ Edit"], ["◀ Back", "✖ Cancel"]]
    assert await profile_row(community, mia) is None  # nothing saved before Confirm

    await mia.press("✅ Confirm")
    done_msg = mia.last_message
    assert "your intro will appear in the community in a moment" in done_msg.text
    posts = community.group.messages_in(community.topics["Intros"])
    assert len(posts) == 1
    post = posts[0]
    assert post.from_bot
    assert f'<a href="tg://user?id={mia.id}">Mia Wallace</a>' in post.html
    assert "@mia" in post.text
    assert ABOUT in post.text
    row = await profile_row(community, mia)
    assert row is not None
    assert (row.first_name, row.last_name, row.about) == ("Mia", "Wallace", ABOUT)
    assert (row.published_chat_id, row.published_message_id) == (
        community.group.id,
        post.message_id,
    )
    assert await fsm_state(community, mia) is None
    assert preview_msg.buttons == []  # the live prompt lost its buttons
    # With a profile, /start is core's greeting again.
    await mia.send("/start")
    again_msg = mia.last_message
    assert "Hello" in again_msg.text


async def test_deep_link_and_intro_command_enter_the_flow(community: Community) -> None:
    await community.other.send("/start intro")
    reply_msg = community.other.last_message
    assert "What is your first name?" in reply_msg.text
    await community.admin.send("/intro")
    reply_msg = community.admin.last_message
    assert "What is your first name?" in reply_msg.text


async def test_stranger_start_gets_the_greeting(community: Community) -> None:
    await community.stranger.send("/start")
    reply_msg = community.stranger.last_message
    assert "Hello" in reply_msg.text
    assert await fsm_state(community, community.stranger) is None


async def test_back_and_edit_from_the_preview(community: Community) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", ABOUT)
    await mia.press("◀ Back")
    back_msg = mia.last_message
    assert "Tell the community about yourself" in back_msg.text
    assert ABOUT in back_msg.text  # the current value is shown
    await mia.send(ABOUT + " Also chess.")
    await mia.press("✏️ Edit")
    await mia.press("Last name")
    chosen_msg = mia.last_message
    assert "What is your last name?" in chosen_msg.text
    assert "Wallace" in chosen_msg.text
    await mia.send("Smith")
    preview_msg = mia.last_message
    assert "Mia Smith" in preview_msg.text
    assert "Also chess." in preview_msg.text
    await mia.press("✅ Confirm")
    row = await profile_row(community, mia)
    assert row is not None
    assert row.last_name == "Smith"


async def test_too_long_about_and_non_text_are_asked_again(community: Community) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("Mia")
    await mia.send("Wallace")
    await mia.send("x" * 5000)
    refused_msg = mia.last_message
    assert "3900" in refused_msg.text
    assert "5000" in refused_msg.text
    assert "Tell the community about yourself" in refused_msg.text
    assert await fsm_state(community, mia) == Intro.waiting_for_about.state
    await mia.send_sticker()
    sticker_msg = mia.last_message
    assert "Tell the community about yourself" in sticker_msg.text
    # UTF-16: an emoji counts twice, as Telegram counts it.
    await community.other.send("/intro")
    await community.other.send("😀" * 16)
    emoji_msg = community.other.last_message
    assert "30" in emoji_msg.text
    assert "32" in emoji_msg.text
    await mia.send(ABOUT)
    preview_msg = mia.last_message
    assert "This is how your intro card will look" in preview_msg.text


async def test_markup_in_names_and_about_is_shown_as_typed(community: Community) -> None:
    mia = community.member
    await onboard(mia, "<b>Mia</b>", "Tom & Jerry", "I <i>love</i> R&D")
    preview = mia.last_message
    assert "<b>Mia</b> Tom & Jerry" in preview.text
    assert "I <i>love</i> R&D" in preview.text
    await mia.press("✅ Confirm")
    post = community.group.messages_in(community.topics["Intros"])[-1]
    assert "<b>Mia</b> Tom & Jerry" in post.text
    assert "I <i>love</i> R&D" in post.text
    assert "&lt;b&gt;Mia&lt;/b&gt; Tom &amp; Jerry" in post.html


async def test_split_paste_counts_once(community: Community) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("Mia")
    await mia.send("Wallace")
    reply = await mia.send_many(["First part of my story.", "second part", "third part"])
    notices = [text for text in reply.texts if "several parts" in text]
    assert len(notices) == 1
    assert await fsm_state(community, mia) == Intro.confirming.state
    preview = [m for m in mia.messages if m.keyboard][-1]
    assert "First part of my story." in preview.text
    assert "second part" not in preview.text
    # Answers typed quickly after the prompt (even in the same second) still count.
    await mia.press("◀ Back")
    await mia.send("A new story.")
    again_msg = mia.last_message
    assert "A new story." in again_msg.text


async def test_restart_mid_onboarding_continues_at_the_same_step(community: Community) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("Mia")
    await community.box.restart()
    # /start again mid-intro goes on at the same step, with what was entered.
    await mia.send("/start")
    assert "Let us go on with your introduction" in mia.last_message.text
    assert "What is your last name?" in mia.last_message.text
    await mia.send("Wallace")
    reply_msg = mia.last_message
    assert "Tell the community about yourself" in reply_msg.text
    await community.box.restart(graceful=False)
    await mia.send(ABOUT)
    preview_msg = mia.last_message
    assert "Mia Wallace" in preview_msg.text
    await mia.press("✅ Confirm")
    row = await profile_row(community, mia)
    assert row is not None
    assert row.first_name == "Mia"


async def test_cancel_leaves_nothing(community: Community) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", ABOUT)
    await mia.press("✖ Cancel")
    reply_msg = mia.last_message
    assert "Cancelled: the introduction." in reply_msg.text
    assert await profile_row(community, mia) is None
    stale = await mia.press_data("in-ok", message=mia.messages[-2])
    assert stale.alert == "This button is no longer active."
    assert community.group.messages_in(community.topics["Intros"]) == []


async def test_without_a_community_chat_the_profile_is_only_saved(community: Community) -> None:
    await community.box.restart(community_chat_id=None, intro_topic_id=None)
    alice = community.world.user("Alice", username="alice")
    await alice.send("/start")
    assert "Hello" in alice.last_message.text  # no community: /start is the greeting
    await alice.send("/intro")
    await alice.send("Alice")
    await alice.send("Liddell")
    await alice.send(ABOUT)
    await alice.press("✅ Confirm")
    done_msg = alice.last_message
    assert done_msg.text == "Done! Your profile is saved."
    row = await profile_row(community, alice)
    assert row is not None
    assert row.published_message_id is None
