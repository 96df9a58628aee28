"""/profile, the profile search and the admins' /profiles manager, through the fake Telegram."""

from __future__ import annotations

from sqlalchemy import select

from bot.features.profile import service
from bot.features.profile.models import Profile
from bot.sandbox import UserActor
from bot.sandbox.client import ChatMessage
from tests.e2e.conftest import Community

ABOUT = "Marine biologist, I dive with sharks and teach kids to swim."


async def profile_row(community: Community, user_id: int) -> Profile | None:
    async with community.app.session_factory() as session:
        return await session.scalar(select(Profile).where(Profile.user_id == user_id))


async def onboard(user: UserActor, first: str, last: str, about: str) -> None:
    await user.send("/intro")
    await user.send(first)
    await user.send(last)
    await user.send(about)
    await user.press("✅ Confirm")


async def add_profiles(community: Community, count: int, about: str) -> None:
    """Profiles written straight to the database (for the search tests)."""
    async with community.app.session_factory() as session, session.begin():
        for index in range(count):
            user_id = 900_000 + index
            await service.ensure_user(session, user_id, first_name=f"User{index}")
            await service.save_profile(
                session,
                user_id,
                first_name=f"Person{index:02d}",
                last_name="Tester",
                about=about,
                username=None,
            )


def intro_posts(community: Community) -> list[ChatMessage]:
    return community.group.messages_in(community.topics["Intros"])


async def test_profile_shows_the_card_field_states_and_the_post_link(
    community: Community,
) -> None:
    mia = community.member
    await mia.send("/profile")
    assert "You have no profile yet" in mia.last_message.text
    await onboard(mia, "Mia", "Wallace", ABOUT)
    await mia.send("/profile")
    card = mia.last_message
    assert "Mia Wallace · @mia" in card.text
    assert "First name: ✅ filled" in card.text
    assert "About: ✅ filled" in card.text
    post = intro_posts(community)[0]
    internal = str(community.group.id).removeprefix("-100")
    assert f"https://t.me/c/{internal}/" in card.text
    assert card.text.rstrip().endswith(f"/{post.message_id}")
    assert ["🔎 Find people"] in card.buttons


async def test_edit_after_publish_edits_the_same_post_and_a_gone_post_is_sent_again(
    community: Community,
) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", ABOUT)
    [post] = intro_posts(community)
    await mia.send("/profile")
    await mia.press("✏️ About")
    prompt = mia.last_message
    assert ABOUT in prompt.text  # the current value
    assert prompt.buttons == [["◀ Back", "✖ Cancel"]]
    await mia.send("Now I study octopuses.")
    assert "Now I study octopuses." in mia.last_message.text
    assert len(intro_posts(community)) == 1
    assert post.edited
    assert "Now I study octopuses." in post.text
    row = await profile_row(community, mia.id)
    assert row is not None
    assert row.published_message_id == post.message_id

    # Saving the same value again: Telegram says "not modified", which is no error.
    await mia.press("✏️ About")
    await mia.send("Now I study octopuses.")
    assert mia.last_message.text.startswith("Mia Wallace")
    assert len(intro_posts(community)) == 1

    post.stored.deleted = True  # an admin removed the post in the chat
    await mia.press("✏️ Last name")
    await mia.send("Smith")
    [new_post] = intro_posts(community)
    assert new_post.message_id != post.message_id
    assert "Mia Smith" in new_post.text
    row = await profile_row(community, mia.id)
    assert row is not None
    assert row.published_message_id == new_post.message_id


async def test_edit_limits_back_and_markup(community: Community) -> None:
    mia = community.member
    await onboard(mia, "Mia", "Wallace", ABOUT)
    await mia.send("/profile")
    await mia.press("✏️ First name")
    await mia.send("M" * 31)
    assert "30" in mia.last_message.text
    assert "31" in mia.last_message.text
    await mia.send("<b>Mia</b> & Co")
    post = intro_posts(community)[0]
    assert "<b>Mia</b> & Co Wallace" in post.text
    await mia.press("✏️ Last name")
    await mia.press("◀ Back")
    assert "Last name: ✅ filled" in mia.last_message.text
    row = await profile_row(community, mia.id)
    assert row is not None
    assert (row.first_name, row.last_name) == ("<b>Mia</b> & Co", "Wallace")


async def test_search_by_username_name_and_about_words(community: Community) -> None:
    await onboard(community.member, "Mia", "Wallace", ABOUT)
    await onboard(community.other, "Otto", "Кузнецов", "Пишу стихи и играю в шахматы")
    admin = community.admin
    await admin.send("/intro @mia")
    assert admin.last_message.buttons[0] == ["Mia Wallace (@mia)"]
    await admin.send("/intro mia wallace")
    assert admin.last_message.buttons[0] == ["Mia Wallace (@mia)"]
    await admin.send("/intro SHARKS")  # case-insensitive, a word of the about text
    assert admin.last_message.buttons[0] == ["Mia Wallace (@mia)"]
    await admin.send("/intro ШАХМАТЫ")
    assert admin.last_message.buttons[0] == ["Otto Кузнецов (@otto)"]
    # Any word matches (ranked): the words each result matched are listed above the buttons.
    await admin.send("/intro sharks chess")
    assert "Found 1" in admin.last_message.text
    assert "• Mia Wallace (@mia) — matched: sharks" in admin.last_message.text
    await admin.send("/intro Wallece")  # one letter wrong in a name
    assert admin.last_message.buttons[0] == ["Mia Wallace (@mia)"]
    await admin.send("/intro chess piano")
    assert "Nobody found" in admin.last_message.text
    # From /profile: the Find people button, then a query; a result opens the card.
    mia = community.member
    await mia.send("/profile")
    await mia.press("🔎 Find people")
    await mia.send("otto")
    await mia.press("Otto Кузнецов (@otto)")
    assert "Пишу стихи" in mia.last_message.text


async def test_search_results_are_paginated(community: Community) -> None:
    await add_profiles(community, 7, "Loves climbing mountains")
    admin = community.admin
    await admin.send("/intro climbing")
    results = admin.last_message
    assert "Found 7" in results.text
    assert results.buttons[:5] == [[f"Person{i:02d} Tester"] for i in range(5)]
    assert results.buttons[5] == ["1/2", "Next ▶"]
    await admin.press("Next ▶")
    assert results.buttons[:2] == [["Person05 Tester"], ["Person06 Tester"]]
    assert results.buttons[2] == ["◀ Prev", "2/2"]
    await admin.press("◀ Prev")
    assert results.buttons[0] == ["Person00 Tester"]
    # The query is in the FSM, not in the button: a cancelled search's pager is stale.
    await admin.send("/cancel")
    stale = await admin.press_data("page:pf:1", message=results)
    assert stale.alert == "This button is no longer active."


async def test_admin_manager_find_create_edit_publish(community: Community) -> None:
    await onboard(community.member, "Mia", "Wallace", ABOUT)
    admin = community.admin
    await admin.send("/profiles")
    assert "Profile manager" in admin.last_message.text
    await admin.send("@mia")
    card = admin.last_message
    assert "Mia Wallace" in card.text
    assert "Username: ✅ filled" in card.text
    await admin.press("↩ Start over")
    await admin.send(str(community.member.id))
    assert "Mia Wallace" in admin.last_message.text
    await admin.press("↩ Start over")
    await admin.send("Mia Wallace")
    await admin.press("Mia Wallace (@mia)")
    assert "Mia Wallace" in admin.last_message.text

    # Create from a forwarded message: the sender becomes the profile's user.
    await admin.press("↩ Start over")
    await admin.forward(community.other, "Hi all, I am Otto and I repair old radios.")
    card = admin.last_message
    assert "A new profile was created." in card.text
    assert "I repair old radios" in card.text
    assert "Last name: ❌ missing" in card.text
    row = await profile_row(community, community.other.id)
    assert row is not None
    assert row.about == "Hi all, I am Otto and I repair old radios."
    await admin.press("📣 Publish")
    assert (
        admin.last_alert
        == "Fill in the first name, the last name and the about text before publishing."
    )
    await admin.press("✏️ Last name")
    await admin.send("Radio")
    assert "Last name: ✅ filled" in admin.last_message.text
    await admin.press("✏️ Username")
    await admin.send("not a username!")
    assert "That is not a Telegram username" in admin.last_message.text
    await admin.send("@otto_radio")
    await admin.press("📣 Publish with link preview")
    assert admin.last_alert == "Published."
    post = intro_posts(community)[-1]
    assert "Otto Radio · @otto_radio" in post.text
    row = await profile_row(community, community.other.id)
    assert row is not None
    assert row.published_message_id == post.message_id
    assert row.link_preview is True
    sends = [r for r in community.world.calls("sendMessage") if "radios" in str(r.params)]
    assert sends[-1].params["link_preview_options"] == {"is_disabled": False}
    # Once published, an admin's edit updates the same post.
    await admin.press("✏️ About")
    await admin.send("I repair old radios and TVs.")
    assert intro_posts(community)[-1] == post
    assert post.edited
    assert "radios and TVs" in post.text


async def test_admin_manager_refuses_hidden_forwards_and_creates_from_an_id(
    community: Community,
) -> None:
    admin = community.admin
    await admin.send("/profiles")
    await admin.forward(community.stranger, "I am hiding", hidden=True)
    assert "hides their account" in admin.last_message.text
    assert await profile_row(community, community.stranger.id) is None
    await admin.send("424242")
    assert "A new profile was created." in admin.last_message.text
    assert await profile_row(community, 424242) is not None
    await admin.press("↩ Start over")
    await admin.send("@nobody_here")
    assert "I do not know @nobody_here" in admin.last_message.text


async def test_non_admins_are_refused_for_the_manager_and_its_buttons(
    community: Community,
) -> None:
    await onboard(community.member, "Mia", "Wallace", ABOUT)
    member = community.member
    await member.send("/profiles")
    assert member.last_message.text == "This is for community admins only."
    admin = community.admin
    await admin.send("/profiles")
    await admin.send("@mia")
    card = admin.last_message
    for label in ("📣 Publish", "✏️ About", "↩ Start over"):
        forged = await member.press_data(card.button(label)["callback_data"], message=card)
        assert forged.alert == "This is for community admins only."
    row = await profile_row(community, member.id)
    assert row is not None
    assert row.link_preview is False
