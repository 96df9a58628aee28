"""Rendering of training cards, summaries and settings (text only, no I/O)."""

from __future__ import annotations

from datetime import datetime

from bot.features.core.models import User
from bot.features.training import service
from bot.features.training.keyboards import grade_label, zone_label
from bot.features.training.models import LearningSettings
from bot.i18n import Translator, get_translator, resolve_locale


def translator_for(user: User | None, default_locale: str) -> Translator:
    """The translator of a stored user (jobs write to users outside of their updates)."""
    if user is None:
        return get_translator(default_locale)
    return get_translator(resolve_locale(user.language, user.language_code, default_locale))


def card_text(t: Translator, card: service.CardView, intro: str | None = None) -> str:
    text = t(
        "training-card",
        position=str(card.position),
        total=str(card.total),
        front=card.front,
        back=card.back,
    )
    return f"{intro}\n\n{text}" if intro else text


def graded_text(t: Translator, card: service.CardView, grade: int) -> str:
    return t(
        "training-card-graded",
        position=str(card.position),
        total=str(card.total),
        front=card.front,
        back=card.back,
        grade=grade_label(t, grade),
    )


def answered_text(
    t: Translator, card: service.CardView, right: bool, answer: str, grade: int
) -> str:
    """A card answered by typing: right or wrong, the expected answer, what was typed, the
    grade it gave."""
    return t(
        "training-card-answered",
        position=str(card.position),
        total=str(card.total),
        front=card.front,
        back=card.back,
        mark="✅" if right else "❌",
        answer=answer,
        grade=grade_label(t, grade),
    )


def summary_text(t: Translator, grades: dict[str, int]) -> str:
    def n(grade: int) -> str:
        return str(grades.get(str(grade), 0))

    return t(
        "training-summary",
        cards=str(sum(grades.values())),
        again=n(1),
        hard=n(2),
        good=n(3),
        easy=n(4),
    )


def settings_text(t: Translator, settings: LearningSettings, now: datetime) -> str:
    def mark(on: bool) -> str:
        return "✅" if on else "❌"

    lines = [
        t("training-settings-title"),
        "",
        t(
            "training-settings-body",
            cards=str(settings.cards_per_session),
            morning=mark(settings.remind_morning),
            afternoon=mark(settings.remind_afternoon),
            evening=mark(settings.remind_evening),
            zone=zone_label(settings.time_zone, now),
        ),
    ]
    if settings.paused:
        lines += ["", t("training-settings-paused")]
    return "\n".join(lines)
