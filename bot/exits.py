"""Exit codes of the `agora` command, as `agora --help` and the README list them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # anything unexpected (a bug): its traceback is printed
    CONFIG = 2
    DATABASE = 3
    SCHEMA = 4
    REDIS = 5
    TOKEN = 6
    TELEGRAM = 7


MEANING = {
    ExitCode.OK: "stopped normally (SIGTERM, Ctrl-C)",
    ExitCode.ERROR: "an unexpected error (its traceback is printed)",
    ExitCode.CONFIG: "a setting is missing or malformed",
    ExitCode.DATABASE: "the database cannot be reached",
    ExitCode.SCHEMA: "the database schema is not the one this version needs (run agora migrate)",
    ExitCode.REDIS: "Redis (REDIS_URL) cannot be reached",
    ExitCode.TOKEN: "Telegram rejected the token (BOT_TOKEN)",
    ExitCode.TELEGRAM: "Telegram (or BOT_API_URL) cannot be reached",
}


def exit_codes_help(codes: dict[ExitCode, str] | None = None) -> str:
    """The "exit codes:" section of a --help; `codes` lists a sub-command's own meanings."""
    meanings = codes if codes is not None else MEANING
    return "exit codes:\n" + "\n".join(f"  {int(code)}  {text}" for code, text in meanings.items())
