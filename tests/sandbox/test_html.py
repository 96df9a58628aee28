"""Telegram-HTML parsing: visible text, UTF-16 entity offsets, and Telegram's rejections."""

from __future__ import annotations

import pytest

from bot.sandbox.html import (
    EntityParseError,
    detect_entities,
    parse_html,
    to_html,
    trim,
    utf16_len,
)


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html("😀 <b>bold <i>both</i></b> <u>u</u><s>s</s>")
    assert text == "😀 bold both us"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "underline", "offset": 13, "length": 1},
        {"type": "strikethrough", "offset": 14, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("<strong>x</strong>", "bold"),
        ("<em>x</em>", "italic"),
        ("<ins>x</ins>", "underline"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</b>", "bold"),
    ],
)
def test_every_supported_tag(source: str, kind: str) -> None:
    assert parse_html(source) == ("x", [{"type": kind, "offset": 0, "length": 1}])


EMOJI_ID = "5368324170671202286"


def test_links_pre_language_and_custom_emoji() -> None:
    text, entities = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">l</a>'
        '<pre><code class="language-python">p</code></pre>'
        '<tg-emoji emoji-id="' + EMOJI_ID + '">👍</tg-emoji>'
    )
    assert text == "lp👍"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 1, "url": "https://example.org/?a=1&b=2"},
        {"type": "pre", "offset": 1, "length": 1, "language": "python"},
        {
            "type": "custom_emoji",
            "offset": 2,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    ]


def test_tg_user_link_becomes_text_mention_when_the_user_is_known() -> None:
    user = {"id": 5, "is_bot": False, "first_name": "Bob"}
    _, entities = parse_html('<a href="tg://user?id=5">Bob</a>', lambda uid: user)
    assert entities == [{"type": "text_mention", "offset": 0, "length": 3, "user": user}]


def test_html_entities_are_decoded_and_unknown_ones_kept() -> None:
    text, _ = parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;&lt &nbsp; AT&T")
    assert text == '<>&"AB< &nbsp; AT&T'


def test_empty_entities_are_dropped() -> None:
    assert parse_html("a<b></b>c") == ("ac", [])


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("a <b>b", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a</b>", "Unexpected end tag at byte offset 1"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("я <x", "Unclosed start tag at byte offset 3"),
        ("<b>a</b", "Unclosed end tag at byte offset 4"),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        (
            "&#xD800;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_invalid_html_is_rejected_like_telegram(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == reason


def test_trim_strips_whitespace_and_moves_entities() -> None:
    text, entities = parse_html("\n  <b> hi </b>  \n")
    assert trim(text, entities) == ("hi", [{"type": "bold", "offset": 0, "length": 2}])


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("a😀") == 3
    assert utf16_len("я") == 1


def test_to_html_round_trips() -> None:
    source = (
        '<b>b <i>i</i></b> &lt;x&gt; <a href="https://t.me/x">l</a> '
        '<pre><code class="language-py">c</code></pre> <blockquote expandable>q</blockquote>'
    )
    text, entities = parse_html(source)
    assert to_html(text, entities) == source
    assert parse_html(to_html(text, entities)) == (text, entities)


def test_detect_entities_in_user_text() -> None:
    found = detect_entities("/start@agora_test_bot hi @alice #tag https://a.example/x")
    assert [(e["type"], e["offset"], e["length"]) for e in found] == [
        ("bot_command", 0, 21),
        ("mention", 25, 6),
        ("hashtag", 32, 4),
        ("url", 37, 19),
    ]
