"""Text helpers for Telegram HTML (the parse mode used everywhere).

* :func:`utf16_len` — length as Telegram counts it (UTF-16 code units).
* :func:`escape` — make user text safe to put into an HTML message.
* :func:`visible_text` / :func:`visible_len` — what the user sees once tags are parsed.
* :func:`split_html` — cut a long HTML text into parts of at most 4096 visible units.
* :func:`send_long` — send such a text as several messages.

The HTML is expected to be what Telegram accepts: its tags (``b``, ``i``, ``a href``, ``pre``,
``code``, ``blockquote``, ``tg-spoiler``, …) properly nested, and ``&``, ``<``, ``>`` in text
escaped as entities (``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` and numeric ones).
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import Message

__all__ = [
    "TEXT_LIMIT",
    "escape",
    "send_long",
    "split_html",
    "utf16_len",
    "visible_len",
    "visible_text",
]

#: Longest message text Telegram accepts, in UTF-16 units after entity parsing.
TEXT_LIMIT = 4096

# A tag (attribute values may contain ">") or a character reference.
_TOKEN_RE = re.compile(
    r"<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*)>"
    r"|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"
)

_ZWJ = "\u200d"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape user text for Telegram HTML.

    ``&``, ``<`` and ``>`` are escaped, and so is ``"`` (as ``&quot;``, one of the entities
    Telegram supports) so that the result is also safe inside a double-quoted attribute value
    such as ``href="…"``. Single quotes are left as they are: attributes are always written
    with double quotes.
    """
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# --- tokenizer ---------------------------------------------------------------------------------

_TEXT, _OPEN, _CLOSE, _VOID = range(4)


@dataclass(frozen=True, slots=True)
class _Atom:
    """One indivisible piece: a character, an entity, or a tag."""

    kind: int
    raw: str
    visible: str = ""  # decoded text (text atoms only)
    name: str = ""  # tag name as written (tags only)
    units: int = 0  # UTF-16 length of ``visible``

    @property
    def is_space(self) -> bool:
        return self.kind == _TEXT and self.visible.isspace()


def _char(ch: str) -> _Atom:
    return _Atom(_TEXT, ch, ch, units=1 if ch <= "\uffff" else 2)


def _tokenize(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for match in _TOKEN_RE.finditer(html):
        atoms.extend(map(_char, html[pos : match.start()]))
        raw = match.group(0)
        name = match.group("name")
        if name is None:
            decoded = _html.unescape(raw)
            atoms.append(_Atom(_TEXT, raw, decoded, units=utf16_len(decoded)))
        elif match.group("close"):
            atoms.append(_Atom(_CLOSE, raw, name=name))
        elif match.group("attrs").rstrip().endswith("/"):
            atoms.append(_Atom(_VOID, raw, name=name))
        else:
            atoms.append(_Atom(_OPEN, raw, name=name))
        pos = match.end()
    atoms.extend(map(_char, html[pos:]))
    return atoms


def visible_text(html: str) -> str:
    """The text of a Telegram-HTML message as the user sees it (tags removed, entities decoded)."""
    return "".join(atom.visible for atom in _tokenize(html))


def visible_len(html: str) -> int:
    """UTF-16 length of :func:`visible_text`: what Telegram checks against its limits."""
    return utf16_len(visible_text(html))


# --- splitting ---------------------------------------------------------------------------------


def _is_extender(ch: str) -> bool:
    """Characters that belong to the grapheme before them (a cut must not precede them)."""
    cp = ord(ch)
    return (
        ch == _ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (flags of regions)
        or 0xE0100 <= cp <= 0xE01EF
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


class _Splitter:
    def __init__(self, atoms: list[_Atom], limit: int) -> None:
        self.atoms = atoms
        self.limit = limit
        # visible text and, for every atom, where its visible text starts
        self.starts: list[int] = []
        chunks: list[str] = []
        offset = 0
        for atom in atoms:
            self.starts.append(offset)
            chunks.append(atom.visible)
            offset += len(atom.visible)
        self.starts.append(offset)
        self.text = "".join(chunks)
        # visible offset -> index of the text atom starting there
        self.atom_at: dict[int, int] = {
            self.starts[i]: i for i, atom in enumerate(atoms) if atom.kind == _TEXT
        }

    def split(self) -> list[str]:
        parts: list[str] = []
        stack: list[_Atom] = []  # tags open where the current range starts
        start = 0
        while start < len(self.atoms):
            kept = self._first_kept(start)
            if kept is None:
                break
            first, first_text = kept
            end = self._cut(first)
            if first != first_text and not self._has_text(first, end):
                # the indentation alone fills the part: drop it
                first = first_text
                end = self._cut(first)
            last = self._last_non_space(first, end)
            part, stack = self._render(start, end, first, last, stack)
            parts.append(part)
            start = end
        return parts

    def _first_kept(self, start: int) -> tuple[int, int] | None:
        """Skip the leading blank lines of a range, keeping the indentation of its first line.

        Returns the first kept atom and the first non-space text atom (``None``: no text left).
        """
        line_start: int | None = None
        for i in range(start, len(self.atoms)):
            atom = self.atoms[i]
            if atom.kind != _TEXT:
                continue
            if not atom.is_space:
                return (i if line_start is None else line_start), i
            if "\n" in atom.visible:
                line_start = self._next_text(i)
        return None

    def _has_text(self, first: int, end: int) -> bool:
        return any(atom.kind == _TEXT and not atom.is_space for atom in self.atoms[first:end])

    def _last_non_space(self, first: int, end: int) -> int:
        for i in range(end - 1, first - 1, -1):
            atom = self.atoms[i]
            if atom.kind == _TEXT and not atom.is_space:
                return i
        raise AssertionError("a part without text")  # pragma: no cover - guarded by _cut

    def _cut(self, first: int) -> int:
        """Index of the atom where the part starting at ``first`` ends (exclusive)."""
        used = 0
        overflow = len(self.atoms)
        for i in range(first, len(self.atoms)):
            atom = self.atoms[i]
            if atom.kind == _TEXT:
                if used + atom.units > self.limit:
                    overflow = i
                    break
                used += atom.units
        if overflow == len(self.atoms):
            return overflow
        lo, hi = self.starts[first], self.starts[overflow]
        window = self.text[lo:hi]
        for sep in ("\n\n", "\n"):
            pos = self.text.rfind(sep, lo + 1, hi + len(sep))
            while pos > lo:
                if pos in self.atom_at and window[: pos - lo].strip():
                    return self.atom_at[pos]
                pos = self.text.rfind(sep, lo + 1, pos + len(sep) - 1)
        for pos in range(hi, lo, -1):
            if self.text[pos].isspace() and pos in self.atom_at and window[: pos - lo].strip():
                return self.atom_at[pos]
        return self._hard_cut(first, overflow)

    def _hard_cut(self, first: int, overflow: int) -> int:
        """Cut before ``overflow``, moved back so that no emoji or accent is torn apart."""
        if overflow == first:  # a single atom wider than the limit: send it alone
            return self._next_text(first)
        cut = overflow
        for _ in range(32):
            prev = self._prev_text(cut)
            if prev is None:
                break
            before, after = self.atoms[prev].visible, self.atoms[cut].visible
            joined = (
                _is_extender(after[0])
                or before.endswith(_ZWJ)
                or (_is_regional_indicator(after[0]) and self._regional_run(prev) % 2 == 1)
            )
            if not joined:
                return cut
            if prev <= first:
                break
            cut = prev
        return overflow  # one cluster longer than the limit (or than 32 code points)

    def _regional_run(self, index: int) -> int:
        """How many regional indicators (flag halves) end at text atom ``index``."""
        count = 0
        current: int | None = index
        while current is not None and _is_regional_indicator(self.atoms[current].visible[-1]):
            count += 1
            if len(self.atoms[current].visible) != 1:
                break
            current = self._prev_text(current)
        return count

    def _prev_text(self, index: int) -> int | None:
        for i in range(index - 1, -1, -1):
            if self.atoms[i].kind == _TEXT:
                return i
        return None

    def _next_text(self, index: int) -> int:
        for i in range(index + 1, len(self.atoms)):
            if self.atoms[i].kind == _TEXT:
                return i
        return len(self.atoms)

    def _render(
        self, start: int, end: int, first: int, last: int, opened: list[_Atom]
    ) -> tuple[str, list[_Atom]]:
        """HTML of atoms ``start..end`` keeping text ``first..last``; tags open at ``end``.

        Tags open at ``start`` are reopened, tags open at ``end`` closed. An open tag is only
        written once text follows it inside the part, so no empty elements appear at the cuts.
        """
        out: list[str] = []
        stack: list[tuple[_Atom, bool]] = [(tag, False) for tag in opened]

        def flush() -> None:
            for k, (tag, written) in enumerate(stack):
                if not written:
                    out.append(tag.raw)
                    stack[k] = (tag, True)

        for i in range(start, end):
            atom = self.atoms[i]
            if atom.kind == _TEXT:
                if first <= i <= last:
                    flush()
                    out.append(atom.raw)
            elif atom.kind == _OPEN:
                stack.append((atom, False))
            elif atom.kind == _CLOSE:
                name = atom.name.lower()
                depth = next(
                    (k for k in range(len(stack) - 1, -1, -1) if stack[k][0].name.lower() == name),
                    None,
                )
                if depth is None:  # stray closing tag: dropped
                    continue
                while len(stack) > depth:
                    tag, written = stack.pop()
                    if written:
                        out.append(atom.raw if len(stack) == depth else f"</{tag.name}>")
            elif first <= i <= last:  # a self-closing tag amid the kept text
                flush()
                out.append(atom.raw)
        out.extend(f"</{tag.name}>" for tag, written in reversed(stack) if written)
        return "".join(out), [tag for tag, _ in stack]


def split_html(html: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split Telegram HTML into parts of at most ``limit`` visible UTF-16 units each.

    A text that fits is returned unchanged as the only part (a blank one gives ``[]``).
    Otherwise cuts go at the last paragraph break (blank line) that fits, else the last line
    break, else the last space, else anywhere between two characters (never inside an entity,
    a surrogate pair, or an emoji sequence). Whitespace at a cut is dropped: parts carry no
    leading or trailing blank lines (the indentation of a part's first line is kept). Tags open
    at a cut are closed at the end of the part and reopened, with their attributes, at the start
    of the next one.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2 (one emoji), got {limit}")
    atoms = _tokenize(html)
    visible = "".join(atom.visible for atom in atoms)
    if not visible.strip():
        return []
    if utf16_len(visible) <= limit:
        return [html]
    return _Splitter(atoms, limit).split()


_FIRST_PART_ONLY = ("reply_parameters", "reply_to_message_id")


async def send_long(
    bot: Bot,
    chat_id: int | str,
    html: str,
    *,
    limit: int = TEXT_LIMIT,
    **kwargs: Any,
) -> list[Message]:
    """Send ``html`` as one or more messages, split with :func:`split_html`.

    Other keyword arguments go to every ``bot.send_message`` call, except ``reply_markup``
    (only on the last part, under the whole text) and ``reply_parameters`` /
    ``reply_to_message_id`` (only on the first part). A blank text sends nothing.
    """
    reply_markup = kwargs.pop("reply_markup", None)
    first_only = {key: kwargs.pop(key) for key in _FIRST_PART_ONLY if key in kwargs}
    parts = split_html(html, limit)
    sent: list[Message] = []
    for index, part in enumerate(parts):
        extra = dict(kwargs)
        if index == 0:
            extra.update(first_only)
        if index == len(parts) - 1 and reply_markup is not None:
            extra["reply_markup"] = reply_markup
        sent.append(await bot.send_message(chat_id=chat_id, text=part, **extra))
    return sent
