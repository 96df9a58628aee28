"""Topics through the fake Telegram: proposing, reading page by page, managing, access."""

from __future__ import annotations

from bot.sandbox import UserActor
from tests.e2e.conftest import Community
from tests.e2e.test_events import newest, setup_event, state_of, topics_in_db

EVENT = "Monthly call · 12.01.2026 19:00"


async def add_topic(user: UserActor, text: str, event: str = EVENT) -> None:
    await user.send("/topic_add")
    await user.press(event)
    await user.send(text)
    assert user.last_message.text.startswith("Thank you!"), user.last_message.text


async def test_member_adds_a_topic_and_the_admins_are_told(community: Community) -> None:
    admin, member, moderator = community.admin, community.member, community.moderator
    await setup_event(community)
    await moderator.send("/start")  # has started the bot
    admin_messages = len(admin.messages)
    pick = await member.send("/topic_add")
    assert newest(pick).text == "Which event is your topic for?"
    prompt = await member.press(EVENT)
    assert newest(prompt).text == "Your topic or question for Monthly call (1–1000 characters):"
    assert newest(prompt).buttons == [["◀ Back", "✖ Cancel"]]
    too_long = await member.send("x" * 1001)
    assert "at most 1000 characters, and you sent 1001" in newest(too_long).text
    await member.send("What about <script> & tests?")
    assert member.last_message.text == (
        "Thank you! Your topic for Monthly call is saved; the admins will see it."
    )
    assert await state_of(community, member) is None

    [topic] = await topics_in_db(community)
    assert (topic.author_id, topic.text) == (member.id, "What about <script> & tests?")
    for person in (admin, moderator):
        notice = person.last_message
        assert notice.text.startswith("💡 New topic for Monthly call from Mia Wallace:"), person
        assert "What about <script> & tests?" in notice.text
        assert "&lt;script&gt;" in notice.html
    assert len(admin.messages) == admin_messages + 1
    assert not any("New topic" in (m.text or "") for m in member.messages)


async def test_an_admin_who_blocked_the_bot_does_not_stop_the_others(
    community: Community,
) -> None:
    admin, moderator, member = community.admin, community.moderator, community.member
    await setup_event(community)
    await moderator.send("/start")
    stranger_admin = community.join("Never started")
    community.group.add(stranger_admin, admin=True)  # an admin with no chat with the bot
    community.app.access.forget(community.group.id)
    admin.block_bot(emit=False)  # the bot does not know yet: the send fails with 403
    await add_topic(member, "A topic")
    assert moderator.last_message.text.startswith("💡 New topic")
    assert stranger_admin.messages == []
    forbidden = [c for c in community.world.calls("sendMessage") if c.error_code == 403]
    assert [c.params["chat_id"] for c in forbidden] == [admin.id]


async def test_topic_add_only_offers_upcoming_events(community: Community) -> None:
    member = community.member
    assert newest(await member.send("/topic_add")).text == (
        "There are no upcoming events to propose topics for."
    )
    await setup_event(community, name="Past one")
    await setup_event(community, name="Next one", start="13.01.2026 19:00")
    admin = community.admin
    await admin.send("/event_start")
    await admin.press("Past one · 12.01.2026 19:00")
    await admin.send("https://meet.example.org/a")
    await admin.press("✅ Confirm")
    pick = await member.send("/topic_add")
    assert newest(pick).buttons == [["Next one · 13.01.2026 19:00"], ["✖ Cancel"]]
    back_to_list = await member.press("Next one · 13.01.2026 19:00")
    assert newest(back_to_list).buttons == [["◀ Back", "✖ Cancel"]]
    listed = await member.press("◀ Back")
    assert newest(listed).text == "Which event is your topic for?"


async def test_topics_are_paginated_with_a_hint(community: Community) -> None:
    member, other = community.member, community.other
    await setup_event(community)
    for number in range(1, 8):
        await add_topic(member if number % 2 else other, f"Idea {number}")
    await other.send("/topics")
    first = await other.press(EVENT)
    page = newest(first)
    assert page.text.startswith(
        "Topics for Monthly call (7)\n\n1. Idea 1\n— Mia Wallace, 05.01.2026"
    )
    assert "5. Idea 5" in page.text
    assert "6. Idea 6" not in page.text
    assert page.text.endswith("Propose yours with /topic_add.")
    assert page.buttons == [["1/2", "Next ▶"], ["◀ Back", "✖ Cancel"]]
    second = newest(await other.press("Next ▶"))
    assert second.message_id == page.message_id  # edited in place
    assert "6. Idea 6\n— Otto, 05.01.2026" in second.text
    assert "7. Idea 7" in second.text
    assert "5. Idea 5" not in second.text
    assert second.buttons == [["◀ Prev", "2/2"], ["◀ Back", "✖ Cancel"]]
    again = newest(await other.press("◀ Prev"))
    assert "1. Idea 1" in again.text
    events = newest(await other.press("◀ Back"))
    assert events.text == "Topics of which event?"


async def test_topics_of_an_event_without_topics(community: Community) -> None:
    await setup_event(community)
    await community.member.send("/topics")
    page = newest(await community.member.press(EVENT))
    assert page.text == (
        "Topics for Monthly call (0)\n\nNo topics yet.\n\nPropose yours with /topic_add."
    )


async def test_admin_deletes_topics_and_the_list_refreshes(community: Community) -> None:
    admin, member = community.admin, community.member
    await setup_event(community)
    for text in ("Keep", "Spam", "Also keep"):
        await add_topic(member, text)
    await admin.send("/topics_manage")
    listing = newest(await admin.press(EVENT))
    assert "2. Spam\n— Mia Wallace, 05.01.2026" in listing.text
    assert f'<a href="tg://user?id={member.id}">Mia Wallace</a>' in listing.html
    assert listing.buttons == [["🗑 1", "🗑 2", "🗑 3"], ["◀ Back", "✖ Cancel"]]
    pressed = await admin.press("🗑 2")
    assert pressed.alert == "Topic deleted."
    assert [t.text for t in await topics_in_db(community)] == ["Keep", "Also keep"]
    refreshed = newest(pressed)
    assert refreshed.message_id == listing.message_id
    assert refreshed.text.startswith("Topics for Monthly call (2)\n\n1. Keep")
    assert "2. Also keep" in refreshed.text
    assert refreshed.buttons == [["🗑 1", "🗑 2"], ["◀ Back", "✖ Cancel"]]
    # a stale delete button (the topic is already gone): the one stale alert, nothing deleted
    stale = await admin.press_data("tpdel:999999", message=refreshed)
    assert stale.alert == "This button is no longer active."
    assert [t.text for t in await topics_in_db(community)] == ["Keep", "Also keep"]
    back = newest(await admin.press("◀ Back"))
    assert back.text == "Manage the topics of which event?"


async def test_topics_access(community: Community) -> None:
    member, stranger, admin = community.member, community.stranger, community.admin
    await setup_event(community)
    for command in ("/topic_add", "/topics"):
        refused = newest(await stranger.send(command))
        assert refused.text.startswith("This is for community members only."), command
    assert newest(await member.send("/topics_manage")).text == "This is for community admins only."
    await add_topic(member, "Mine")
    await admin.send("/topics_manage")
    listing = newest(await admin.press(EVENT))
    forged = await member.press_data(listing.button("🗑 1")["callback_data"], message=listing)
    assert forged.alert == "This is for community admins only."
    assert len(await topics_in_db(community)) == 1
