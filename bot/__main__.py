"""The `agora` command: run | migrate | sandbox | worker."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
import textwrap
import traceback
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from bot.config import SANDBOX_OWN_SETTINGS, ConfigError, Settings, load_settings
from bot.exits import MEANING, ExitCode, exit_codes_help

log = logging.getLogger("bot")

WEBHOOK_KEYS = frozenset({"webhook_url", "webhook_secret", "webhook_host", "webhook_port"})
MIGRATE_EXITS = {
    ExitCode.OK: "the database is at the latest schema",
    **{code: MEANING[code] for code in (ExitCode.ERROR, ExitCode.CONFIG, ExitCode.DATABASE)},
    ExitCode.SCHEMA: "the database was migrated by a newer version of Agora",
}
SANDBOX_EXITS = {
    ExitCode.OK: "the chat ended (:quit, Ctrl-D, Ctrl-C)",
    ExitCode.ERROR: MEANING[ExitCode.ERROR],
    ExitCode.CONFIG: "a setting it reads is malformed",
}

RUN = """\
Run the bot: long polling, or, with WEBHOOK_URL set, an aiohttp webhook server (the secret
token is checked; GET /healthz reports the database and the FSM storage). Before it takes
updates it checks that the database answers and has the schema this version needs (the
embedded SQLite default migrates itself; PostgreSQL needs `agora migrate`), that Redis
answers when REDIS_URL is set, and that Telegram accepts BOT_TOKEN (getMe). Each failed
check is one line and its own exit code. SIGTERM or Ctrl-C stop the bot after the updates
in flight are handled; a network loss after the start is retried with back-off."""

WORKER = """\
Run only the periodic jobs (deadlines, reminders, outbox delivery, cleanup), e.g. beside
webhook instances; it takes no updates. It makes the same start-up checks as `agora run`."""

MIGRATE = """\
Upgrade the database at DATABASE_URL to the schema this version needs (Alembic; the
migrations ship inside the package). Running it again on an up-to-date database changes
nothing. The embedded SQLite default also migrates itself on `agora run`."""

SANDBOX = """\
Chat with the whole bot in the terminal, offline, against a built-in fake Telegram (no
token, no network, no services). It always runs on its own throw-away SQLite file,
data/sandbox.db (fresh for every run), without Redis: whatever .env or the environment say
for BOT_TOKEN, BOT_API_URL, DATABASE_URL, REDIS_URL, the webhook and the community, they are
not read, so a configured database is never touched. The bot's log goes to
data/sandbox.log. Type :help in the chat for its commands."""


def _description(text: str, keys: Iterable[str]) -> str:
    listed = ", ".join(key.upper() for key in keys)
    reads = textwrap.fill(f"environment (or .env in the current folder): {listed}", width=92)
    return f"{text}\n\n{reads}"


def version() -> str:
    """`agora --version`: the installed distribution's version and where the code runs from."""
    try:
        number = metadata.version("agora")
    except metadata.PackageNotFoundError:
        number = "(not installed)"
    where = Path(__file__).resolve().parent
    return f"agora {number} from {where} (Python {platform.python_version()})"


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="agora",
        description="Agora, the Telegram bot that runs a community.",
        epilog=exit_codes_help(),
        formatter_class=raw,
    )
    parser.add_argument("--version", action="version", version=version())
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        help="log at DEBUG level and print the traceback of a failure (as LOG_LEVEL=DEBUG)",
    )
    fields = list(Settings.model_fields)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        parents=[common],
        help="run the bot (long polling, or a webhook server with WEBHOOK_URL)",
        description=_description(RUN, fields),
        epilog=exit_codes_help(),
        formatter_class=raw,
    )
    commands.add_parser(
        "migrate",
        parents=[common],
        help="upgrade the database to the latest schema",
        description=_description(MIGRATE, ["database_url", "log_level", "log_format"]),
        epilog=exit_codes_help(MIGRATE_EXITS),
        formatter_class=raw,
    )
    commands.add_parser(
        "worker",
        parents=[common],
        help="run only the periodic jobs (reminders, deadlines, cleanup)",
        description=_description(WORKER, [key for key in fields if key not in WEBHOOK_KEYS]),
        epilog=exit_codes_help(),
        formatter_class=raw,
    )
    sandbox = commands.add_parser(
        "sandbox",
        parents=[common],
        help="chat with the bot offline, against a built-in fake Telegram",
        description=_description(
            SANDBOX, [key for key in fields if key not in SANDBOX_OWN_SETTINGS]
        ),
        epilog=exit_codes_help(SANDBOX_EXITS),
        formatter_class=raw,
    )
    sandbox.add_argument("--name", default="Alice", help="first name of the user you play")
    return parser


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # aiohttp's access log would print the request path, and with it the bot token.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic's plugin set-up chatter; "Running upgrade …" lines stay.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


async def _run(settings: Settings) -> None:
    from bot.app import create_app, run_polling, run_webhook
    from bot.startup import check_before_start

    await check_before_start(settings)  # also migrates the embedded SQLite default
    app = await create_app(settings, migrate=False)
    if settings.webhook_url is not None:
        await run_webhook(app)
    else:
        await run_polling(app)


async def _worker(settings: Settings) -> None:
    from bot.app import create_app, run_worker
    from bot.startup import check_before_start

    await check_before_start(settings)
    await run_worker(await create_app(settings, migrate=False))


async def _migrate(settings: Settings) -> None:
    from bot.startup import migrate_database

    await migrate_database(settings)


def _load(command: str, debug: bool) -> Settings:
    if command == "sandbox":
        # The sandbox's own values replace the configured ones before they are even read, so
        # neither a real DATABASE_URL nor a malformed BOT_TOKEN in .env reaches it.
        own = {key: Settings.model_fields[key].default for key in SANDBOX_OWN_SETTINGS}
        settings = load_settings(**own)
    else:
        settings = load_settings()
    if command in {"run", "worker"}:
        settings.require_token()
        if settings.webhook_url is not None and settings.webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET: missing (required with WEBHOOK_URL)")
    if debug:
        settings = settings.model_copy(update={"log_level": "DEBUG"})
    return settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _load(args.command, args.debug)
    except ConfigError as exc:
        print(f"agora: configuration error: {exc}", file=sys.stderr)
        return int(ExitCode.CONFIG)
    _logging(settings)
    if args.command in {"run", "worker"}:
        log.info("starting agora %s: %s", args.command, version())
    from bot.startup import StartupError

    try:
        if args.command == "run":
            asyncio.run(_run(settings))
        elif args.command == "worker":
            asyncio.run(_worker(settings))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database is up to date")
        elif args.command == "sandbox":
            from bot.sandbox.terminal import run_sandbox

            asyncio.run(run_sandbox(settings, user_name=args.name))
    except StartupError as exc:
        if settings.log_level == "DEBUG":
            traceback.print_exception(exc)
        print(f"agora: {exc.message}", file=sys.stderr)
        return int(exc.code)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
