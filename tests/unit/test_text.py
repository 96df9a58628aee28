"""Telegram HTML text helpers: lengths, escaping, splitting, sending long texts."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)

from bot.telegram.text import (
    TEXT_LIMIT,
    escape,
    send_long,
    split_html,
    utf16_len,
    visible_len,
    visible_text,
)

# --- an independent oracle: the standard library's HTML parser -------------------------------


class Oracle(HTMLParser):
    """Visible text, tag balance and start tags of an HTML fragment, via html.parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.start_tags: list[str] = []
        self.errors: list[str] = []
        self.depths: list[int] = []  # how many tags are open around each visible character

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.start_tags.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.depths += [len(self.stack)] * len(data)


def parse(html: str) -> Oracle:
    oracle = Oracle()
    oracle.feed(html)
    oracle.close()
    return oracle


def oracle_text(html: str) -> str:
    return "".join(parse(html).text)


def assert_valid_split(html: str, parts: list[str], limit: int) -> None:
    """Everything split_html promises about ``parts``, checked with the oracle."""
    original = oracle_text(html)
    if not original.strip():
        assert parts == []
        return
    if utf16_len(original) <= limit:
        assert parts == [html]
        return
    original_tags = set(parse(html).start_tags)
    seen: list[str] = []
    for part in parts:
        oracle = parse(part)
        assert oracle.errors == [], part
        assert oracle.stack == [], f"unclosed {oracle.stack} in {part!r}"
        text = "".join(oracle.text)
        assert len(text.encode("utf-16-le")) // 2 <= limit, part
        assert text.strip(), f"empty part {part!r}"
        assert text == text.rstrip(), f"trailing whitespace in {part!r}"
        assert not text.startswith("\n"), f"leading blank line in {part!r}"
        # reopened tags are copies of original ones, attributes included
        assert set(oracle.start_tags) <= original_tags, part
        seen.append(text)
    # the parts, glued back with the whitespace cut away, are the original text
    pattern = r"\s*" + r"\s*".join(re.escape(text) for text in seen) + r"\s*"
    assert re.fullmatch(pattern, original), (html, parts)


# --- lengths and escaping ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("abc", 3),
        ("привет", 6),
        ("é", 1),
        ("e\u0301", 2),
        ("😀", 2),
        ("👍🏽", 4),
        ("👨‍👩‍👧", 8),
        ("𝕏", 2),
    ],
)
def test_utf16_len(text: str, units: int) -> None:
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain", "plain"),
        ("a & b", "a &amp; b"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("it's", "it's"),
        ("&amp;", "&amp;amp;"),
        ("😀 <3", "😀 &lt;3"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert oracle_text(escape(text)) == text
    assert visible_len(escape(text)) == utf16_len(text)


def test_escaped_text_is_safe_in_an_attribute() -> None:
    url = 'https://x.y/?q="><b>boom</b>&a=1'
    oracle = parse(f'<a href="{escape(url)}">link</a>')
    assert oracle.stack == []
    assert oracle.start_tags == [f'<a href="{escape(url)}">']
    assert "".join(oracle.text) == "link"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain", "plain"),
        ("<b>a&amp;b</b>", "a&b"),
        ('<a href="https://x.y/?a=1&amp;b=2">x &gt; y</a>', "x > y"),
        ("&#128512;&#x1F600;", "😀😀"),
        ("&lt;b&gt;", "<b>"),
        ('<pre><code class="language-py">x = 1\n</code></pre>', "x = 1\n"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<blockquote expandable>q</blockquote>", "q"),
    ],
)
def test_visible_text_and_len(html: str, text: str) -> None:
    assert visible_text(html) == text
    assert visible_text(html) == oracle_text(html)
    assert visible_len(html) == utf16_len(text)


# --- split_html: table ----------------------------------------------------------------------

HREF = '<a href="https://x.y/?a=1&amp;b=2">'

SPLIT_CASES: list[tuple[str, str, int, list[str]]] = [
    ("fits, unchanged", "<b>hi</b>\n\n", 10, ["<b>hi</b>\n\n"]),
    ("exactly the limit", "abcd", 4, ["abcd"]),
    ("empty", "", 10, []),
    ("blank", " \n\n <b> </b>", 3, []),
    ("paragraph first", "aaaa\n\nbbbb\ncccc dddd", 15, ["aaaa", "bbbb\ncccc dddd"]),
    ("last paragraph", "aa\n\nbb\n\ncc dd ee", 10, ["aa\n\nbb", "cc dd ee"]),
    ("then line", "aaaa\nbbbb cccc dddd", 15, ["aaaa", "bbbb cccc dddd"]),
    ("then space", "aaaa bbbb cccc", 10, ["aaaa bbbb", "cccc"]),
    ("space right after the limit", "abcd efgh", 4, ["abcd", "efgh"]),
    ("line right after the limit", "ab cd\nef", 5, ["ab cd", "ef"]),
    ("paragraph right after the limit", "ab\ncd\n\nef", 5, ["ab\ncd", "ef"]),
    ("hard cut", "abcdefghij", 4, ["abcd", "efgh", "ij"]),
    ("entities are atoms", "&amp;&amp;&amp;", 2, ["&amp;&amp;", "&amp;"]),
    ("numeric entity", "ab&#128512;cd", 3, ["ab", "&#128512;c", "d"]),
    ("surrogate pairs", "😀😀😀", 3, ["😀", "😀", "😀"]),
    ("skin tone kept", "👍🏽👍🏽", 6, ["👍🏽", "👍🏽"]),
    ("zwj family kept", "ab👨‍👩‍👧", 9, ["ab", "👨‍👩‍👧"]),
    ("accent kept", "abce\u0301", 4, ["abc", "e\u0301"]),
    ("flag kept", "a🇺🇦🇺🇦", 6, ["a🇺🇦", "🇺🇦"]),
    ("flags are pairs", "ab🇺🇦🇺🇦", 7, ["ab🇺🇦", "🇺🇦"]),
    (
        "link reopened",
        f"{HREF}one two three</a>",
        8,
        [f"{HREF}one two</a>", f"{HREF}three</a>"],
    ),
    (
        "nested",
        "<b>bold <i>it alic</i> tail</b>",
        6,
        ["<b>bold</b>", "<b><i>it</i></b>", "<b><i>alic</i></b>", "<b>tail</b>"],
    ),
    ("no empty tags at a cut", "abc <b>defgh</b>", 4, ["abc", "<b>defg</b>", "<b>h</b>"]),
    ("closing tag stays behind", "<i>abc</i> defg", 4, ["<i>abc</i>", "defg"]),
    ("blank lines dropped", "para1\n\n\n\npara2", 6, ["para1", "para2"]),
    ("leading blank lines", "\n\n\nabc def", 4, ["abc", "def"]),
    (
        "pre keeps indentation",
        "<pre>line1\n    line2</pre>",
        10,
        ["<pre>line1</pre>", "<pre>    line2</pre>"],
    ),
    ("indentation wider than a part", "x\n      y", 4, ["x", "y"]),
    (
        "expandable quote",
        "<blockquote expandable>q1 q2\n\nq3</blockquote>",
        5,
        ["<blockquote expandable>q1 q2</blockquote>", "<blockquote expandable>q3</blockquote>"],
    ),
    (
        "paragraph break across tags",
        "<b>one</b>\n<i>\ntwo three</i>",
        10,
        ["<b>one</b>", "<i>two three</i>"],
    ),
    (
        "pre with language",
        '<pre><code class="language-python">a = 1\nb = 2</code></pre>',
        6,
        [
            '<pre><code class="language-python">a = 1</code></pre>',
            '<pre><code class="language-python">b = 2</code></pre>',
        ],
    ),
]


@pytest.mark.parametrize(
    ("html", "limit", "expected"),
    [case[1:] for case in SPLIT_CASES],
    ids=[case[0] for case in SPLIT_CASES],
)
def test_split_html_cases(html: str, limit: int, expected: list[str]) -> None:
    parts = split_html(html, limit)
    assert parts == expected
    assert_valid_split(html, parts, limit)


def test_split_html_default_limit_is_telegrams() -> None:
    assert TEXT_LIMIT == 4096
    paragraph = "word " * 199 + "end."  # 999 characters
    html = "\n\n".join(f"<b>{i}</b> {paragraph}" for i in range(9))
    parts = split_html(html)
    assert len(parts) == 3
    assert all(visible_len(part) <= 4096 for part in parts)
    # cut at paragraph boundaries: four paragraphs fit in 4096, five do not
    assert [part.count("\n\n") for part in parts] == [3, 3, 0]
    assert_valid_split(html, parts, 4096)


def test_split_html_counts_utf16_units() -> None:
    html = "😀" * 3000  # 6000 units, 3000 code points
    parts = split_html(html)
    assert parts == ["😀" * 2048, "😀" * 952]


def test_split_html_rejects_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_html("abc", 1)


# --- split_html: property-style -----------------------------------------------------------

WORDS = [
    "agora",
    "vote",
    "привет",
    "мир",
    "naïve",
    "e\u0301",
    "😀",
    "👍🏽",
    "👨‍👩‍👧",
    "🇺🇦",
    "1️⃣",
    "𝕏",
    "&amp;",
    "&lt;tag&gt;",
    "&quot;q&quot;",
    "&#128512;",
    "&#x41;",
    "a&amp;b",
    "x" * 23,
    "loooooooooooooooooooooooooooooooooooooooooong",
]
SEPARATORS = [" ", " ", " ", " ", "\n", "\n\n", "\n\n\n", "  ", " \n ", "\t"]
TAGS = [
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<u>", "</u>"),
    ("<s>", "</s>"),
    ("<code>", "</code>"),
    ("<tg-spoiler>", "</tg-spoiler>"),
    ('<span class="tg-spoiler">', "</span>"),
    ('<a href="https://example.org/p?a=1&amp;b=%22x%22">', "</a>"),
    ("<blockquote expandable>", "</blockquote>"),
    ('<pre><code class="language-python">', "</code></pre>"),
]


def random_html(rng: random.Random, budget: int, depth: int = 0) -> str:
    out: list[str] = []
    while budget > 0:
        roll = rng.random()
        if roll < 0.15 and depth < 3:
            opening, closing = rng.choice(TAGS)
            inner = rng.randint(1, max(1, budget // 2))
            out.append(opening + random_html(rng, inner, depth + 1) + closing)
            budget -= inner
        elif roll < 0.2:
            out.append(escape(rng.choice(["a < b", "x > y", 'say "hi"', "R&D", "it's"])))
            budget -= 1
        else:
            out.append(rng.choice(WORDS))
            budget -= 1
        out.append(rng.choice(SEPARATORS))
    return "".join(out)


@pytest.mark.parametrize("seed", range(30))
def test_split_html_random_texts(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        html = random_html(rng, rng.choice([3, 20, 80, 300]))
        if rng.random() < 0.3:
            html = "\n\n" + html
        assert visible_text(html) == oracle_text(html)
        for limit in (rng.randint(2, 6), rng.randint(7, 30), rng.randint(31, 300), TEXT_LIMIT):
            parts = split_html(html, limit)
            assert_valid_split(html, parts, limit)


def cut_kinds(html: str, parts: list[str]) -> list[tuple[str, bool]]:
    """For each cut: what whitespace was dropped there, and whether tags were open across it."""
    original = parse(html)
    texts = [oracle_text(part) for part in parts]
    pattern = r"\s*" + "".join(
        f"({re.escape(text)})" + (r"(\s*)" if i < len(texts) - 1 else r"\s*")
        for i, text in enumerate(texts)
    )
    match = re.fullmatch(pattern, "".join(original.text))
    assert match is not None
    kinds = []
    for i in range(len(texts) - 1):
        gap = match.group(2 * i + 2)
        kind = (
            "paragraph" if "\n\n" in gap else "line" if "\n" in gap else "space" if gap else "hard"
        )
        next_start = match.start(2 * i + 3)
        kinds.append((kind, original.depths[next_start] > 0))
    return kinds


def test_split_html_random_texts_hit_every_kind_of_cut() -> None:
    """The random texts reach every kind of cut, inside and outside tags.

    Otherwise the property loop above would prove little.
    """
    rng = random.Random(1234)
    seen: set[tuple[str, bool]] = set()
    for _ in range(100):
        html = random_html(rng, 80)
        seen.update(cut_kinds(html, split_html(html, rng.choice([8, 13, 40]))))
    assert seen == {
        (kind, inside)
        for kind in ("paragraph", "line", "space", "hard")
        for inside in (False, True)
    }


def test_cut_kinds_classifies_cuts() -> None:
    html = "<b>aaaa\n\nbb</b>bb\ncc ccccccc"
    parts = split_html(html, 5)
    assert parts == ["<b>aaaa</b>", "<b>bb</b>bb", "cc", "ccccc", "cc"]
    assert cut_kinds(html, parts) == [
        ("paragraph", True),
        ("line", False),
        ("space", False),
        ("hard", False),
    ]


# --- send_long --------------------------------------------------------------------------------


@dataclass
class FakeBot:
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def send_message(self, **kwargs: Any) -> Message:
        self.calls.append(kwargs)
        return cast(Message, len(self.calls))


async def test_send_long_sends_parts_with_markup_on_the_last() -> None:
    fake = FakeBot()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="x")]]
    )
    reply = ReplyParameters(message_id=5)
    html = "<b>" + "a" * 10 + "</b>\n\n" + "b" * 10 + "\n\n" + "c" * 10
    sent = await send_long(
        cast(Bot, fake),
        77,
        html,
        limit=12,
        reply_markup=markup,
        reply_parameters=reply,
        disable_notification=True,
    )
    assert sent == cast(list[Message], [1, 2, 3])
    assert [call["text"] for call in fake.calls] == ["<b>" + "a" * 10 + "</b>", "b" * 10, "c" * 10]
    assert all(call["chat_id"] == 77 for call in fake.calls)
    assert all(call["disable_notification"] is True for call in fake.calls)
    assert [call.get("reply_markup") for call in fake.calls] == [None, None, markup]
    assert [call.get("reply_parameters") for call in fake.calls] == [reply, None, None]


async def test_send_long_short_text_is_one_message() -> None:
    fake = FakeBot()
    sent = await send_long(cast(Bot, fake), 77, "<i>hi</i>")
    assert sent == cast(list[Message], [1])
    assert fake.calls == [{"chat_id": 77, "text": "<i>hi</i>"}]


async def test_send_long_blank_text_sends_nothing() -> None:
    fake = FakeBot()
    assert await send_long(cast(Bot, fake), 77, "  \n ") == []
    assert fake.calls == []
