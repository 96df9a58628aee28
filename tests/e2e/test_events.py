"""Events through the fake Telegram: the admin flows, /events, access, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.features.events.models import LIVE, PENDING, SKIPPED, UPCOMING, Event
from bot.features.topics.models import Topic
from bot.sandbox import UserActor
from bot.sandbox.client import ChatMessage, Reply
from tests.e2e.conftest import Community

# The community's clock starts on Monday 5 January 2026, 09:00 UTC (10:00 in Berlin, UTC+1).
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


# --- helpers (also used by the topics tests) -------------------------------------------------


def newest(reply: Reply) -> ChatMessage:
    """The newest message of a reply (an answer also edits the previous prompt's buttons away)."""
    assert reply, "the bot sent or edited nothing in reply"
    return max(reply, key=lambda message: message.message_id)


async def events_in_db(community: Community) -> list[Event]:
    async with community.app.session_factory() as session:
        return list((await session.scalars(select(Event).order_by(Event.id))).all())


async def topics_in_db(community: Community) -> list[Topic]:
    async with community.app.session_factory() as session:
        return list((await session.scalars(select(Topic).order_by(Topic.id))).all())


async def state_of(community: Community, user: UserActor) -> str | None:
    app = community.app
    key = StorageKey(bot_id=app.bot.id, chat_id=user.id, user_id=user.id)
    return await app.fsm.storage.get_state(key)


async def setup_event(
    community: Community,
    name: str = "Monthly call",
    kind: str = "Club call",
    start: str = "12.01.2026 19:00",
    admin: UserActor | None = None,
) -> Event:
    """Create an event through /event_setup; returns its row."""
    admin = admin or community.admin
    await admin.send("/event_setup")
    await admin.send(name)
    await admin.press(kind)
    await admin.send(start)
    saved = await admin.press("✅ Confirm")
    assert newest(saved).text.startswith("Event saved.")
    return (await events_in_db(community))[-1]


# --- /event_setup ----------------------------------------------------------------------------


async def test_setup_refuses_bad_input_then_saves(community: Community) -> None:
    admin = community.admin
    prompt = newest(await admin.send("/event_setup"))
    assert prompt.text == "What is the event called? (1–100 characters)"
    assert prompt.buttons == [["✖ Cancel"]]  # no Back on the first step

    too_long = await admin.send("x" * 101)
    assert newest(too_long).text.startswith(
        "That is too long: at most 100 characters, and you sent 101."
    )
    blank = await admin.send("   ")
    assert newest(blank).text.startswith("That is too short")

    types = await admin.send("<b>Reading</b> & friends")
    assert newest(types).text == "What kind of event is it?"
    assert newest(types).buttons == [
        ["Club call", "Meetup"],
        ["Workshop", "Reading club"],
        ["Conference"],
        ["◀ Back", "✖ Cancel"],
    ]
    back = await admin.press("◀ Back")
    assert newest(back).text == "What is the event called? (1–100 characters)"
    await admin.send("<b>Reading</b> & friends")
    start = await admin.press("Reading club")
    assert "DD.MM.YYYY HH:MM in Europe/Berlin" in newest(start).text
    assert "For example: 12.01.2026 19:00" in newest(start).text

    malformed = await admin.send("next friday")
    assert newest(malformed).text.startswith("I could not read that date.")
    assert "for example: 12.01.2026 19:00" in newest(malformed).text
    impossible = await admin.send("31.02.2026 19:00")
    assert newest(impossible).text.startswith("I could not read that date.")
    past = await admin.send("05.01.2026 09:59")  # 08:59 UTC, before the clock's 09:00
    assert newest(past).text.startswith("That moment has already passed.")
    assert await events_in_db(community) == []

    card = await admin.send("12.01.2026 19:00")
    assert newest(card).text == (
        "New event\n\n<b>Reading</b> & friends\nType: Reading club\n"
        "Start: 12.01.2026 19:00 (Europe/Berlin)\n\nSave it?"
    )
    assert "&lt;b&gt;Reading&lt;/b&gt; &amp; friends" in newest(card).html
    assert newest(card).buttons == [["✅ Confirm", "✏️ Edit"], ["◀ Back", "✖ Cancel"]]
    saved = await admin.press("✅ Confirm")
    assert newest(saved).text.startswith("Event saved.")
    assert newest(card).buttons == []  # the card lost its buttons

    [event] = await events_in_db(community)
    assert (event.name, event.type, event.status) == (
        "<b>Reading</b> & friends",
        "reading_club",
        UPCOMING,
    )
    assert event.starts_at == datetime(2026, 1, 12, 18, 0, tzinfo=UTC)  # stored in UTC
    assert event.reminder_24h_at == datetime(2026, 1, 11, 18, 0, tzinfo=UTC)
    assert event.reminder_1h_at == datetime(2026, 1, 12, 17, 0, tzinfo=UTC)
    assert (event.reminder_24h_state, event.reminder_1h_state) == (PENDING, PENDING)
    assert await state_of(community, admin) is None


async def test_setup_card_edit_changes_a_field_and_returns_to_the_card(
    community: Community,
) -> None:
    admin = community.admin
    await admin.send("/event_setup")
    await admin.send("Meetup in the park")
    await admin.press("Meetup")
    await admin.send("20.01.2026 18:30")
    fields = await admin.press("✏️ Edit")
    assert newest(fields).text == "What do you want to change?"
    assert newest(fields).buttons == [["Name", "Type", "Start"], ["◀ Back", "✖ Cancel"]]
    name_prompt = await admin.press("Name")
    assert newest(name_prompt).buttons == [["◀ Back", "✖ Cancel"]]
    card = await admin.send("Picnic")
    assert "Picnic\nType: Meetup\nStart: 20.01.2026 18:30" in newest(card).text
    await admin.press("✏️ Edit")
    await admin.press("Type")
    card = await admin.press("Workshop")
    assert "Picnic\nType: Workshop\n" in newest(card).text
    await admin.press("✏️ Edit")
    await admin.press("Start")
    card = await admin.send("21.01.2026 10:00")
    assert "Start: 21.01.2026 10:00 (Europe/Berlin)" in newest(card).text
    await admin.press("✅ Confirm")
    [event] = await events_in_db(community)
    assert (event.name, event.type) == ("Picnic", "workshop")
    assert event.starts_at == datetime(2026, 1, 21, 9, 0, tzinfo=UTC)


async def test_setup_continues_at_the_same_step_after_a_restart(community: Community) -> None:
    admin = community.admin
    await admin.send("/event_setup")
    await admin.send("After the restart")
    await community.box.restart()
    assert await state_of(community, admin) == "EventSetup:waiting_for_type"
    start = await admin.press("Meetup")  # the button of the prompt sent before the restart
    assert "DD.MM.YYYY HH:MM" in newest(start).text
    await community.box.restart(graceful=False)
    card = await admin.send("15.01.2026 12:00")
    assert newest(card).text.startswith("New event\n\nAfter the restart\nType: Meetup")
    await admin.press("✅ Confirm")
    assert [e.name for e in await events_in_db(community)] == ["After the restart"]


async def test_cancel_leaves_the_setup_without_saving(community: Community) -> None:
    admin = community.admin
    await admin.send("/event_setup")
    await admin.send("Never")
    cancelled = await admin.press("✖ Cancel")
    assert newest(cancelled).text == "Cancelled: setting up an event."
    assert await events_in_db(community) == []
    assert await state_of(community, admin) is None


# --- /event_edit -----------------------------------------------------------------------------


async def test_edit_each_field(community: Community) -> None:
    admin = community.admin
    await setup_event(community, name="Old name", kind="Meetup", start="12.01.2026 19:00")
    picked = await admin.send("/event_edit")
    assert newest(picked).buttons == [["Old name · 12.01.2026 19:00"], ["✖ Cancel"]]
    fields = await admin.press("Old name · 12.01.2026 19:00")
    assert newest(fields).buttons == [["Name", "Type", "Start"], ["◀ Back", "✖ Cancel"]]
    prompt = await admin.press("Name")
    assert newest(prompt).text.startswith("Now: Old name")
    refused = await admin.send("n" * 150)
    assert "at most 100 characters, and you sent 150" in newest(refused).text
    updated = await admin.send("New name")
    assert newest(updated).text.startswith("Event updated.\n\nNew name\nType: Meetup")
    assert await state_of(community, admin) is None

    await admin.send("/event_edit")
    await admin.press("New name · 12.01.2026 19:00")
    await admin.press("Type")
    updated = await admin.press("Conference")
    assert "Type: Conference" in newest(updated).text

    await admin.send("/event_edit")
    await admin.press("New name · 12.01.2026 19:00")
    await admin.press("Start")
    past = await admin.send("01.01.2026 10:00")
    assert newest(past).text.startswith("That moment has already passed.")
    updated = await admin.send("14.01.2026 20:15")
    assert "Start: 14.01.2026 20:15 (Europe/Berlin)" in newest(updated).text

    [event] = await events_in_db(community)
    assert (event.name, event.type) == ("New name", "conference")
    assert event.starts_at == datetime(2026, 1, 14, 19, 15, tzinfo=UTC)
    assert event.reminder_1h_at == datetime(2026, 1, 14, 18, 15, tzinfo=UTC)


async def test_edit_back_goes_to_the_fields_then_to_the_events(community: Community) -> None:
    admin = community.admin
    await setup_event(community, name="Call")
    await admin.send("/event_edit")
    await admin.press("Call · 12.01.2026 19:00")
    await admin.press("Start")
    back = await admin.press("◀ Back")
    assert newest(back).buttons[0] == ["Name", "Type", "Start"]
    back = await admin.press("◀ Back")
    assert newest(back).text == "Which event do you want to change? (the last 10)"


async def test_edit_offers_the_last_ten_events(community: Community) -> None:
    admin = community.admin
    for number in range(12):
        await setup_event(community, name=f"Event {number}", start=f"{number + 10}.01.2026 19:00")
    reply = await admin.send("/event_edit")
    labels = [row[0] for row in newest(reply).buttons[:-1]]
    assert len(labels) == 10
    assert labels[0].startswith("Event 11 ·")
    assert not any(label.startswith(("Event 0 ", "Event 1 ")) for label in labels)


# --- /event_start and /event_finish ----------------------------------------------------------


async def test_start_posts_and_pins_the_announcement_with_a_join_button(
    community: Community,
) -> None:
    admin = community.admin
    await setup_event(community, name="Spring <meetup>", kind="Meetup")
    picked = await admin.send("/event_start")
    assert newest(picked).text == "Which event is starting?"
    link_prompt = await admin.press("Spring <meetup> · 12.01.2026 19:00")
    assert newest(link_prompt).text.startswith("The meeting link for Spring <meetup>")
    for bad in ("meet.example.org/x", "ftp://files.example.org", "https://", "javascript:alert(1)"):
        refused = await admin.send(bad)
        assert newest(refused).text.startswith("That is not a link."), bad
    confirm = await admin.send("https://meet.example.org/spring")
    assert newest(confirm).text.startswith("Start Spring <meetup> now?")
    assert newest(confirm).buttons == [["✅ Confirm"], ["◀ Back", "✖ Cancel"]]
    assert community.group.messages_in(community.topics["Announcements"]) == []
    started = await admin.press("✅ Confirm")
    assert (
        "Spring <meetup> is live. The announcement will be posted and pinned in the community in"
        " a moment."
    ) in started.texts

    [announcement] = community.group.messages_in(community.topics["Announcements"])
    assert "Spring <meetup> (Meetup) has started!" in announcement.text
    assert announcement.button("Join")["url"] == "https://meet.example.org/spring"
    assert announcement.pinned
    [pin] = community.world.calls("pinChatMessage")
    assert pin.params.get("disable_notification") in (False, "false")  # notify the members

    [event] = await events_in_db(community)
    assert event.status == LIVE
    assert event.link == "https://meet.example.org/spring"
    assert event.announcement_message_id == announcement.message_id
    assert event.announcement_chat_id == community.group.id

    # Started events are no longer offered; finishing is.
    assert newest(await admin.send("/event_start")).text == "There are no upcoming events to start."
    finish = await admin.send("/event_finish")
    done = await admin.press("Spring <meetup> · 12.01.2026 19:00", message=finish.last)
    assert done.texts[-1] == "Spring <meetup> is finished. Its topics are kept."
    [event] = await events_in_db(community)
    assert event.status == "finished"
    assert not announcement.pinned
    assert newest(await admin.send("/event_finish")).text == "There are no live events to finish."


async def test_start_confirm_pressed_twice_posts_once(community: Community) -> None:
    admin = community.admin
    await setup_event(community)
    await admin.send("/event_start")
    await admin.press("Monthly call · 12.01.2026 19:00")
    card = newest(await admin.send("https://meet.example.org/x"))
    confirm_data = card.button("✅ Confirm")["callback_data"]
    await admin.press("✅ Confirm")
    again = await admin.press_data(confirm_data, message=card)
    assert again.alert == "This button is no longer active."
    assert len(community.group.messages_in(community.topics["Announcements"])) == 1


# --- /event_delete ---------------------------------------------------------------------------


async def test_delete_names_the_topic_count_and_deletes_the_topics(community: Community) -> None:
    admin, member = community.admin, community.member
    await setup_event(community, name="Doomed")
    await setup_event(community, name="Kept", start="13.01.2026 19:00")
    for text in ("First idea", "Second idea"):
        await member.send("/topic_add")
        await member.press("Doomed · 12.01.2026 19:00")
        await member.send(text)
    await member.send("/topic_add")
    await member.press("Kept · 13.01.2026 19:00")
    await member.send("Keep me")

    await admin.send("/event_delete")
    confirm = await admin.press("Doomed · 12.01.2026 19:00")
    assert newest(confirm).text == "Delete Doomed?\nIts 2 topics will be deleted with it."
    back = await admin.press("◀ Back")
    assert newest(back).text == "Which event do you want to delete?"
    await admin.press("Doomed · 12.01.2026 19:00")
    deleted = await admin.press("✅ Confirm")
    assert deleted.texts[-1] == "Doomed is deleted, and 2 topics with it."
    assert [e.name for e in await events_in_db(community)] == ["Kept"]
    assert [t.text for t in await topics_in_db(community)] == ["Keep me"]


async def test_delete_of_an_event_deleted_meanwhile_is_refused(community: Community) -> None:
    admin, moderator = community.admin, community.moderator
    await setup_event(community, name="Twice")
    await admin.send("/event_delete")
    await admin.press("Twice · 12.01.2026 19:00")
    await moderator.send("/event_delete")
    await moderator.press("Twice · 12.01.2026 19:00")
    await moderator.press("✅ Confirm")
    late = await admin.press("✅ Confirm")
    assert late.alert == "This event is no longer available."


# --- /events ---------------------------------------------------------------------------------


async def test_events_lists_upcoming_and_live_soonest_first_with_countdowns(
    community: Community,
) -> None:
    admin = community.admin
    await setup_event(community, name="Later", kind="Workshop", start="20.01.2026 10:00")
    await setup_event(community, name="Soon", kind="Meetup", start="07.01.2026 13:00")
    await setup_event(community, name="Live one", start="06.01.2026 10:00")
    await setup_event(community, name="Done", start="06.01.2026 11:00")
    await admin.send("/event_start")
    await admin.press("Live one · 06.01.2026 10:00")
    await admin.send("https://meet.example.org/live")
    await admin.press("✅ Confirm")
    await admin.send("/event_start")
    await admin.press("Done · 06.01.2026 11:00")
    await admin.send("https://meet.example.org/done")
    await admin.press("✅ Confirm")
    await admin.send("/event_finish")
    await admin.press("Done · 06.01.2026 11:00")

    # Monday 5 January, 10:00 Berlin: "Soon" is 2 days 3 hours away.
    community.clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    listing = newest(await community.member.send("/events")).text
    assert listing == (
        "Upcoming events\n\n"
        "Live one — Club call\n06.01.2026 10:00 · live now\n\n"
        "Soon — Meetup\n07.01.2026 13:00 · in 2 d 3 h\n\n"
        "Later — Workshop\n20.01.2026 10:00 · in 15 d 0 h\n\n"
        "Times are in Europe/Berlin."
    )
    community.clock.set(datetime(2026, 1, 7, 10, 15, tzinfo=UTC))  # 11:15 Berlin
    listing = newest(await community.member.send("/events")).text
    assert "07.01.2026 13:00 · in 1 h 45 min" in listing
    community.clock.set(datetime(2026, 1, 7, 11, 50, tzinfo=UTC))
    listing = newest(await community.member.send("/events")).text
    assert "07.01.2026 13:00 · in 10 min" in listing


async def test_events_when_there_are_none(community: Community) -> None:
    reply = await community.member.send("/events")
    assert newest(reply).text == "There are no upcoming events yet."


async def test_events_in_russian(community: Community) -> None:
    await setup_event(community, name="Созвон", start="07.01.2026 13:00")
    ivan = community.join("Иван", language_code="ru")
    listing = newest(await ivan.send("/events")).text
    assert "Созвон — Созвон клуба\n07.01.2026 13:00 · через 2 д 3 ч" in listing


# --- access ----------------------------------------------------------------------------------


ADMIN_COMMANDS = ("/event_setup", "/event_edit", "/event_start", "/event_finish", "/event_delete")


async def test_admin_commands_refuse_non_admins_and_groups(community: Community) -> None:
    for command in ADMIN_COMMANDS:
        refused = await community.member.send(command)
        assert newest(refused).text == "This is for community admins only.", command
    in_group = await community.moderator.say_in(community.group, "/event_setup")
    assert newest(in_group).text == "This command works in a private chat with me."
    # the community chat's administrators are admins too
    works = await community.moderator.send("/event_setup")
    assert newest(works).text == "What is the event called? (1–100 characters)"


async def test_forged_admin_buttons_are_refused(community: Community) -> None:
    admin, member = community.admin, community.member
    await setup_event(community, name="Target")
    card = newest(await admin.send("/event_delete"))
    pick = card.button("Target · 12.01.2026 19:00")["callback_data"]
    await member.send("/events")
    forged = await member.press_data(pick, message=member.last_message)
    assert forged.alert == "This is for community admins only."
    confirm = await member.press_data("evok", message=member.last_message)
    assert confirm.alert == "This is for community admins only."
    assert [e.name for e in await events_in_db(community)] == ["Target"]


async def test_events_is_for_members_only(community: Community) -> None:
    refused = await community.stranger.send("/events")
    assert newest(refused).text.startswith("This is for community members only.")


async def test_reminder_moments_follow_a_start_less_than_a_day_ahead(community: Community) -> None:
    await setup_event(community, name="Tonight", start="05.01.2026 20:00")  # 10 h ahead
    [event] = await events_in_db(community)
    assert event.reminder_24h_state == SKIPPED  # its moment was before the event existed
    assert event.reminder_1h_state == PENDING
    assert event.starts_at - timedelta(hours=1) == event.reminder_1h_at
