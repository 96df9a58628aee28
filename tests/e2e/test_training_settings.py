"""/settings: one message edited in place, saved at each press, within its bounds."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.features.training import service
from bot.features.training.keyboards import TrSettingsCb, TrZoneCb
from bot.features.training.models import LearningSettings
from bot.sandbox import UserActor
from tests.e2e.conftest import Community

ZONE_BUTTON = "🌍 Time zone: UTC (UTC±0)"
ASK = "Choose your time zone, or type a city or a zone name"


async def stored(community: Community, user_id: int) -> LearningSettings:
    async with community.app.session_factory() as session:
        row = await session.get(LearningSettings, user_id)
        assert row is not None
        return row


async def state_of(community: Community, user: UserActor) -> str | None:
    key = StorageKey(bot_id=community.app.bot.id, chat_id=user.id, user_id=user.id)
    return await community.app.fsm.storage.get_state(key)


async def test_settings_are_saved_at_each_press_within_bounds(community: Community) -> None:
    mia = community.member
    panel = (await mia.send("/settings")).last
    assert "Cards per session: 10" in (panel.text or "")
    assert panel.buttons[-1] == ["Close"]

    await mia.press("+", message=panel)
    assert (await stored(community, mia.id)).cards_per_session == 11
    await mia.press("30", message=panel)
    assert (await stored(community, mia.id)).cards_per_session == 30
    for value, expected in [(0, 1), (51, 50), (50, 50)]:
        await mia.press_data(TrSettingsCb(what="c", value=value).pack(), message=panel)
        assert (await stored(community, mia.id)).cards_per_session == expected
    assert panel.buttons[0] == ["−", "50 cards", "+"]
    reply = await mia.press("+", message=panel)  # at the top already
    assert (await stored(community, mia.id)).cards_per_session == 50
    assert reply.alert is None

    assert "Time zone: UTC (UTC±0)" in (panel.text or "")
    assert [ZONE_BUTTON] in panel.buttons

    await mia.press("Evening 20:00 ✅", message=panel)
    saved = await stored(community, mia.id)
    assert (saved.remind_morning, saved.remind_afternoon, saved.remind_evening) == (
        True,
        True,
        False,
    )
    assert "Evening 20:00 ❌" in panel.buttons[2]

    messages_before = len(mia.messages)
    await mia.press("Close", message=panel)
    assert panel.buttons == []
    assert (panel.text or "").endswith("Settings saved.")
    assert len(mia.messages) == messages_before, "everything happened in one message"


async def test_russian_learner_gets_russian_texts(community: Community) -> None:
    ivan = community.join("Иван", language_code="ru")
    reply = await ivan.send("/add дом = house")
    assert reply.last.text == "Добавлено: дом — house"
    card = (await ivan.send("/review")).last
    assert card.buttons == [["Снова", "Трудно", "Хорошо", "Легко"]]
    panel = (await ivan.send("/settings")).last
    assert (panel.text or "").startswith("Настройки обучения")


async def test_zone_chosen_from_the_short_list(community: Community) -> None:
    mia = community.member
    panel = (await mia.send("/settings")).last
    prompt = (await mia.press(ZONE_BUTTON, message=panel)).last
    assert prompt is not panel
    assert (prompt.text or "").startswith(ASK)
    assert prompt.buttons == [
        ["UTC (UTC±0)", "Europe/London (UTC±0)"],
        ["Europe/Berlin (UTC+1)", "America/New_York (UTC−5)"],
        ["America/Chicago (UTC−6)", "America/Los_Angeles (UTC−8)"],
        ["Asia/Kolkata (UTC+5:30)", "Asia/Tokyo (UTC+9)"],
        ["Australia/Sydney (UTC+11)"],
        ["✖ Cancel"],
    ]
    assert await state_of(community, mia) == "TimeZone:choosing"
    reply = await mia.press("Europe/Berlin (UTC+1)", message=prompt)
    assert reply.alert is None
    assert (await stored(community, mia.id)).time_zone == "Europe/Berlin"
    assert await state_of(community, mia) is None
    text = prompt.text or ""
    assert text.startswith("Time zone saved: Europe/Berlin (UTC+1).\n\nLearning settings")
    assert "Time zone: Europe/Berlin (UTC+1)" in text
    assert ["🌍 Time zone: Europe/Berlin (UTC+1)"] in prompt.buttons, "the settings card again"
    # the list's buttons are spent: a press of the old prompt is stale
    stale = await mia.press_data(TrZoneCb(index=0).pack(), message=prompt)
    assert stale.alert == "This button is no longer active."
    assert (await stored(community, mia.id)).time_zone == "Europe/Berlin"


async def test_zone_found_by_city_or_name(community: Community) -> None:
    mia = community.member
    await mia.send("/settings")
    await mia.press(ZONE_BUTTON)
    reply = await mia.send("new york")
    assert (reply.last.text or "").startswith("Time zone saved: America/New_York (UTC−5).")
    assert (await stored(community, mia.id)).time_zone == "America/New_York"
    assert await state_of(community, mia) is None

    await mia.press("🌍 Time zone: America/New_York (UTC−5)", message=reply.last)
    await mia.send("europe/MOSCOW")
    assert (await stored(community, mia.id)).time_zone == "Europe/Moscow"


async def test_several_matches_are_offered_and_a_bad_search_is_asked_again(
    community: Community,
) -> None:
    mia = community.member
    await mia.send("/settings")
    await mia.press(ZONE_BUTTON)
    await mia.send("atlantis")
    bad = mia.last_message
    assert (bad.text or "").startswith("I know no time zone called “atlantis”.")
    assert ASK in (bad.text or "")
    assert bad.buttons[-1] == ["✖ Cancel"]
    assert await state_of(community, mia) == "TimeZone:choosing"
    assert (await stored(community, mia.id)).time_zone == "UTC"

    found = service.search_zones("america/")
    await mia.send("america/")
    prompt = mia.last_message
    assert (prompt.text or "").startswith(f"Zones found: {len(found)}.")
    assert f"the other {len(found) - 8}" in (prompt.text or "")
    labels = [label for row in prompt.buttons[:-1] for label in row]
    assert [label.split(" ")[0] for label in labels] == found[:8]
    choice = labels[3]
    await mia.press(choice, message=prompt)
    assert (await stored(community, mia.id)).time_zone == found[3]
    assert await state_of(community, mia) is None


async def test_zone_from_a_shared_location(community: Community) -> None:
    mia = community.member
    await mia.send("/settings")
    await mia.press(ZONE_BUTTON)
    await mia.send_location(52.52, 13.40)  # Berlin
    prompt = mia.last_message
    assert (prompt.text or "").startswith("The zones nearest to that location:")
    assert prompt.buttons[0][0] == "Europe/Berlin (UTC+1)"
    assert prompt.buttons[-1] == ["✖ Cancel"]
    await mia.press("Europe/Berlin (UTC+1)", message=prompt)
    assert (await stored(community, mia.id)).time_zone == "Europe/Berlin"
    assert await state_of(community, mia) is None


async def test_zone_search_is_left_with_cancel_or_another_command(community: Community) -> None:
    mia = community.member
    await mia.send("/settings")
    prompt = (await mia.press(ZONE_BUTTON)).last
    reply = await mia.send("/cancel")
    assert reply.last.text == "Cancelled: choosing a time zone."
    assert await state_of(community, mia) is None
    assert prompt.buttons == []
    await mia.send("berlin")  # no longer a search
    assert (await stored(community, mia.id)).time_zone == "UTC"

    await mia.send("/settings")
    await mia.press(ZONE_BUTTON)
    assert await state_of(community, mia) == "TimeZone:choosing"
    await mia.send("/add")
    assert await state_of(community, mia) == "TrainingAdd:waiting_for_pair"
    await mia.send("/cancel")
    await mia.send("tokyo")
    assert (await stored(community, mia.id)).time_zone == "UTC"


async def test_russian_learner_gets_russian_zones(community: Community) -> None:
    ivan = community.join("Иван", language_code="ru")
    await ivan.send("/settings")
    prompt = (await ivan.press("🌍 Часовой пояс: UTC (UTC±0)")).last
    assert (prompt.text or "").startswith("Выберите часовой пояс")
    assert prompt.buttons[0] == ["Europe/Kaliningrad (UTC+2)", "Europe/Moscow (UTC+3)"]
    assert prompt.buttons[-1] == ["✖ Отмена"]
    await ivan.send("Атлантида")
    assert (ivan.last_message.text or "").startswith("Не знаю часового пояса «Атлантида».")
    reply = await ivan.press("Europe/Moscow (UTC+3)")
    assert (reply.last.text or "").startswith("Часовой пояс сохранён: Europe/Moscow (UTC+3).")
    assert (await stored(community, ivan.id)).time_zone == "Europe/Moscow"
    await ivan.press("🌍 Часовой пояс: Europe/Moscow (UTC+3)", message=reply.last)
    reply = await ivan.send("Новосибирск")
    assert (reply.last.text or "").startswith("Часовой пояс сохранён: Asia/Novosibirsk (UTC+7).")
