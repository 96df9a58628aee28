"""A bare aiogram bot doing Agora's intro with the same Bot API calls: bench/fair.py's baseline.

    python -m bench.bare_bot    # reads BOT_TOKEN, BOT_API_URL, DATABASE_URL, REDIS_URL,
                                # COMMUNITY_CHAT_ID, INTRO_TOPIC_ID, HEALTH_PORT, LOG_LEVEL

No Agora code: one router, aiogram's RedisStorage + RedisEventIsolation when REDIS_URL is set
(MemoryStorage + SimpleEventIsolation otherwise), the English texts copied from Agora's catalog,
and one SQLAlchemy insert of the profile at Confirm. `GET /metrics` on HEALTH_PORT serves the
SQL round trips counted as Agora counts them (`agora_db_statements_total{kind=...}`).
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
from collections import Counter
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text, event, insert
from sqlalchemy.ext.asyncio import create_async_engine

ENV = os.environ
COMMUNITY, TOPIC = int(ENV["COMMUNITY_CHAT_ID"]), int(ENV["INTRO_TOPIC_ID"])
metadata = MetaData()
profiles = Table(
    "bare_profiles",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    *(Column(name, String(64)) for name in ("first_name", "last_name", "username")),
    Column("about", Text),
)
if ENV["DATABASE_URL"].startswith("postgresql"):
    engine = create_async_engine(ENV["DATABASE_URL"], pool_size=20, max_overflow=20)
else:
    engine = create_async_engine(ENV["DATABASE_URL"])
ROUND_TRIPS: Counter[str] = Counter()
EVENTS = {"statement": "before_cursor_execute", "begin": "begin", "commit": "commit"}
for kind, name in {**EVENTS, "rollback": "rollback"}.items():
    event.listen(engine.sync_engine, name, lambda *_, kind=kind: ROUND_TRIPS.update([kind]))


class Intro(StatesGroup):
    first_name, last_name, about, confirming = State(), State(), State(), State()


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    buttons = [[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows]
    return InlineKeyboardMarkup(inline_keyboard=buttons)


CANCEL, BACK = ("✖ Cancel", "cancel"), ("◀ Back", "back")
ASK = {
    Intro.last_name: ("What is your last name? (up to 30 characters)", keyboard([BACK, CANCEL])),
    Intro.about: (
        "Tell the community about yourself: who you are, what you do, what you are looking for "
        "here. (up to 3900 characters)",
        keyboard([BACK, CANCEL]),
    ),
}
NEXT = {Intro.first_name.state: Intro.last_name, Intro.last_name.state: Intro.about}
router = Router()


async def ask(bot: Bot, chat_id: int, state: FSMContext, text: str, markup: Any) -> None:
    """Send the new prompt, then take the buttons off the previous one (as Agora does)."""
    previous = (await state.get_data()).get("prompt")
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    if previous:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=previous)
    await state.update_data(prompt=sent.message_id)


@router.message(CommandStart(), F.chat.type == "private")
async def start(message: Message, state: FSMContext, bot: Bot) -> None:
    user = message.from_user
    assert user is not None
    member = await bot.get_chat_member(COMMUNITY, user.id)
    await message.answer(
        f"Hello, <b>{html.escape(user.first_name)}</b>! I am Agora, the bot of this community.\n"
        "Members introduce themselves, propose topics for our events, decide things together "
        "and train vocabulary here.",
        reply_markup=keyboard([("Help", "help")]),
    )
    if member.status in ("left", "kicked"):
        return
    await message.answer(
        "Welcome! Let us write your introduction for the community: three short questions, "
        "then you see your card before it is posted."
    )
    await state.set_state(Intro.first_name)
    await ask(
        bot,
        message.chat.id,
        state,
        "What is your first name? (up to 30 characters)",
        keyboard([CANCEL]),
    )


def card(user_id: int, data: dict[str, Any]) -> str:
    name = html.escape(f"{data['first_name']} {data['last_name']}")
    at = f" · @{data['username']}" if data.get("username") else ""
    return f'<a href="tg://user?id={user_id}">{name}</a>{at}\n\n{html.escape(data["about"])}'


@router.message(Intro.first_name, F.text)
@router.message(Intro.last_name, F.text)
@router.message(Intro.about, F.text)
async def answer(message: Message, state: FSMContext, raw_state: str, bot: Bot) -> None:
    assert message.text is not None
    assert message.from_user is not None
    field = raw_state.split(":")[1]
    data = await state.update_data({field: message.text.strip()})
    following = NEXT.get(raw_state)
    if following is not None:
        await state.set_state(following)
        await ask(bot, message.chat.id, state, *ASK[following])
        return
    await state.set_state(Intro.confirming)
    text = f"This is how your intro card will look:\n\n{card(message.from_user.id, data)}"
    markup = keyboard([("✅ Confirm", "in-ok"), ("✏️ Edit", "in-edit")], [BACK, CANCEL])
    await ask(bot, message.chat.id, state, text, markup)


@router.callback_query(Intro.confirming, F.data == "in-ok")
async def confirm(callback: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    data, user = await state.get_data(), callback.from_user
    row = {k: data[k] for k in ("first_name", "last_name", "about")}
    async with engine.begin() as connection:
        await connection.execute(
            insert(profiles).values(user_id=user.id, username=user.username, **row)
        )
    await state.clear()
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=data["prompt"])
    await callback.answer()
    await bot.send_message(
        user.id,
        "Done! Your profile is saved, and your intro will appear in the community in a moment.",
    )
    await bot.send_message(
        COMMUNITY, card(user.id, {**row, "username": user.username}), message_thread_id=TOPIC
    )


async def metrics(_request: web.Request) -> web.Response:
    lines = [
        f'agora_db_statements_total{{kind="{k}"}} {ROUND_TRIPS[k]}.0'
        for k in ("statement", "begin", "commit", "rollback")
    ]
    return web.Response(text="\n".join(lines) + "\n")


async def main() -> None:
    logging.basicConfig(
        level=ENV.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if ENV.get("REDIS_URL"):
        redis = Redis(
            connection_pool=BlockingConnectionPool.from_url(ENV["REDIS_URL"], max_connections=512)
        )
        storage: Any = RedisStorage(
            redis,
            key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True),
            state_ttl=86400,
            data_ttl=86400,
        )
        isolation: Any = storage.create_isolation()
    else:
        storage, isolation = MemoryStorage(), SimpleEventIsolation()
    logging.info("storage %s, isolation %s", type(storage).__name__, type(isolation).__name__)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    api = TelegramAPIServer.from_base(ENV["BOT_API_URL"].rstrip("/"))
    bot = Bot(
        ENV["BOT_TOKEN"],
        session=AiohttpSession(api=api),
        default=DefaultBotProperties(
            parse_mode="HTML", link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )
    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(ENV["HEALTH_PORT"])).start()
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    dispatcher.include_router(router)
    try:
        await dispatcher.start_polling(
            bot, allowed_updates=dispatcher.resolve_used_update_types(), tasks_concurrency_limit=100
        )
    finally:
        await runner.cleanup()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
