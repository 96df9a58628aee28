"""Typed answers: the one comparison of what a learner typed with the expected translation,
used by the game and by the review (no Telegram, no database here)."""

from __future__ import annotations

import re

_PARENTHESES = re.compile(r"\([^()]*\)")
_TRAILING = ".,!?"


def _without_parentheses(text: str) -> str:
    previous = None
    while previous != text:  # nested parentheses: innermost first
        previous, text = text, _PARENTHESES.sub(" ", text)
    return text


def normalize_answer(text: str) -> str:
    """Case, surrounding and repeated spaces, trailing . , ! ? and (parenthesised parts) aside."""
    text = " ".join(_without_parentheses(text).split()).casefold()
    while text and text[-1] in _TRAILING:
        text = text[:-1].rstrip()
    return text


def answer_matches(answer: str, expected: str) -> bool:
    """Right when the answer is the expected text or any one of its comma-separated parts."""
    given = normalize_answer(answer)
    if not given:
        return False
    whole = normalize_answer(expected)
    alternatives = {normalize_answer(part) for part in _without_parentheses(expected).split(",")}
    return given == whole or given in alternatives
