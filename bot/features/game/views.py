"""Rendering of game cards and scores (text only, no I/O)."""

from __future__ import annotations

from bot.features.game import service
from bot.i18n import Translator


def card_text(t: Translator, card: service.GameCard) -> str:
    return t(
        "game-card",
        position=str(card.position),
        total=str(card.total),
        correct=str(card.correct),
        prompt=card.prompt,
    )


def answered_text(t: Translator, card: service.GameCard, correct: bool, answer: str | None) -> str:
    key = "game-card-right" if correct else "game-card-wrong"
    text = t(
        key,
        position=str(card.position),
        total=str(card.total),
        prompt=card.prompt,
        expected=card.expected,
    )
    if answer is not None:
        text += "\n" + t("game-your-answer", answer=answer)
    return text


def score_text(t: Translator, score: service.GameScore, *, timeout: bool = False) -> str:
    return t(
        "game-over-timeout" if timeout else "game-over",
        correct=str(score.correct),
        answered=str(score.answered),
        accuracy=str(score.accuracy),
    )
