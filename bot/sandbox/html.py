"""Telegram-HTML: visible text and entities (UTF-16 offsets); rejects what Telegram rejects."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]
UserResolver = Callable[[int], dict[str, Any] | None]

_SPACES = frozenset(" \t\r\n\f\v")
_TRIM = " \t\r\n\f\v"
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)
_TG_USER = re.compile(r"^tg://user\?id=(\d+)$")


class EntityParseError(ValueError):
    """Telegram's "can't parse entities" reason (without the "Bad Request: ..." prefix)."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    begin: int  # index in the source, for error offsets
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # set on <pre> by an inner <code class="language-...">


class _Parser:
    def __init__(self, source: str, resolve_user: UserResolver | None) -> None:
        self.src = source
        self.n = len(source)
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_Open] = []
        self.entities: list[tuple[int, int, Entity]] = []  # (start, order, entity)
        self.resolve_user = resolve_user

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.pos16 += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        src, n = self.src, self.n
        i = 0
        while i < n:
            char = src[i]
            if char == "&":
                decoded = self.decode_reference(i)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                self.emit("&")
                i += 1
            elif char == "<":
                i = self.end_tag(i) if i + 1 < n and src[i + 1] == "/" else self.start_tag(i)
            else:
                j = i
                while j < n and src[j] not in "&<":
                    j += 1
                self.emit(src[i:j])
                i = j
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda item: (item[2]["offset"], -item[2]["length"], item[1]))
        return "".join(self.out), [entity for _, _, entity in self.entities]

    def decode_reference(self, i: int) -> tuple[str, int] | None:
        """`&name;` or `&#n;` / `&#xh;` at i (the `;` is optional); None leaves the `&` as text."""
        src, n = self.src, self.n
        j = i + 1
        if j < n and src[j] == "#":
            j += 1
            base = 10
            if j < n and src[j] in "xX":
                base = 16
                j += 1
            digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
            k = j
            while k < n and src[k] in digits:
                k += 1
            if k == j:
                return None
            code = int(src[j:k], base)
            if code == 0 or code > 0x10FFFF:
                return None
            if 0xD800 <= code <= 0xDFFF:
                raise self.fail(_SURROGATE_ERROR)
            return chr(code), k + 1 if k < n and src[k] == ";" else k
        k = j
        while k < n and src[k].isascii() and src[k].isalnum():
            k += 1
        name = src[j:k]
        if name not in _NAMED:
            return None
        return _NAMED[name], k + 1 if k < n and src[k] == ";" else k

    def skip_spaces(self, i: int) -> int:
        while i < self.n and self.src[i] in _SPACES:
            i += 1
        return i

    def start_tag(self, begin: int) -> int:
        src, n = self.src, self.n
        offset = self.byte_offset(begin)
        i = begin + 1
        j = i
        while j < n and src[j] not in _SPACES and src[j] != ">":
            j += 1
        if j >= n:
            raise self.fail(f"Unclosed start tag at byte offset {offset}")
        name = src[i:j].lower()
        if name not in _TAG_ENTITY:
            raise self.fail(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs: dict[str, str] = {}
        i = j
        while True:
            i = self.skip_spaces(i)
            if i >= n:
                raise self.fail(f'Unclosed start tag "{name}" at byte offset {offset}')
            if src[i] == ">":
                i += 1
                break
            k = i
            while k < n and src[k] not in _SPACES and src[k] not in "=>":
                k += 1
            attr = src[i:k].lower()
            if not attr:
                raise self.fail(f'Empty attribute name in the tag "{name}" at byte offset {offset}')
            i = self.skip_spaces(k)
            if i >= n:
                raise self.fail(f'Unclosed start tag "{name}" at byte offset {offset}')
            if src[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {offset}'
                )
            i = self.skip_spaces(i + 1)
            if i >= n:
                raise self.fail(f'Unclosed start tag "{name}" at byte offset {offset}')
            if src[i] in "\"'":
                close = src.find(src[i], i + 1)
                if close < 0:
                    raise self.fail(f"Unclosed start tag at byte offset {offset}")
                attrs[attr] = self.decode_value(src[i + 1 : close])
                i = close + 1
            else:
                k = i
                while k < n and ((src[k].isascii() and src[k].isalnum()) or src[k] in ".-"):
                    k += 1
                if k >= n or (src[k] not in _SPACES and src[k] != ">"):
                    where = self.byte_offset(i)
                    raise self.fail(f"Unexpected end of name token at byte offset {where}")
                attrs[attr] = src[i:k]
                i = k
        self.open(name, begin, attrs)
        return i

    def decode_value(self, raw: str) -> str:
        parts: list[str] = []
        sub = _Parser(raw, None)
        i = 0
        while i < len(raw):
            if raw[i] == "&" and (decoded := sub.decode_reference(i)) is not None:
                parts.append(decoded[0])
                i = decoded[1]
            else:
                parts.append(raw[i])
                i += 1
        return "".join(parts)

    def open(self, name: str, begin: int, attrs: dict[str, str]) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail("Custom emoji entity must contain a valid custom emoji identifier")
        self.stack.append(_Open(name, begin, self.pos16, attrs))

    def end_tag(self, begin: int) -> int:
        src, n = self.src, self.n
        offset = self.byte_offset(begin)
        i = begin + 2
        k = i
        while k < n and src[k] not in _SPACES and src[k] != ">":
            k += 1
        name = src[i:k].lower()
        k = self.skip_spaces(k)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {offset}")
        if k >= n or src[k] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {offset}")
        top = self.stack[-1]
        if name and name != top.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return k + 1

    def close(self, tag: _Open) -> None:
        length = self.pos16 - tag.start
        kind = _TAG_ENTITY[tag.name]
        entity: Entity = {"type": kind, "offset": tag.start, "length": length}
        if tag.name == "code":
            language = tag.attrs.get("class", "")
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.name == "pre" and parent.start == tag.start:
                # <pre><code class="language-x">: one pre entity carrying the language.
                if language.startswith("language-") and len(language) > len("language-"):
                    parent.language = language.removeprefix("language-")
                return
        elif tag.name == "pre":
            if tag.language:
                entity["language"] = tag.language
        elif tag.name == "a":
            href = tag.attrs.get("href", "").strip()
            if not href:
                return
            mention = _TG_USER.match(href)
            user = (
                self.resolve_user(int(mention.group(1))) if mention and self.resolve_user else None
            )
            if user is not None:
                entity = {"type": "text_mention", "offset": tag.start, "length": length}
                entity["user"] = user
            else:
                entity["url"] = href if "://" in href else f"http://{href}"
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        if length > 0:
            self.entities.append((tag.start, len(self.entities), entity))


def parse_html(source: str, resolve_user: UserResolver | None = None) -> tuple[str, list[Entity]]:
    """Visible text and entities of a Telegram-HTML string, before trimming.

    Raises EntityParseError with Telegram's wording for what Telegram rejects.
    """
    return _Parser(source, resolve_user).run()


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace as Telegram does, moving and clipping entities."""
    stripped = text.lstrip(_TRIM)
    lead = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_TRIM)
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_DETECT = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{4,32})"
    r"|(?P<hashtag>(?<!\w)#\w+)"
    r"|(?P<url>\bhttps?://[^\s<>]+)"
)


def detect_entities(text: str) -> list[Entity]:
    """The entities Telegram finds by itself in plain text: commands, mentions, hashtags, URLs."""
    entities: list[Entity] = []
    for match in _DETECT.finditer(text):
        kind = match.lastgroup or "url"
        offset = utf16_len(text[: match.start()])
        entities.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    return entities


_HTML_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "spoiler": "tg-spoiler",
    "code": "code",
    "blockquote": "blockquote",
}


def _tags(entity: Entity) -> tuple[str, str]:
    kind = entity["type"]
    if kind in _HTML_TAGS:
        tag = _HTML_TAGS[kind]
        return f"<{tag}>", f"</{tag}>"
    if kind == "pre":
        if entity.get("language"):
            language = escape(entity["language"])
            return f'<pre><code class="language-{language}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{escape(entity["url"])}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity["custom_emoji_id"]}">', "</tg-emoji>"
    return "", ""  # url, mention, bot_command, ...: plain text in HTML


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def to_html(text: str, entities: list[Entity]) -> str:
    """Telegram-HTML that parses back to `text` and `entities` (for well-nested entities)."""
    ordered = sorted(entities, key=lambda e: (e["offset"], -e["length"]))
    opens: dict[int, list[Entity]] = {}
    for entity in ordered:
        opens.setdefault(entity["offset"], []).append(entity)
    parts: list[str] = []
    stack: list[tuple[int, str]] = []  # (end offset, closing tag)
    pos = 0

    def flush(at: int) -> None:
        while stack and stack[-1][0] <= at:
            parts.append(stack.pop()[1])
        for entity in opens.get(at, ()):
            opening, closing = _tags(entity)
            parts.append(opening)
            stack.append((entity["offset"] + entity["length"], closing))

    for char in text:
        flush(pos)
        parts.append(escape(char) if char in "&<>" else char)
        pos += utf16_len(char)
    flush(pos)
    while stack:
        parts.append(stack.pop()[1])
    return "".join(parts)
