"""`agora sandbox`: chat with the whole bot in the terminal, offline, against the fake Telegram.

The bot is the real app (`create_app`, as `agora run` builds it) long-polling a FakeTelegram at
Telegram's real rate limits. The world holds a forum supergroup "Agora Community" (topics Intros,
Announcements, Content), the player and a second user, Admin (a group admin and in ADMIN_IDS).
Every message the bot sends, edits or deletes is printed as it happens; input lines are sent as
the current user in the current chat, and lines starting with ":" steer the sandbox (`:help`).

Input is read without blocking the event loop (a tty, a pipe or a file), and each line is
processed to the end before the next is read, so a piped script gives a repeatable transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.config import SANDBOX_OWN_SETTINGS, Settings
from bot.sandbox.client import ChatMessage, GroupActor, UserActor
from bot.sandbox.models import ChatRecord
from bot.sandbox.world import SandboxEvent, SandboxTimeout, World

if TYPE_CHECKING:
    from bot.sandbox.harness import Speed

log = logging.getLogger(__name__)

GROUP_TITLE = "Agora Community"
TOPICS = ("Intros", "Announcements", "Content")
ADMIN_NAME = "Admin"
DATA_DIR = Path("data")
DATABASE_FILE = "sandbox.db"
LOG_FILE = "sandbox.log"
#: How long one input may keep the bot busy before the terminal takes the next line anyway.
ACTION_TIMEOUT = 60.0

HELP = """\
Type a message to send it as the current user in the current chat; /commands go to the bot.
  :N              press button N of the latest message with buttons in this chat
  :buttons        show the buttons that :N presses
  :group [TOPIC]  go to the group: General, or a topic (Intros, Announcements, Content)
  :private        go to your private chat with the bot
  :as admin       act as Admin (a group admin, in ADMIN_IDS)
  :as NAME        act as another user (a group member, created on first use)
  :upload PATH    send a file from disk as a document
  :who            who and where you are
  :help           this list
  :quit           stop the bot and leave (also Ctrl-D or Ctrl-C)
  ::text          send a message that starts with ":"\
"""

Input = asyncio.StreamReader | IO[str] | IO[bytes]


class InputError(Exception):
    """A bad input line: explained in one line, then the session goes on."""


# --- storage and logging -------------------------------------------------------------------


@dataclass(frozen=True)
class Storage:
    database_url: str
    description: str


def choose_storage(data_dir: Path = DATA_DIR) -> Storage:
    """`data/sandbox.db`, emptied here (the fake Telegram starts empty too), with the FSM state
    in it. Never DATABASE_URL or REDIS_URL: the fake users and the jobs would act on a real
    community's data (and claim its reminders)."""
    path = data_dir / DATABASE_FILE
    _remove_sqlite_files(path)
    return Storage(
        f"sqlite+aiosqlite:///{path}",
        f"database {path}, fresh for every run (DATABASE_URL and REDIS_URL are not used)",
    )


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


@contextlib.contextmanager
def log_to_file(path: Path, level: str) -> Iterator[None]:
    """While the chat runs, the bot's log goes to `path` instead of the console."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    console = [
        handler
        for handler in root.handlers
        if type(handler) is logging.StreamHandler
        and handler.stream in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    ]
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in console:
        root.removeHandler(old)
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        for old in console:
            root.addHandler(old)


# --- input -----------------------------------------------------------------------------------


class LineReader:
    """Lines from a StreamReader, a file descriptor (tty, pipe, file) or a file-like object,
    read without blocking the event loop. `readline()` gives None at the end of input."""

    def __init__(self, source: Input) -> None:
        self._stream = source if isinstance(source, asyncio.StreamReader) else None
        self._file: IO[Any] | None = None
        self._fd: int | None = None
        self._buffer = b""
        self._eof = False
        if self._stream is None:
            assert not isinstance(source, asyncio.StreamReader)
            try:
                self._fd = source.fileno()
            except (OSError, ValueError):  # io.UnsupportedOperation is both
                self._file = source
        self.interactive = self._fd is not None and os.isatty(self._fd)

    async def readline(self) -> str | None:
        if self._stream is not None:
            data = await self._stream.readline()
        elif self._file is not None:
            line = self._file.readline()
            data = line.encode() if isinstance(line, str) else line
        else:
            data = await self._read_fd_line()
        if not data:
            return None
        return data.decode("utf-8", errors="replace").rstrip("\r\n")

    async def _read_fd_line(self) -> bytes:
        while b"\n" not in self._buffer and not self._eof:
            await self._wait_readable()
            self._read_available()
        if b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            return line + b"\n"
        line, self._buffer = self._buffer, b""
        return line

    async def _wait_readable(self) -> None:
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        ready = loop.create_future()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(self._fd, on_readable)
        except (OSError, ValueError, NotImplementedError):
            return  # a regular file: reading it does not wait for anyone
        try:
            await ready
        finally:
            loop.remove_reader(self._fd)

    def _read_available(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # the terminal went away
            data = b""
        if data:
            self._buffer += data
        else:
            self._eof = True


# --- the chat --------------------------------------------------------------------------------


def _flat_buttons(message: ChatMessage) -> list[dict[str, Any]]:
    rows = (message.keyboard or {}).get("inline_keyboard", [])
    return [dict(button) for row in rows for button in row]


def _button_label(button: dict[str, Any]) -> str:
    label = str(button.get("text", ""))
    if "url" in button:
        return f"{label} → {button['url']}"
    return label


def _read_file(arg: str) -> tuple[str, bytes]:
    path = Path(arg).expanduser()
    return path.name, path.read_bytes()


class Terminal:
    """The player's side: renders the world's events and turns input lines into actions."""

    def __init__(self, world: World, out: IO[str], player: str) -> None:
        self.world = world
        self.out = out
        self.group: GroupActor = world.group(GROUP_TITLE, forum=True)
        self.users: dict[str, UserActor] = {}
        # Playing "Admin" makes the player the admin, rather than two users of that name.
        self.player = self._new_user(player, admin=player.lower() == ADMIN_NAME.lower())
        self.admin = self.users.get(ADMIN_NAME.lower()) or self._new_user(ADMIN_NAME, admin=True)
        self.topics: dict[str, int] = {name: self.group.topic(name) for name in TOPICS}
        self.user = self.player
        self.in_group = False
        self.thread_id: int | None = None
        self.interactive = False
        self._waiting = False  # for an input line
        self._prompt_shown = False
        self._shown: dict[tuple[int, int], tuple[str, Any]] = {}
        self._reply_keyboards: dict[int, Any] = {}

    # -- setup ------------------------------------------------------------------------------------

    def _new_user(self, name: str, *, admin: bool = False) -> UserActor:
        user = self.world.user(name)
        self.group.add(user, admin=admin)
        self.users[name.lower()] = user
        return user

    def bot_settings(self) -> dict[str, Any]:
        """The community settings this world needs (Sandbox keyword overrides)."""
        return {
            "community_chat_id": self.group.id,
            "intro_topic_id": self.topics["Intros"],
            "announcements_topic_id": self.topics["Announcements"],
            "content_topic_id": self.topics["Content"],
            "admin_ids": frozenset({self.admin.id}),
        }

    # -- output -----------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        if self._prompt_shown:  # something arrived while the player was typing
            self._prompt_shown = False
            print(file=self.out, flush=True)
            asyncio.get_running_loop().call_soon(self._reprompt)
        print(text, file=self.out, flush=True)

    def _reprompt(self) -> None:
        if not self._prompt_shown and self.interactive and self._waiting:
            self.prompt()

    def prompt(self) -> None:
        print(self.prompt_text(), end="", file=self.out, flush=True)
        self._prompt_shown = True

    def prompt_text(self) -> str:
        return f"{self.user.name} ({self.where_now()})> "

    def where_now(self) -> str:
        if not self.in_group:
            return "private"
        return self._where(self.group.record, self.thread_id)

    def _where(self, chat: ChatRecord, thread_id: int | None) -> str:
        if chat.type == "private":
            owner = chat.user
            if owner is None or owner is self.user.record:
                return "private"
            return f"private · {owner.full_name}"
        title = chat.title or str(chat.id)
        if thread_id is not None and thread_id in chat.topics:
            return f"{title} › {chat.topics[thread_id]}"
        return title

    def on_event(self, event: SandboxEvent) -> None:
        if event.kind == "answer":
            answer = event.answer
            if answer is not None and answer.text:
                self.say(f"({'alert' if answer.show_alert else 'toast'}) {answer.text}")
            if answer is not None and answer.url:
                self.say(f"(opens {answer.url})")
            return
        message = event.message
        if message is None:
            return
        key = (message.chat_id, message.message_id)
        prefix = f"[{self._where(message.stored.chat, message.thread_id)}]"
        if event.kind == "deleted":
            self._shown.pop(key, None)
            self.say(f"{prefix} (deleted #{message.message_id})")
            return
        body = self._body(message)
        keyboard = message.keyboard
        if event.kind == "new":
            self._print_message(f"{prefix} #{message.message_id}", body)
            self._print_buttons(message)
        else:
            before = self._shown.get(key)
            head = f"{prefix} (edited #{message.message_id})"
            if before is not None and before[0] == body:
                if keyboard:
                    self.say(f"{head} new buttons:")
                    self._print_buttons(message)
                else:
                    self.say(f"{head} buttons removed")
            else:
                self._print_message(head, body)
                self._print_buttons(message)
        self._shown[key] = (body, keyboard)
        self._print_reply_keyboard(message.stored.chat)

    def _body(self, message: ChatMessage) -> str:
        parts: list[str] = []
        origin = message.stored.forward_origin
        if origin:
            sender = origin.get("sender_user") or {}
            who = sender.get("first_name") or origin.get("sender_user_name") or "someone"
            parts.append(f"(forwarded from {who})")
        content = message.content
        stored_file = message.file
        size = f"{stored_file.file_size} bytes" if stored_file is not None else "? bytes"
        if "document" in content:
            name = stored_file.file_name if stored_file and stored_file.file_name else "file"
            parts.append(f"(document {name}, {size})")
        elif "photo" in content:
            parts.append(f"(photo, {size})")
        elif "sticker" in content:
            emoji = content["sticker"].get("emoji")
            parts.append(f"(sticker {emoji})" if emoji else "(sticker)")
        elif message.text is None:
            kinds = ", ".join(sorted(content)) or "empty message"
            parts.append(f"({kinds})")
        text = message.text
        if text:
            parts.append(text)
        return " ".join(parts)

    def _print_message(self, head: str, body: str) -> None:
        lines = body.split("\n")
        self.say(f"{head} {lines[0]}".rstrip())
        for line in lines[1:]:
            self.say(f"    {line}".rstrip())

    def _print_buttons(self, message: ChatMessage) -> None:
        rows = (message.keyboard or {}).get("inline_keyboard", [])
        if not rows:
            return
        numbered = self._latest_keyboard(message.stored.chat, message.thread_id) == message
        number = 0
        for row in rows:
            cells = []
            for button in row:
                number += 1
                mark = str(number) if numbered else "·"
                cells.append(f"[{mark}] {_button_label(button)}")
            self.say("  " + "  ".join(cells))

    def _print_reply_keyboard(self, chat: ChatRecord) -> None:
        markup = chat.reply_keyboard
        if markup == self._reply_keyboards.get(chat.id):
            return
        self._reply_keyboards[chat.id] = markup
        if markup is None:
            self.say("  (keyboard removed)")
            return
        for row in markup.get("keyboard", []):
            labels = [b.get("text", "") if isinstance(b, dict) else str(b) for b in row]
            self.say("  keyboard: " + "  ".join(f"«{label}»" for label in labels))

    def _latest_keyboard(self, chat: ChatRecord, thread_id: int | None) -> ChatMessage | None:
        for stored in sorted(chat.messages.values(), key=lambda m: -m.message_id):
            if (
                stored.sender.is_bot
                and not stored.deleted
                and stored.inline_markup
                and stored.inline_markup.get("inline_keyboard")
                and (chat.type == "private" or stored.thread_id == thread_id)
            ):
                return ChatMessage(self.world, stored)
        return None

    def _current_chat(self) -> ChatRecord:
        return self.group.record if self.in_group else self.user.chat

    # -- input ------------------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the player wants to leave."""
        text = line.strip()
        if not text:
            return True
        try:
            if text.startswith("::"):
                await self._send(text[1:])
            elif text.startswith(":"):
                return await self._command(text[1:].strip())
            else:
                await self._send(text)
        except InputError as exc:
            self.say(f"(!) {exc}")
        except SandboxTimeout:
            self.say(
                f"(!) the bot is still busy with that after {self.world.timeout:g} s; "
                "its answers will show up when they come"
            )
        except AssertionError as exc:
            self.say(f"(!) {exc}")
        except Exception as exc:
            log.exception("sandbox input %r failed", line)
            self.say(f"(!) {type(exc).__name__}: {exc}")
        return True

    async def _send(self, text: str) -> None:
        if self.in_group:
            await self.user.say_in(self.group, text, thread_id=self.thread_id)
        else:
            await self.user.send(text)

    async def _command(self, command: str) -> bool:
        name, _, arg = command.partition(" ")
        name, arg = name.lower(), arg.strip()
        if re.fullmatch(r"\d+", name) and not arg:
            await self._press(int(name))
        elif name in {"quit", "q", "exit"}:
            return False
        elif name == "help":
            self.say(HELP)
        elif name == "who":
            self._who()
        elif name == "buttons":
            self._show_buttons()
        elif name == "private":
            self.in_group, self.thread_id = False, None
            self.say(f"(now in {self.user.name}'s private chat with the bot)")
        elif name == "group":
            self._go_to_group(arg)
        elif name == "as":
            self._act_as(arg)
        elif name == "upload":
            await self._upload(arg)
        else:
            raise InputError(f"unknown command :{name} (:help lists the commands)")
        return True

    def _keyboard_here(self) -> ChatMessage:
        chat = self._current_chat()
        message = self._latest_keyboard(chat, self.thread_id)
        if message is None:
            raise InputError(f"no message with buttons in {self.where_now()}")
        return message

    async def _press(self, number: int) -> None:
        message = self._keyboard_here()
        buttons = _flat_buttons(message)
        if not 1 <= number <= len(buttons):
            labels = "  ".join(f"[{i}] {b.get('text', '')}" for i, b in enumerate(buttons, 1))
            raise InputError(f"no button {number} on #{message.message_id}: {labels}")
        button = buttons[number - 1]
        label = button.get("text", "")
        if "url" in button:
            raise InputError(f'button {number} "{label}" opens {button["url"]}')
        if "callback_data" not in button:
            kinds = ", ".join(key for key in button if key != "text") or "unknown"
            raise InputError(f'button {number} "{label}" ({kinds}) cannot be pressed here')
        self.say(f'(pressed "{label}" on #{message.message_id})')
        await self.user.press_data(str(button["callback_data"]), message=message)

    def _show_buttons(self) -> None:
        message = self._keyboard_here()
        self.say(f"#{message.message_id}: {self._body(message).split(chr(10))[0]}")
        self._print_buttons(message)

    def _go_to_group(self, topic: str) -> None:
        chat = self.group.record
        if not topic or topic.lower() == "general":
            self.in_group, self.thread_id = True, None
        else:
            wanted = topic.lower()
            matches = [
                (thread, name)
                for thread, name in chat.topics.items()
                if name.lower().startswith(wanted)
            ]
            exact = [match for match in matches if match[1].lower() == wanted]
            if exact:
                matches = exact
            if len(matches) != 1:
                names = ", ".join(chat.topics.values())
                raise InputError(f'no topic "{topic}" in {chat.title} (topics: General, {names})')
            self.in_group, self.thread_id = True, matches[0][0]
        self.say(f"(now in {self.where_now()})")

    def _act_as(self, name: str) -> None:
        if not name:
            raise InputError("who? :as admin, or :as NAME")
        user = self.users.get(name.lower())
        if user is None:
            user = self._new_user(name)
            self.say(f"({user.name} joins, a member of {GROUP_TITLE})")
        self.user = user
        self.say(f"(you are now {user.name}, in {self.where_now()})")

    async def _upload(self, arg: str) -> None:
        if not arg:
            raise InputError("which file? :upload PATH")
        try:
            name, data = await asyncio.to_thread(_read_file, arg)
        except OSError as exc:
            raise InputError(f"cannot read {arg}: {exc.strerror or exc}") from None
        group = self.group if self.in_group else None
        thread_id = self.thread_id if self.in_group else None
        self.say(f"(sending {name}, {len(data)} bytes)")
        await self.user.send_document(name, data, group=group, thread_id=thread_id)

    def _who(self) -> None:
        role = " (admin)" if self.user is self.admin else ""
        self.say(f"You are {self.user.name}{role}, id {self.user.id}, in {self.where_now()}.")
        people = ", ".join(
            user.name + (" (admin)" if user is self.admin else "") for user in self.users.values()
        )
        topics = ", ".join(f"{name} ({thread})" for name, thread in self.topics.items())
        self.say(f"Users: {people}.")
        self.say(f"Group: {GROUP_TITLE} ({self.group.id}); topics: General, {topics}.")

    # -- the loop ---------------------------------------------------------------------------------

    async def run(self, lines: LineReader) -> None:
        self.interactive = lines.interactive
        while True:
            if self.interactive:
                self._waiting = True
                self.prompt()
            try:
                line = await lines.readline()
            finally:
                self._waiting = False
            self._prompt_shown = False
            if line is None:
                if self.interactive:
                    print(file=self.out, flush=True)  # after ^D the cursor is on the prompt
                return
            if not self.interactive:
                print(f"{self.prompt_text()}{line}", file=self.out, flush=True)
            if not await self.handle(line):
                return


def _banner(player: str) -> str:
    return (
        "Agora sandbox: the bot runs here, offline, against a fake Telegram.\n"
        f"You are {player}; {ADMIN_NAME} is an admin. Group: {GROUP_TITLE}, "
        f"topics {', '.join(TOPICS)}.\n"
        f"{HELP}"
    )


async def run_sandbox(
    settings: Settings,
    *,
    user_name: str = "Alice",
    stdin: Input | None = None,
    stdout: IO[str] | None = None,
    speed: Speed | None = None,
) -> None:
    """Chat with the bot in the terminal until :quit, the end of input or Ctrl-C.

    `speed` scales Telegram's limits (tests); by default they are Telegram's real ones.
    """
    out = stdout if stdout is not None else sys.stdout
    lines = LineReader(stdin if stdin is not None else sys.stdin)
    storage = choose_storage()
    log_path = DATA_DIR / LOG_FILE
    carried = {
        key: value
        for key, value in settings.model_dump().items()
        if key in settings.model_fields_set and key not in SANDBOX_OWN_SETTINGS
    }
    # The Sandbox's Settings still read the environment: every key the sandbox owns is given,
    # so no configured value (a token, a webhook) reaches the bot. It sets these three itself.
    own = {
        key: Settings.model_fields[key].default
        for key in SANDBOX_OWN_SETTINGS - {"bot_api_url", "database_url", "redis_url"}
    }
    own["health_port"] = 0  # no health server: a bot running beside it may use the port
    with log_to_file(log_path, settings.log_level):
        # Imported here: the app's imports already log (alembic), and that belongs in the file.
        from bot.sandbox.harness import REAL_SPEED, Sandbox

        speed = speed or REAL_SPEED
        world = World(limits=speed.server_limits(), timeout=ACTION_TIMEOUT)
        terminal = Terminal(world, out, user_name.strip() or "Alice")
        terminal.say(f"Starting the bot: {storage.description}; log in {log_path}.")
        try:
            async with Sandbox(
                database_url=storage.database_url,
                redis_url=None,
                speed=speed,
                world=world,
                **carried,
                **(own | terminal.bot_settings()),
            ) as box:
                try:
                    await box.start()
                except Exception as exc:
                    log.exception("the bot did not start")
                    terminal.say(f"The bot did not start: {exc} (details in {log_path})")
                    return
                unsubscribe = world.on_event(terminal.on_event)
                try:
                    terminal.say(_banner(terminal.player.name))
                    await terminal.run(lines)
                finally:
                    terminal.say("Stopping the bot…")  # also after Ctrl-C
                    await box.stop()
                    unsubscribe()
        finally:
            terminal.say("Bye.")


__all__ = ["LineReader", "Terminal", "choose_storage", "run_sandbox"]
