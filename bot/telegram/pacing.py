"""Outgoing Bot API pacing: rate limits, ``retry_after`` and blocked users.

:class:`TelegramIO` is a Bot session request middleware (``bot.session.middleware(io)``), so
every outgoing call goes through it, whoever makes it (handlers, jobs, the error handler).

Pacing
    Methods that produce or edit a message (:data:`PACED_METHODS`) take tokens from up to three
    token buckets, in this order: the target chat, the target group (chat id < 0), the whole bot.
    Each bucket is reserved and then slept on before the next one is reserved, so a busy chat
    only queues its own messages: its queue waits on its own bucket and takes a group or global
    token only when it is really about to be sent.

    Buckets use virtual scheduling (GCRA): a bucket is a single number, the time at which it
    would be full again. A reservation moves that time forward by the cost and returns the time
    at which the request may go; the caller then sleeps until that moment. There is no lock and
    no polling, and requests for one key go out in the order they reserved (FIFO).

    With Redis configured the buckets live there instead (:class:`SharedBuckets`, the same
    GCRA as a Lua script on Redis's clock, all buckets of a message in one round trip): every
    instance of the bot draws on one budget per chat, per group and for the bot, so N instances
    together stay within Telegram's limits.

    Idle buckets are forgotten: a bucket whose "full again" time has passed is identical to a new
    one, so such buckets are dropped in a sweep that runs at most once per ``sweep_every``
    seconds.

Retry-after
    ``TelegramRetryAfter`` is waited out (``retry_after`` seconds) and the same request is sent
    again, up to ``max_retries`` times. A wait longer than ``max_retry_after`` (a handler holds a
    60 s isolation lock) is not attempted: the error is re-raised at once.

Blocked users
    ``TelegramForbiddenError`` for a private chat saying the bot was blocked or the user is
    deactivated calls ``on_blocked(chat_id)`` and then re-raises the error.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import methods as m
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.telegram.slots import stepped_aside

if TYPE_CHECKING:
    from aiogram import Bot
    from redis.asyncio import Redis

__all__ = [
    "PACED_METHODS",
    "PacingLimits",
    "TelegramIO",
    "is_blocked_error",
    "method_cost",
    "method_target_chat",
]

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
OnBlocked = Callable[[int], Awaitable[None]]

#: Methods that create or edit a message in a chat; everything else passes unpaced.
PACED_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    m.SendMessage,
    m.SendPhoto,
    m.SendDocument,
    m.SendAnimation,
    m.SendAudio,
    m.SendVideo,
    m.SendVideoNote,
    m.SendVoice,
    m.SendSticker,
    m.SendMediaGroup,
    m.SendPaidMedia,
    m.SendLivePhoto,
    m.SendPoll,
    m.SendChecklist,
    m.SendDice,
    m.SendContact,
    m.SendLocation,
    m.SendVenue,
    m.SendInvoice,
    m.SendGame,
    m.SendRichMessage,
    m.CopyMessage,
    m.CopyMessages,
    m.ForwardMessage,
    m.ForwardMessages,
    m.EditMessageText,
    m.EditMessageCaption,
    m.EditMessageReplyMarkup,
    m.EditMessageMedia,
    m.EditMessageLiveLocation,
    m.EditMessageChecklist,
    m.EditEphemeralMessageText,
    m.EditEphemeralMessageCaption,
    m.EditEphemeralMessageReplyMarkup,
    m.EditEphemeralMessageMedia,
)

_BLOCKED_MARKERS = ("blocked by the user", "user is deactivated")


@dataclass(frozen=True, slots=True)
class PacingLimits:
    """Token bucket parameters; rates are messages per second, bursts are bucket sizes.

    A bucket lets through at most ``burst + rate * T`` messages in any window of T seconds:
    the group defaults keep that at 20 per minute, Telegram's documented group limit.
    A rate of ``math.inf`` switches that bucket off.

    The bursts stay well below Telegram's own (30 messages at once for the bot): a message
    leaves some time after its reservation (a Redis reply, a new connection, a busy event loop),
    so sends bunch up, and Telegram's bucket, which holds no more than 30, must keep tokens for
    that: with a burst of 10 at 28 a second, sends may come up to 0.7 s late all at once.
    """

    chat_rate: float = 1.0
    chat_burst: int = 3
    group_rate: float = 15 / 60
    group_burst: int = 5
    global_rate: float = 28.0
    global_burst: int = 10

    def __post_init__(self) -> None:
        for name in ("chat", "group", "global"):
            rate = getattr(self, f"{name}_rate")
            burst = getattr(self, f"{name}_burst")
            if not rate > 0:
                raise ValueError(f"{name}_rate must be > 0, got {rate!r}")
            if burst < 1:
                raise ValueError(f"{name}_burst must be >= 1, got {burst!r}")

    @classmethod
    def off(cls) -> PacingLimits:
        """No pacing at all (retry-after and blocked-user handling still apply)."""
        return cls(chat_rate=math.inf, group_rate=math.inf, global_rate=math.inf)


class _Buckets:
    """A family of GCRA token buckets keyed by chat id (or ``None`` for the global one)."""

    __slots__ = ("_burst", "_full_at", "_interval")

    def __init__(self, rate: float, burst: int) -> None:
        self._interval = 0.0 if math.isinf(rate) else 1.0 / rate
        self._burst = burst
        # key -> the time at which that bucket is full again
        self._full_at: dict[Hashable, float] = {}

    @property
    def enabled(self) -> bool:
        return self._interval > 0

    def reserve(self, key: Hashable, now: float, cost: int = 1) -> float:
        """Take ``cost`` tokens now; return how long the caller must wait before sending."""
        if not self.enabled:
            return 0.0
        full_at = max(self._full_at.get(key, now), now) + cost * self._interval
        self._full_at[key] = full_at
        return max(0.0, full_at - self._burst * self._interval - now)

    def peek(self, key: Hashable, now: float, cost: int = 1) -> float:
        """How long a reservation made now would have to wait (nothing is taken)."""
        if not self.enabled:
            return 0.0
        full_at = max(self._full_at.get(key, now), now) + cost * self._interval
        return max(0.0, full_at - self._burst * self._interval - now)

    def sweep(self, now: float) -> None:
        """Forget buckets that are full again (indistinguishable from new ones)."""
        idle = [key for key, full_at in self._full_at.items() if full_at <= now]
        for key in idle:
            del self._full_at[key]

    def __len__(self) -> int:
        return len(self._full_at)


# GCRA on Redis: the bucket is one key holding the time it is full again, on Redis's clock (so
# instances with drifting clocks agree). Returns the wait as a string (Lua numbers become
# integers on the way out). ARGV: interval, burst, cost, reserve (1) or only look (0).
# The buckets of one message, in order, in one round trip. Reserving: each bucket is reserved in
# turn; at the first that makes the message wait, the script stops and returns its position and
# the wait (the caller sleeps, then reserves the rest). Peeking: nothing is written, and the
# longest wait is returned. ARGV: cost, reserve ('1' or '0'), then interval and burst per key.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cost, reserve = tonumber(ARGV[1]), ARGV[2] == '1'
local longest = 0
for i, key in ipairs(KEYS) do
  local interval, burst = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  local full = tonumber(redis.call('GET', key) or now)
  if full < now then full = now end
  local after = full + cost * interval
  local wait = after - burst * interval - now
  if wait < 0 then wait = 0 end
  if reserve then
    redis.call('SET', key, tostring(after), 'PX', math.ceil((after - now) * 1000) + 1000)
    if wait > 0 then return {i, tostring(wait)} end
  elseif wait > longest then
    longest = wait
  end
end
return {#KEYS, tostring(longest)}
"""

# (family, key, rate, burst) of one bucket
BucketSpec = tuple[str, Hashable, float, int]


class SharedBuckets:
    """Token buckets kept in Redis, so that every instance of the bot draws on the same budget
    (two webhook instances together stay within Telegram's 30 messages a second). All buckets of
    a message are taken in one command."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_GCRA)

    async def take(
        self, buckets: list[BucketSpec], cost: int, *, reserve: bool
    ) -> tuple[int, float]:
        """Reserve (or peek at) `buckets` in order: how many were taken, and the wait.

        Reserving stops at the first bucket that makes the message wait (it is reserved, and
        counted); peeking looks at all of them and returns the longest wait.
        """
        if not buckets:
            return 0, 0.0
        args: list[str | int] = [cost, "1" if reserve else "0"]
        for _family, _key, rate, burst in buckets:
            args.extend((repr(1.0 / rate), burst))
        taken, wait = await self._script(
            keys=[f"{self._prefix}:{family}:{key}" for family, key, _rate, _burst in buckets],
            args=args,
        )
        return int(taken), float(wait)

    async def close(self) -> None:
        await self._redis.aclose()


def telegram_io(bot: Bot) -> TelegramIO | None:
    """The bot's TelegramIO middleware, if it has one."""
    return next((m for m in bot.session.middleware if isinstance(m, TelegramIO)), None)


def method_target_chat(method: TelegramMethod[Any]) -> int | None:
    """The integer ``chat_id`` a method is aimed at, or ``None`` (no chat, or an @username)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, int) and not isinstance(chat_id, bool):
        return chat_id
    return None


def method_cost(method: TelegramMethod[Any]) -> int:
    """How many messages a paced method produces (albums and batch copies count each one)."""
    if isinstance(method, m.SendMediaGroup):
        return max(1, len(method.media))
    if isinstance(method, m.CopyMessages | m.ForwardMessages):
        return max(1, len(method.message_ids))
    return 1


def is_blocked_error(error: TelegramForbiddenError) -> bool:
    """Whether a 403 means the user blocked the bot or deleted their account."""
    text = error.message.lower()
    return any(marker in text for marker in _BLOCKED_MARKERS)


class TelegramIO(BaseRequestMiddleware):
    """Bot session request middleware: pacing, ``retry_after`` and blocked users.

    :param limits: bucket parameters (:meth:`PacingLimits.off` disables pacing).
    :param max_retries: how many times a request is re-sent after ``TelegramRetryAfter``
        (so at most ``max_retries + 1`` attempts).
    :param max_retry_after: the longest ``retry_after`` (seconds) that is waited out; a longer
        one is re-raised immediately.
    :param on_blocked: awaited with the chat id when a private chat turns out to have blocked
        the bot (or the user is deactivated); the error is re-raised afterwards.
    :param clock: monotonic clock in seconds (injectable for tests).
    :param sleep: async sleep in seconds (injectable for tests).
    :param sweep_every: how often (seconds of ``clock``) idle buckets are dropped.
    """

    def __init__(
        self,
        limits: PacingLimits | None = None,
        *,
        max_retries: int = 3,
        max_retry_after: float = 30.0,
        on_blocked: OnBlocked | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        sweep_every: float = 60.0,
        shared: SharedBuckets | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.limits = limits if limits is not None else PacingLimits()
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.on_blocked = on_blocked
        self._clock = clock
        self._sleep = sleep
        self._sweep_every = sweep_every
        self._chats = _Buckets(self.limits.chat_rate, self.limits.chat_burst)
        self._groups = _Buckets(self.limits.group_rate, self.limits.group_burst)
        self._global = _Buckets(self.limits.global_rate, self.limits.global_burst)
        self._last_sweep = clock()
        self._shared = shared

    @property
    def tracked_buckets(self) -> int:
        """Number of per-chat and per-group buckets currently kept in memory."""
        return len(self._chats) + len(self._groups)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat_id = method_target_chat(method)
        try:
            # An update waiting for its pace or for Telegram's answer holds no work slot.
            async with stepped_aside():
                if isinstance(method, PACED_METHODS):
                    await self.pace(chat_id, method_cost(method))
                return await self._send_with_retries(make_request, bot, method)
        except TelegramForbiddenError as error:
            if chat_id is not None and chat_id > 0 and is_blocked_error(error):
                await self._notify_blocked(chat_id)
            raise

    async def pace(self, chat_id: int | None, cost: int = 1) -> None:
        """Wait until a message to ``chat_id`` (``None``: unknown chat) may be sent."""
        self._maybe_sweep()
        if self._shared is not None:
            buckets = self._shared_specs(chat_id)
            while buckets:
                taken, wait = await self._shared.take(buckets, cost, reserve=True)
                await self._wait(wait)
                buckets = buckets[taken:]
            return
        for family, key in self._buckets_for(chat_id):
            await self._wait(self._take(family, key, cost, reserve=True))

    async def delay(self, chat_id: int | None) -> float:
        """How long a message to ``chat_id`` sent now would wait for its pace (nothing taken).

        The outbox sender asks before it claims a row, so a claimed row never waits long.
        """
        if self._shared is not None:
            _taken, wait = await self._shared.take(self._shared_specs(chat_id), 1, reserve=False)
            return wait
        return max(
            self._take(family, key, 1, reserve=False) for family, key in self._buckets_for(chat_id)
        )

    def _buckets_for(self, chat_id: int | None) -> list[tuple[str, Hashable]]:
        # In this order: a busy chat queues on its own bucket before it takes a group's or the
        # bot's token, so it delays nobody else.
        buckets: list[tuple[str, Hashable]] = []
        if chat_id is not None:
            buckets.append(("chat", chat_id))
            if chat_id < 0:
                buckets.append(("group", chat_id))
        buckets.append(("global", None))
        return buckets

    def _shared_specs(self, chat_id: int | None) -> list[BucketSpec]:
        specs: list[BucketSpec] = []
        for family, key in self._buckets_for(chat_id):
            rate = getattr(self.limits, f"{family}_rate")
            if self._local(family).enabled:
                specs.append((family, key, rate, getattr(self.limits, f"{family}_burst")))
        return specs

    def _local(self, family: str) -> _Buckets:
        return {"chat": self._chats, "group": self._groups, "global": self._global}[family]

    def _take(self, family: str, key: Hashable, cost: int, *, reserve: bool) -> float:
        local = self._local(family)
        if not local.enabled:
            return 0.0
        now = self._clock()
        return local.reserve(key, now, cost) if reserve else local.peek(key, now, cost)

    async def close(self) -> None:
        if self._shared is not None:
            await self._shared.close()

    async def _wait(self, delay: float) -> None:
        # No await at all when no wait is needed: the next reservation then happens in the
        # same step, which keeps the order of requests that did not have to wait.
        if delay > 0:
            await self._sleep(delay)

    def _maybe_sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep >= self._sweep_every:
            self._last_sweep = now
            self._chats.sweep(now)
            self._groups.sweep(now)

    async def _send_with_retries(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        retries = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                name = type(method).__name__
                chat = getattr(method, "chat_id", None)
                if error.retry_after > self.max_retry_after:
                    logger.warning(
                        "%s to chat %s: flood control asks for %s s, more than %s s: giving up",
                        name,
                        chat,
                        error.retry_after,
                        self.max_retry_after,
                    )
                    raise
                if retries >= self.max_retries:
                    logger.warning(
                        "%s to chat %s: still flood-limited after %d retries: giving up",
                        name,
                        chat,
                        retries,
                    )
                    raise
                retries += 1
                logger.warning(
                    "%s to chat %s: flood control, retry %d/%d in %s s",
                    name,
                    chat,
                    retries,
                    self.max_retries,
                    error.retry_after,
                )
                await self._sleep(float(error.retry_after))

    async def _notify_blocked(self, chat_id: int) -> None:
        logger.info("Chat %s blocked the bot or was deactivated", chat_id)
        if self.on_blocked is None:
            return
        try:
            await self.on_blocked(chat_id)
        except Exception:
            logger.exception("on_blocked(%s) failed", chat_id)
