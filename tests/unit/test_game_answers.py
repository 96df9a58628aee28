"""The game's answer comparison, as a table of cases."""

from __future__ import annotations

import pytest

from bot.features.game.service import answer_matches, normalize_answer


@pytest.mark.parametrize(
    ("answer", "expected", "right"),
    [
        ("house", "house", True),
        ("House", "house", True),
        ("  house  ", "house", True),
        ("ice   cream", "ice cream", True),
        ("house.", "house", True),
        ("house!?", "house", True),
        ("house,", "house", True),
        ("house", "house.", True),
        ("run", "to run (fast)", False),
        ("to run", "to run (fast)", True),
        ("to run (quickly)", "to run (fast)", True),
        ("dom", "дом", False),
        ("Дом", "дом", True),
        ("ёж", "ёж", True),
        ("to go", "to go, to walk", True),
        ("to walk", "to go, to walk", True),
        ("to walk.", "to go,  to walk", True),
        ("to go, to walk", "to go, to walk", True),
        ("to", "to go, to walk", False),
        ("house", "house, home (place)", True),
        ("home", "house, home (place)", True),
        ("place", "house, home (place)", False),
        ("", "house", False),
        ("   ", "house", False),
        ("...", "house", False),
        ("hose", "house", False),
        ("house boat", "houseboat", False),
        ("(house)", "house", False),
    ],
)
def test_answer_matches(answer: str, expected: str, right: bool) -> None:
    assert answer_matches(answer, expected) is right


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  Hello   World!  ", "hello world"),
        ("word (note) here.", "word here"),
        ("a ((nested) part) b", "a b"),
        ("Wait...", "wait"),
        ("ok ?", "ok"),
    ],
)
def test_normalize_answer(text: str, normal: str) -> None:
    assert normalize_answer(text) == normal
