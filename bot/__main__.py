"""The `agora` command: run | migrate | sandbox | worker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agora", description="Agora, the Telegram bot that runs a community."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run", help="run the bot (long polling, or a webhook server with WEBHOOK_URL)"
    )
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    commands.add_parser("worker", help="run only the periodic jobs (reminders, deadlines, cleanup)")
    sandbox = commands.add_parser(
        "sandbox", help="chat with the bot offline, against a built-in fake Telegram"
    )
    sandbox.add_argument("--name", default="Alice", help="first name of the user you play")
    return parser


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiohttp's access log would print the request path, and with it the bot token.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic's plugin set-up chatter; "Running upgrade …" lines stay.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


async def _run(settings: Settings) -> None:
    from bot.app import create_app, run_polling, run_webhook

    app = await create_app(settings)
    if settings.webhook_url is not None:
        await run_webhook(app)
    else:
        await run_polling(app)


async def _worker(settings: Settings) -> None:
    from bot.app import create_app, run_worker

    await run_worker(await create_app(settings))


async def _migrate(settings: Settings) -> None:
    from bot.db.engine import create_engine
    from bot.db.migrate import upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command in {"run", "worker"}:
            settings.require_token()
            if settings.webhook_url is not None and settings.webhook_secret is None:
                raise ConfigError("WEBHOOK_SECRET: missing (required with WEBHOOK_URL)")
    except ConfigError as exc:
        print(f"agora: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    _logging(settings)
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
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
