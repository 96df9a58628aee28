"""One active flow per user and chat, forms and pickers, through the fake Telegram.

A command that starts another flow pauses (intro, event setup) or leaves the current one with
one line; typed answers go to the active flow only; a re-ask shows one hint; Back, Edit and
Cancel of a form; a picker pages past 20 items and Back returns to the page; stale buttons get
one alert, also after a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.features.events import service as events
from bot.features.events.models import Event
from bot.features.profile.models import Profile
from bot.sandbox import UserActor
from bot.sandbox.client import Reply
from tests.e2e.conftest import Community
from tests.e2e.test_events import events_in_db, newest, setup_event, state_of

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAME_PROMPT = "What is the event called? (1–100 characters)"
INTRO_PAUSED = "Paused: the introduction. Send /intro to continue where you stopped."
SETUP_PAUSED = "Paused: setting up an event. Send /event_setup to continue where you stopped."


def posted(reply: Reply) -> list[str]:
    """The texts of the messages the bot sent (not edited) in reply."""
    return [message.text or "" for message in reply.posted]


async def fsm_data(community: Community, user: UserActor) -> dict[str, object]:
    app = community.app
    key = StorageKey(bot_id=app.bot.id, chat_id=user.id, user_id=user.id)
    return await app.fsm.storage.get_data(key)


async def profile_of(community: Community, user: UserActor) -> Profile | None:
    async with community.app.session_factory() as session:
        return await session.scalar(select(Profile).where(Profile.user_id == user.id))


async def add_events(community: Community, count: int) -> None:
    """Events written straight to the database: "Event 00" starts tomorrow, then one a day."""
    async with community.app.session_factory() as session, session.begin():
        for number in range(count):
            await events.create_event(
                session,
                name=f"Event {number:02d}",
                kind="meetup",
                starts_at=NOW + timedelta(days=number + 1),
                now=NOW,
            )


def labels(reply: Reply) -> list[str]:
    """The item buttons of a list (every row but the pager and the Cancel rows)."""
    return [row[0] for row in newest(reply).buttons if row[0].startswith("Event ")]


# --- one active flow -------------------------------------------------------------------------


async def test_a_command_pauses_the_intro_and_the_intro_resumes_at_the_same_step(
    community: Community,
) -> None:
    ada = community.admin  # a member without a profile: /start begins her introduction
    await ada.send("/start")
    assert "What is your first name?" in ada.last_message.text

    setup = await ada.send("/event_setup")
    assert posted(setup) == [INTRO_PAUSED, NAME_PROMPT]
    # The typed answer goes to the active flow, the event setup, not to the paused intro.
    types = await ada.send("Board games night")
    assert newest(types).text == "What kind of event is it?"
    assert await state_of(community, ada) == "EventSetup:waiting_for_type"
    paused = await fsm_data(community, ada)
    assert "Intro" in paused["_paused"]  # type: ignore[operator]

    back = await ada.send("/intro")
    assert posted(back)[0] == SETUP_PAUSED
    assert posted(back)[1].startswith("Let us go on with your introduction where we stopped.")
    assert "What is your first name?" in posted(back)[1]
    assert len(posted(back)) == 2
    await ada.send("Ada")
    assert "What is your last name?" in ada.last_message.text

    # /event_setup resumes the setup at its step, with the name typed before.
    resumed = await ada.send("/event_setup")
    assert posted(resumed)[0] == INTRO_PAUSED
    assert posted(resumed)[1].startswith("Let us go on with the new event where we stopped.")
    assert "What kind of event is it?" in posted(resumed)[1]
    await ada.press("Meetup")
    await ada.send("12.01.2026 19:00")
    card = newest(await ada.press("✅ Confirm"))
    assert card.text.startswith("Event saved.")
    assert [event.name for event in await events_in_db(community)] == ["Board games night"]
    assert await state_of(community, ada) is None

    # The intro waited, paused, with its answer: /intro goes on at the last name.
    again = await ada.send("/intro")
    assert posted(again)[0].startswith("Let us go on with your introduction")
    assert "What is your last name?" in posted(again)[0]
    assert "Current:" not in posted(again)[0]  # no last name was typed yet
    await ada.send("Lovelace")
    await ada.send("I write programs for engines.")
    assert "Ada Lovelace" in ada.last_message.text
    await ada.press("✅ Confirm")
    row = await profile_of(community, ada)
    assert row is not None
    assert (row.first_name, row.last_name) == ("Ada", "Lovelace")


async def test_a_list_with_nothing_to_pick_leaves_the_current_flow_alone(
    community: Community,
) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("Mia")
    nothing = await mia.send("/topic_add")
    assert posted(nothing) == ["There are no upcoming events to propose topics for."]
    assert await state_of(community, mia) == "Intro:waiting_for_last_name"
    await mia.send("Wallace")
    assert "Tell the community about yourself" in mia.last_message.text


async def test_a_flow_that_cannot_be_paused_is_left_with_one_line(community: Community) -> None:
    await setup_event(community)
    mia = community.member
    await mia.send("/topic_add")
    await mia.press("Monthly call · 12.01.2026 19:00")
    search = await mia.send("/content")
    assert posted(search) == [
        "Left: proposing a topic. Send /topic_add to start again.",
        "What are you looking for? Send words that occur in the message.",
    ]
    assert await state_of(community, mia) == "ContentSearch:waiting_for_query"
    # Its buttons are gone from the prompt it left; a forged press of one is stale.
    text_prompt = [m for m in mia.messages if m.text.startswith("Your topic")][-1]
    assert text_prompt.buttons == []
    stale = await mia.press_data("back", message=text_prompt)
    assert stale.alert == "This button is no longer active."
    assert await state_of(community, mia) == "ContentSearch:waiting_for_query"
    # A new /topic_add starts over.
    assert newest(await mia.send("/topic_add")).text == "Which event is your topic for?"


async def test_cancel_ends_the_active_flow_and_keeps_the_paused_one(community: Community) -> None:
    ada = community.admin
    await ada.send("/start")
    await ada.send("Ada")
    await ada.send("/event_setup")
    cancelled = await ada.send("/cancel")
    assert posted(cancelled) == ["Cancelled: setting up an event."]
    assert await state_of(community, ada) is None
    resumed = await ada.send("/intro")
    assert posted(resumed) == [
        "Let us go on with your introduction where we stopped.\n\n"
        "What is your last name? (up to 30 characters)"
    ]


# --- one hint above a question asked again ----------------------------------------------------


async def test_the_intro_shows_one_hint_after_three_bad_answers(community: Community) -> None:
    mia = community.member
    await mia.send("/start")
    await mia.send("M" * 31)
    await mia.send_sticker()
    third = await mia.send("N" * 40)
    text = newest(third).text
    assert text.startswith("That is too long: at most 30 characters, and you sent 40.")
    assert text.count("That is too long") == 1
    assert "Please answer with text." not in text
    assert text.endswith("What is your first name? (up to 30 characters)")
    await mia.send_sticker()
    assert mia.last_message.text == (
        "Please answer with text.\n\nWhat is your first name? (up to 30 characters)"
    )


async def test_event_setup_shows_one_error_after_three_bad_dates(community: Community) -> None:
    admin = community.admin
    await admin.send("/event_setup")
    await admin.send("Call")
    await admin.press("Club call")
    await admin.send("next friday")
    await admin.send("05.01.2026 09:59")  # passed already
    third = newest(await admin.send("31.02.2026 19:00"))
    assert third.text.startswith("I could not read that date.")
    assert third.text.count("I could not read that date.") == 1
    assert "already passed" not in third.text
    assert third.text.count("When does it start?") == 1
    assert third.buttons == [["◀ Back", "✖ Cancel"]]


# --- a form: Back, Edit, Cancel --------------------------------------------------------------


async def test_intro_form_back_edit_and_cancel(community: Community) -> None:
    mia = community.member
    await mia.send("/intro")
    await mia.send("Mia")
    back = newest(await mia.press("◀ Back"))  # from the last name to the first name
    assert "What is your first name?" in back.text
    assert "Current: Mia" in back.text
    assert back.buttons == [["✖ Cancel"]]  # the first question: no Back
    await mia.send("Mia")
    await mia.send("Wallace")
    await mia.send("About me.")
    menu = newest(await mia.press("✏️ Edit"))
    assert menu.text == "What would you like to change?"
    assert menu.buttons == [["First name"], ["Last name"], ["About you"], ["◀ Back", "✖ Cancel"]]
    card = newest(await mia.press("◀ Back"))  # the Edit menu leads back to the card
    assert "This is how your intro card will look" in card.text
    await mia.press("✏️ Edit")
    field = newest(await mia.press("First name"))
    assert field.buttons == [["◀ Back", "✖ Cancel"]]  # changing a field: Back to the card
    card = newest(await mia.press("◀ Back"))
    assert "Mia Wallace" in card.text
    await mia.press("✏️ Edit")
    await mia.press("About you")
    card = newest(await mia.send("About me, again."))  # an edited field leads to the card
    assert "About me, again." in card.text
    assert card.buttons == [["✅ Confirm", "✏️ Edit"], ["◀ Back", "✖ Cancel"]]
    cancelled = await mia.press("✖ Cancel")
    assert posted(cancelled) == ["Cancelled: the introduction."]
    assert await profile_of(community, mia) is None
    assert card.buttons == []


async def test_profile_manager_form_back_and_a_stale_field_button(community: Community) -> None:
    admin = community.admin
    await admin.send("/profiles")
    card = newest(await admin.send(str(community.other.id)))
    assert "A new profile was created." in card.text
    asked = newest(await admin.press("✏️ About"))
    assert asked.text.startswith("Send the new value of “About”.")
    back = newest(await admin.press("◀ Back"))
    assert back.message_id == card.message_id  # the card again, in place
    assert "About: ❌ missing" in back.text
    await admin.press("✏️ About")
    saved = newest(await admin.send("I repair radios."))
    assert saved.text.startswith("Saved.\n\n")
    assert "About: ✅ filled" in saved.text
    # The field buttons of the card before are stale now (the card was sent anew).
    stale = await admin.press_data("pf-a-field:about", message=card)
    assert stale.alert == "This button is no longer active."


# --- pickers ---------------------------------------------------------------------------------


async def test_a_picker_pages_past_twenty_and_back_returns_to_the_page(
    community: Community,
) -> None:
    await add_events(community, 25)
    admin = community.admin
    first = await admin.send("/event_delete")
    assert newest(first).text == "Which event do you want to delete?"
    assert labels(first)[0].startswith("Event 24 ·")  # the newest first
    assert len(labels(first)) == 10
    assert newest(first).buttons[-2:] == [["1/3", "Next ▶"], ["✖ Cancel"]]
    await admin.press("Next ▶")
    third = await admin.press("Next ▶")
    assert newest(third).message_id == newest(first).message_id  # edited in place
    assert [label.split(" ·")[0] for label in labels(third)] == [
        "Event 04",
        "Event 03",
        "Event 02",
        "Event 01",
        "Event 00",
    ]
    assert newest(third).buttons[-2:] == [["◀ Prev", "3/3"], ["✖ Cancel"]]
    confirm = await admin.press(labels(third)[3])  # Event 01, on the third page
    assert newest(confirm).text == "Delete Event 01?\nIt has no topics."
    back = await admin.press("◀ Back")
    assert labels(back) == labels(third)  # the same page
    assert newest(back).buttons[-2] == ["◀ Prev", "3/3"]
    await admin.press(labels(back)[3])
    deleted = await admin.press("✅ Confirm")
    assert deleted.texts[-1] == "Event 01 is deleted, and 0 topics with it."
    assert len(await events_in_db(community)) == 24


async def test_topics_list_pages_past_twenty(community: Community) -> None:
    await add_events(community, 23)
    member = community.member
    listed = await member.send("/topics")
    assert labels(listed)[0].startswith("Event 00 ·")  # the soonest first
    await member.press("Next ▶")
    last = await member.press("Next ▶")
    assert [label.split(" ·")[0] for label in labels(last)] == ["Event 20", "Event 21", "Event 22"]
    page = newest(await member.press(labels(last)[2]))
    assert page.text.startswith("Topics for Event 22 (0)")
    back = await member.press("◀ Back")
    assert newest(back).text == "Topics of which event?"
    assert newest(back).buttons[-2] == ["◀ Prev", "3/3"]


# --- stale buttons ---------------------------------------------------------------------------


async def test_stale_buttons_after_a_restart_get_one_alert(community: Community) -> None:
    await setup_event(community)
    admin = community.admin
    old_list = newest(await admin.send("/event_edit"))
    pick = old_list.button("Monthly call · 12.01.2026 19:00")["callback_data"]
    live_list = newest(await admin.send("/event_edit"))  # the same flow, started again
    assert old_list.buttons == []
    await community.box.restart(graceful=False)
    stale = await admin.press_data(pick, message=old_list)
    assert stale.alert == "This button is no longer active."
    assert stale.posted == []
    # The live list still works after the restart.
    fields = newest(await admin.press("Monthly call · 12.01.2026 19:00", message=live_list))
    assert fields.buttons[0] == ["Name", "Type", "Start"]
    await admin.send("/cancel")
    await community.box.restart()
    for data in ("evfield:name", "evok", "evtype:meetup", pick):
        again = await admin.press_data(data, message=fields)
        assert again.alert == "This button is no longer active.", data
    # A member's press of the same buttons is refused as an admin's button.
    forged = await community.member.press_data("evfield:name", message=fields)
    assert forged.alert == "This is for community admins only."
    assert [e.name for e in await events_in_db(community)] == ["Monthly call"]


async def test_an_event_gone_meanwhile_ends_the_typing_flow(community: Community) -> None:
    event: Event = await setup_event(community, name="Vanishing")
    member, admin = community.member, community.admin
    await member.send("/topic_add")
    await member.press("Vanishing · 12.01.2026 19:00")
    await admin.send("/event_delete")
    await admin.press("Vanishing · 12.01.2026 19:00")
    await admin.press("✅ Confirm")
    gone = await member.send("My topic")
    assert posted(gone) == ["This event is no longer available."]
    assert await state_of(community, member) is None
    assert event.id not in [e.id for e in await events_in_db(community)]
