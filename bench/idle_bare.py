"""`python -m bench.idle_bare run`: a bare aiogram bot, the floor of bench/idle.py.

One Dispatcher with its default memory storage, one /help handler, long polling `BOT_API_URL`
with `BOT_TOKEN`, as `agora run` polls (same `tasks_concurrency_limit`); no database, no
middleware, no jobs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import Message


async def on_help(message: Message) -> None:
    await message.answer("help")


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    api = TelegramAPIServer.from_base(os.environ["BOT_API_URL"].rstrip("/"))
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dispatcher = Dispatcher()
    dispatcher.message.register(on_help, Command("help"))
    await dispatcher.start_polling(bot, tasks_concurrency_limit=100)


if __name__ == "__main__":
    if sys.argv[1:] != ["run"]:
        sys.exit("usage: python -m bench.idle_bare run")
    asyncio.run(main())
