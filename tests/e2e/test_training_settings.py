"""/settings: one message edited in place, saved at each press, within its bounds."""

from __future__ import annotations

from bot.features.training.keyboards import TrSettingsCb
from bot.features.training.models import LearningSettings
from tests.e2e.conftest import Community


async def stored(community: Community, user_id: int) -> LearningSettings:
    async with community.app.session_factory() as session:
        row = await session.get(LearningSettings, user_id)
        assert row is not None
        return row


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

    await mia.press("UTC+8", message=panel)
    assert "Time zone: UTC+8" in (panel.text or "")
    for value, expected in [(15, 14), (-13, -12), (-5, -5)]:
        await mia.press_data(TrSettingsCb(what="z", value=value).pack(), message=panel)
        assert (await stored(community, mia.id)).utc_offset == expected
    assert "Time zone: UTC−5" in (panel.text or "")

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
