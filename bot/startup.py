"""Start-up checks of `agora run`, `worker` and `migrate`: each expected failure is one line."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import cast
from urllib.parse import urlsplit, urlunsplit

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.engine import create_engine
from bot.db.migrate import SchemaState, schema_state, upgrade
from bot.exits import ExitCode

log = logging.getLogger(__name__)

TELEGRAM_URL = "https://api.telegram.org"
# Long enough for a slow link, short enough that a black-holed address is reported, not hung on.
CONNECT_TIMEOUT = 30.0


class StartupError(Exception):
    """An expected failure before the bot starts: one line for the terminal and an exit code."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def hide_password(url: str) -> str:
    """The URL as it may be printed: its password, if any, replaced by ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("://", 1)[0] + "://…"
    if not password:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


def reason(exc: BaseException) -> str:
    """The innermost cause of a failure, on one line (drivers wrap their errors in layers)."""
    inner = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    if isinstance(inner, TelegramAPIError):
        text_ = inner.message
    else:
        text_ = str(inner) or type(inner).__name__
    if isinstance(inner, TimeoutError) and not str(inner):
        text_ = f"no answer within {CONNECT_TIMEOUT:g} s"
    return re.sub(r"\s+", " ", text_).strip()


# --- the database --------------------------------------------------------------------------


async def check_database(settings: Settings, *, migrate_sqlite: bool) -> None:
    """The database answers and its schema is at the head revision.

    The embedded SQLite default migrates itself here (`migrate_sqlite`); PostgreSQL is never
    migrated behind the operator's back: `agora migrate` does it.
    """
    engine = _engine(settings)
    try:
        await _reach(engine, settings)
        state = await schema_state(engine)
        if state.unknown:
            raise StartupError(ExitCode.SCHEMA, _newer_schema(state))
        if not state.at_head:
            if settings.is_sqlite and migrate_sqlite:
                await upgrade(engine)
            else:
                raise StartupError(
                    ExitCode.SCHEMA,
                    f"the database is at revision {_revisions(state.current)}, this version "
                    f"needs {_revisions(state.heads)}: run agora migrate",
                )
    finally:
        await engine.dispose()


async def migrate_database(settings: Settings) -> None:
    """`agora migrate`: upgrade to head, after the same reachability check as `agora run`."""
    engine = _engine(settings)
    try:
        await _reach(engine, settings)
        state = await schema_state(engine)
        if state.unknown:
            raise StartupError(ExitCode.SCHEMA, _newer_schema(state))
        await upgrade(engine)
    finally:
        await engine.dispose()


def _engine(settings: Settings) -> AsyncEngine:
    try:
        return create_engine(settings.database_url)
    except (ArgumentError, ValueError) as exc:
        # The scheme was checked with the settings; the rest of the URL is checked here.
        raise StartupError(ExitCode.CONFIG, f"configuration error: DATABASE_URL: {exc}") from exc
    except OSError as exc:  # the SQLite file's folder cannot be created
        raise StartupError(ExitCode.DATABASE, _unreachable_database(settings, exc)) from exc


async def _reach(engine: AsyncEngine, settings: Settings) -> None:
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise StartupError(ExitCode.DATABASE, _unreachable_database(settings, exc)) from exc


def _unreachable_database(settings: Settings, exc: BaseException) -> str:
    return f"cannot reach the database at {hide_password(settings.database_url)}: {reason(exc)}"


def _newer_schema(state: SchemaState) -> str:
    return (
        f"the database is at revision {_revisions(state.current)}, which this version does not "
        f"know (it needs {_revisions(state.heads)}): a newer Agora migrated it"
    )


def _revisions(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "none (never migrated)"


# --- Redis and Telegram --------------------------------------------------------------------


async def check_redis(settings: Settings) -> None:
    if settings.redis_url is None:
        return
    shown = hide_password(settings.redis_url)
    try:
        client = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=CONNECT_TIMEOUT,
        )
    except ValueError as exc:
        raise StartupError(ExitCode.CONFIG, f"configuration error: REDIS_URL: {exc}") from exc
    try:
        await cast(Awaitable[bool], client.ping())  # redis-py types it for sync and async
    except (RedisError, OSError) as exc:
        raise StartupError(ExitCode.REDIS, f"cannot reach Redis at {shown}: {reason(exc)}") from exc
    finally:
        await client.aclose()


def telegram_api(settings: Settings) -> TelegramAPIServer | None:
    """The Bot API server to talk to: BOT_API_URL, else Telegram's (None)."""
    if settings.bot_api_url is None:
        return None
    return TelegramAPIServer.from_base(str(settings.bot_api_url).rstrip("/"))


async def check_token(settings: Settings) -> None:
    """getMe with the token: a rejected token or an unreachable Telegram is reported here,
    before polling starts (afterwards aiogram backs off and retries on network errors)."""
    api = telegram_api(settings)
    where = str(settings.bot_api_url).rstrip("/") if settings.bot_api_url else TELEGRAM_URL
    session = AiohttpSession(api=api) if api is not None else AiohttpSession()
    try:
        bot = Bot(settings.require_token(), session=session)
        me = await bot.get_me(request_timeout=int(CONNECT_TIMEOUT))
    except (TelegramUnauthorizedError, TelegramNotFound) as exc:
        # Telegram answers 401 for a revoked or mistyped token, 404 for a malformed one.
        raise StartupError(
            ExitCode.TOKEN,
            f"Telegram rejected the token (BOT_TOKEN): getMe answered {reason(exc)}",
        ) from exc
    except TelegramNetworkError as exc:
        raise StartupError(
            ExitCode.TELEGRAM, f"cannot reach Telegram at {where}: {reason(exc)}"
        ) from exc
    except TelegramAPIError as exc:
        raise StartupError(
            ExitCode.TELEGRAM, f"Telegram at {where} answered getMe with: {reason(exc)}"
        ) from exc
    finally:
        await session.close()
    log.info("Telegram accepted the token of @%s (id %d)", me.username, me.id)


async def check_before_start(settings: Settings) -> None:
    """Everything `agora run` and `agora worker` need, checked before either starts."""
    await check_database(settings, migrate_sqlite=True)
    await check_redis(settings)
    await check_token(settings)


__all__ = [
    "StartupError",
    "check_before_start",
    "check_database",
    "check_redis",
    "check_token",
    "hide_password",
    "migrate_database",
]
