"""The query side of the ranked search: terms, one-edit names, the words a result matched."""

from __future__ import annotations

import pytest

from bot.db.fulltext import MAX_TERMS, _fts_query, _tsquery, matched_terms, one_edit, terms


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Developer of pipelines, Go and Python", ["developer", "pipelines", "go", "python"]),
        ("of and", ["of", "and"]),  # nothing but stop words: they are the query
        ("a", ["a"]),
        ("a b", ["a", "b"]),
        ("a go", ["go"]),
        ("ШАХМАТЫ и стихи", ["шахматы", "стихи"]),
        ('"NEAR(x* AND y)" -z ^w: |!&()', ["near"]),
        ("mia_w python python", ["mia", "python"]),
        ("  *:&|!  ", []),
    ],
)
def test_terms(query: str, expected: list[str]) -> None:
    assert terms(query) == expected


def test_a_long_query_keeps_its_first_terms() -> None:
    words = [f"word{n}" for n in range(50)]
    assert terms(" ".join(words)) == words[:MAX_TERMS]


def test_queries_quote_every_term() -> None:
    assert _fts_query(["pipe", "go"]) == '"pipe"* OR "go"'
    tsquery = _tsquery(["pipe", "go"])
    assert tsquery.clauses.clauses[1].value == "'pipe':* | 'go'"


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("wallace", "wallace", True),
        ("wallece", "wallace", True),
        ("walace", "wallace", True),
        ("wallacce", "wallace", True),
        ("wallcae", "wallace", False),  # two letters swapped: two edits
        ("wellece", "wallace", False),
        ("wall", "wallace", False),
    ],
)
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert one_edit(a, b) is near
    assert one_edit(b, a) is near


def test_matched_terms() -> None:
    text = "Mia Wallace Backend developer: data pipelines in Go and Python, gophers"
    assert matched_terms("Developer of pipelines, Go and Python", text) == [
        "developer",
        "pipelines",
        "go",
        "python",
    ]
    assert matched_terms("pipe goph", text) == ["pipe", "goph"]
    assert matched_terms("g", text) == []  # a short term is a whole word
    assert matched_terms("Wallece", text) == []
    assert matched_terms("Wallece", text, names=("Mia", "Wallace")) == ["wallece"]
