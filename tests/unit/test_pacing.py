"""TelegramIO: token-bucket pacing, retry-after and blocked users, on virtual time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    ForwardMessage,
    GetChatMember,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InputMediaPhoto

from bot.telegram.pacing import PacingLimits, TelegramIO

BOT = cast(Bot, object())  # the middleware only passes the bot through


class VirtualTime:
    """A clock and a sleep for several concurrent tasks, without real waiting.

    ``run`` lets every task progress until all of them sleep, then wakes the earliest sleeper
    (ties in the order they went to sleep) and moves the clock to its wake-up time.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if delay > 0:
            self.sleeps.append(delay)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._seq), future))
        await future

    async def run(self, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coros]
        while True:
            for _ in range(10_000):
                pending = sum(not t.done() for t in tasks)
                if pending == len(self._sleepers):
                    break
                await asyncio.sleep(0)
            else:  # pragma: no cover - a test bug, not a product one
                raise AssertionError("tasks neither finish nor sleep")
            if not self._sleepers:
                break
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            future.set_result(None)
        return await asyncio.gather(*tasks, return_exceptions=True)


@dataclass
class FakeApi:
    """Stands for the rest of the session chain: records (time, method) and may fail."""

    time: VirtualTime
    calls: list[tuple[float, TelegramMethod[Any]]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.calls.append((self.time.now, method))
        if self.errors:
            raise self.errors.pop(0)
        return "ok"

    @property
    def times(self) -> list[float]:
        return [t for t, _ in self.calls]

    @property
    def texts(self) -> list[str]:
        return [cast(SendMessage, method).text for _, method in self.calls]


@dataclass
class Rig:
    time: VirtualTime
    api: FakeApi
    io: TelegramIO

    def call(self, method: TelegramMethod[Any]) -> Coroutine[Any, Any, Any]:
        make_request = cast(NextRequestMiddlewareType[Any], self.api)
        return self.io(make_request, BOT, method)

    async def send(self, *methods: TelegramMethod[Any]) -> list[Any]:
        return await self.time.run(*(self.call(method) for method in methods))


def make_rig(limits: PacingLimits | None = None, **kwargs: Any) -> Rig:
    vt = VirtualTime()
    io = TelegramIO(limits, clock=vt.clock, sleep=vt.sleep, **kwargs)
    return Rig(vt, FakeApi(vt), io)


def msg(chat_id: int | str, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat_id, text=text)


def retry_after(method: TelegramMethod[Any], seconds: int) -> TelegramRetryAfter:
    return TelegramRetryAfter(
        method=method,
        message=f"Too Many Requests: retry after {seconds}",
        retry_after=seconds,
    )


def forbidden(method: TelegramMethod[Any], text: str) -> TelegramForbiddenError:
    return TelegramForbiddenError(method=method, message=text)


INF = math.inf


# --- pacing -----------------------------------------------------------------------------------


async def test_private_chat_burst_then_one_per_second() -> None:
    rig = make_rig()
    results = await rig.send(*(msg(7, str(i)) for i in range(7)))
    assert results == ["ok"] * 7
    assert rig.api.times == pytest.approx([0, 0, 0, 1, 2, 3, 4])


async def test_chat_bucket_refills_while_idle() -> None:
    rig = make_rig()
    await rig.send(*(msg(7) for _ in range(3)))
    rig.time.now = 2.0  # two tokens back
    await rig.send(*(msg(7) for _ in range(3)))
    assert rig.api.times == pytest.approx([0, 0, 0, 2, 2, 3])


async def test_idle_chat_never_saves_more_than_its_burst() -> None:
    rig = make_rig(sweep_every=3600)
    await rig.send(msg(7))
    rig.time.now = 50.0
    await rig.send(*(msg(7) for _ in range(5)))
    assert rig.api.times == pytest.approx([0, 50, 50, 50, 51, 52])


async def test_group_is_limited_to_20_per_minute_after_its_burst() -> None:
    rig = make_rig(PacingLimits(chat_rate=INF))
    await rig.send(*(msg(-100, str(i)) for i in range(25)))
    # a burst of 5, then one every 4 s: never more than 20 in any 60-second window
    assert rig.api.times == pytest.approx([0] * 5 + [4 * k for k in range(1, 21)])
    assert rig.api.texts == [str(i) for i in range(25)]
    times = rig.api.times
    assert all(times[k + 20] - times[k] >= 60 for k in range(len(times) - 20))


async def test_group_limit_does_not_apply_to_private_chats() -> None:
    rig = make_rig(PacingLimits(chat_rate=INF))
    await rig.send(*(msg(100) for _ in range(10)))  # the bot's global burst
    assert rig.api.times == [0] * 10


async def test_group_gets_chat_and_group_limits_together() -> None:
    rig = make_rig()
    await rig.send(*(msg(-5) for _ in range(40)))
    times = rig.api.times
    # per chat: never more than 1/s after the burst of 3
    assert times[:4] == pytest.approx([0, 0, 0, 1])
    # per group: any request k goes out no earlier than (k - 5 + 1) * 4 s
    for k, t in enumerate(times):
        assert t >= (k - 4) * 4 - 1e-9
    assert times[-1] == pytest.approx((40 - 5) * 4)


async def test_global_limit_across_many_chats() -> None:
    rig = make_rig()
    await rig.send(*(msg(1000 + i) for i in range(40)))
    expected = [0.0] * 10 + [(k + 1) / 28 for k in range(30)]
    assert rig.api.times == pytest.approx(expected)


async def test_busy_chat_does_not_delay_other_chats() -> None:
    rig = make_rig()
    busy = [msg(1, f"busy{i}") for i in range(60)]
    quiet = [msg(2, "quiet"), msg(-3, "group")]
    await rig.send(*busy, *quiet)
    sent_at = {cast(SendMessage, method).text: t for t, method in rig.api.calls}
    assert sent_at["quiet"] == 0
    assert sent_at["group"] == 0
    assert sent_at["busy59"] == pytest.approx(57)


async def test_interleaved_chats_each_get_their_own_rate() -> None:
    rig = make_rig()
    a = [msg(1, f"a{i}") for i in range(5)]
    b = [msg(2, f"b{i}") for i in range(5)]
    await rig.send(*itertools.chain.from_iterable(zip(a, b, strict=True)))
    sent_at = {cast(SendMessage, method).text: t for t, method in rig.api.calls}
    for prefix in "ab":
        assert [sent_at[f"{prefix}{i}"] for i in range(5)] == pytest.approx([0, 0, 0, 1, 2])


async def test_fifo_within_one_chat_including_late_arrivals() -> None:
    rig = make_rig(PacingLimits(global_rate=2, global_burst=1))
    early = [rig.call(msg(9, f"m{i}")) for i in range(6)]

    async def late() -> Any:
        await rig.time.sleep(0.5)
        return await rig.call(msg(9, "late"))

    await rig.time.run(*early, late())
    assert rig.api.texts == [f"m{i}" for i in range(6)] + ["late"]
    assert rig.api.times == sorted(rig.api.times)
    # the late one queues behind all six, and none overtakes
    assert rig.api.times[-1] == pytest.approx(rig.api.times[-2] + 1)


async def test_username_chat_is_paced_only_globally() -> None:
    rig = make_rig()
    await rig.send(*(msg("@channel") for _ in range(10)))
    assert rig.api.times == [0] * 10

    tight = make_rig(PacingLimits(global_rate=1, global_burst=1))
    await tight.send(*(msg("@channel") for _ in range(3)))
    assert tight.api.times == pytest.approx([0, 1, 2])


PACED: list[Callable[[int], TelegramMethod[Any]]] = [
    lambda c: SendMessage(chat_id=c, text="t"),
    lambda c: SendPhoto(chat_id=c, photo="file-id"),
    lambda c: SendDocument(chat_id=c, document="file-id"),
    lambda c: CopyMessage(chat_id=c, from_chat_id=1, message_id=2),
    lambda c: ForwardMessage(chat_id=c, from_chat_id=1, message_id=2),
    lambda c: EditMessageText(chat_id=c, message_id=1, text="t"),
    lambda c: EditMessageReplyMarkup(chat_id=c, message_id=1),
    lambda c: EditMessageCaption(chat_id=c, message_id=1, caption="c"),
]


@pytest.mark.parametrize("factory", PACED)
async def test_message_methods_are_paced(factory: Callable[[int], TelegramMethod[Any]]) -> None:
    rig = make_rig()
    await rig.send(*(factory(5) for _ in range(4)))
    assert rig.api.times == pytest.approx([0, 0, 0, 1])


async def test_media_group_costs_one_token_per_item() -> None:
    rig = make_rig()
    album = SendMediaGroup(chat_id=5, media=[InputMediaPhoto(media="x") for _ in range(5)])
    await rig.send(album, msg(5))
    # 5 items from a bucket of 3: the album waits 2 s, the next message 1 s more
    assert rig.api.times == pytest.approx([2, 3])


async def test_unpaced_methods_pass_instantly_and_take_no_tokens() -> None:
    rig = make_rig(PacingLimits(chat_burst=1, group_burst=1, global_burst=1))
    other: list[TelegramMethod[Any]] = []
    for i in range(50):
        other += [
            AnswerCallbackQuery(callback_query_id=str(i)),
            DeleteMessage(chat_id=-5, message_id=i),
            GetChatMember(chat_id=-5, user_id=i),
        ]
    await rig.send(*other)
    assert rig.api.times == [0] * 150
    assert rig.time.sleeps == []
    await rig.send(msg(-5))  # all buckets still full
    assert rig.api.times[-1] == 0


async def test_limits_off_disables_pacing() -> None:
    rig = make_rig(PacingLimits.off())
    await rig.send(*(msg(-5) for _ in range(100)))
    assert rig.api.times == [0] * 100
    assert rig.io.tracked_buckets == 0


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="chat_rate"):
        PacingLimits(chat_rate=0)
    with pytest.raises(ValueError, match="group_burst"):
        PacingLimits(group_burst=0)


async def test_idle_buckets_are_dropped_and_busy_ones_kept() -> None:
    rig = make_rig(PacingLimits(global_burst=28), sweep_every=60)  # the 20 go at once
    await rig.send(*(msg(10_000 + i) for i in range(20)))
    assert rig.io.tracked_buckets == 20
    seen: dict[str, int] = {}

    async def later() -> None:
        await rig.time.sleep(61)
        seen["before"] = rig.io.tracked_buckets
        await rig.call(msg(1, "trigger"))  # first paced call after 60 s sweeps
        seen["after"] = rig.io.tracked_buckets
        await rig.call(msg(-7, "late"))

    group = [rig.call(msg(-7, f"g{i}")) for i in range(60)]
    await rig.time.run(*group, later())
    # 20 idle private chats + chat -7 (its 60 messages passed the chat stage by t=57)
    assert seen["before"] == 20 + 2
    # left: group -7 (busy until t=220) and the new chat 1
    assert seen["after"] == 2
    # the kept group bucket still queues the late message behind the 60 others
    sent_at = {cast(SendMessage, method).text: t for t, method in rig.api.calls}
    assert sent_at["g59"] == pytest.approx((60 - 5) * 4)
    assert sent_at["late"] == pytest.approx((61 - 5) * 4)


# --- retry-after ------------------------------------------------------------------------------


async def test_retry_after_waits_exactly_then_succeeds(caplog: pytest.LogCaptureFixture) -> None:
    rig = make_rig(PacingLimits.off())
    method = msg(3)
    rig.api.errors = [retry_after(method, 5), retry_after(method, 2)]
    with caplog.at_level(logging.WARNING, logger="bot.telegram.pacing"):
        result = await rig.send(method)
    assert result == ["ok"]
    assert rig.api.times == [0, 5, 7]
    assert rig.time.sleeps == [5, 2]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


async def test_retry_after_gives_up_after_max_retries(caplog: pytest.LogCaptureFixture) -> None:
    rig = make_rig(PacingLimits.off(), max_retries=3)
    method = msg(3)
    errors = [retry_after(method, 4) for _ in range(4)]
    rig.api.errors = list(errors)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.pacing"):
        [result] = await rig.send(method)
    assert result is errors[-1]
    assert rig.api.times == [0, 4, 8, 12]
    assert rig.time.sleeps == [4, 4, 4]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 4


async def test_retry_after_longer_than_allowed_is_reraised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rig = make_rig(PacingLimits.off(), max_retry_after=30)
    method = msg(3)
    error = retry_after(method, 31)
    rig.api.errors = [error]
    with caplog.at_level(logging.WARNING, logger="bot.telegram.pacing"):
        [result] = await rig.send(method)
    assert result is error
    assert len(rig.api.calls) == 1
    assert rig.time.sleeps == []
    assert any("giving up" in r.getMessage() for r in caplog.records)


async def test_retry_after_equal_to_the_maximum_is_waited() -> None:
    rig = make_rig(PacingLimits.off(), max_retry_after=30)
    method = msg(3)
    rig.api.errors = [retry_after(method, 30)]
    assert await rig.send(method) == ["ok"]
    assert rig.api.times == [0, 30]


async def test_retry_after_applies_to_unpaced_methods_too() -> None:
    rig = make_rig()
    method = AnswerCallbackQuery(callback_query_id="q")
    rig.api.errors = [retry_after(method, 1)]
    assert await rig.send(method) == ["ok"]
    assert rig.api.times == [0, 1]


# --- blocked users ----------------------------------------------------------------------------


@dataclass
class BlockedLog:
    ids: list[int] = field(default_factory=list)
    fail: bool = False

    async def __call__(self, chat_id: int) -> None:
        self.ids.append(chat_id)
        if self.fail:
            raise RuntimeError("database is down")


@pytest.mark.parametrize(
    "text",
    ["Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"],
)
async def test_blocked_user_is_reported_and_error_reraised(text: str) -> None:
    blocked = BlockedLog()
    rig = make_rig(on_blocked=blocked)
    method = msg(42)
    error = forbidden(method, text)
    rig.api.errors = [error]
    [result] = await rig.send(method)
    assert result is error
    assert blocked.ids == [42]
    assert len(rig.api.calls) == 1


@pytest.mark.parametrize(
    ("chat_id", "text"),
    [
        (-100, "Forbidden: bot was kicked from the group chat"),
        (-100, "Forbidden: bot was blocked by the user"),
        (42, "Forbidden: bot can't initiate conversation with a user"),
        ("@someone", "Forbidden: bot was blocked by the user"),
    ],
)
async def test_other_forbidden_errors_do_not_mark_blocked(chat_id: int | str, text: str) -> None:
    blocked = BlockedLog()
    rig = make_rig(on_blocked=blocked)
    method = msg(chat_id)
    error = forbidden(method, text)
    rig.api.errors = [error]
    [result] = await rig.send(method)
    assert result is error
    assert blocked.ids == []


async def test_failing_on_blocked_is_logged_and_original_error_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocked = BlockedLog(fail=True)
    rig = make_rig(on_blocked=blocked)
    method = msg(42)
    error = forbidden(method, "Forbidden: bot was blocked by the user")
    rig.api.errors = [error]
    with caplog.at_level(logging.ERROR, logger="bot.telegram.pacing"):
        [result] = await rig.send(method)
    assert result is error
    assert blocked.ids == [42]
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_blocked_without_callback_still_reraises() -> None:
    rig = make_rig()
    method = msg(42)
    error = forbidden(method, "Forbidden: bot was blocked by the user")
    rig.api.errors = [error]
    with pytest.raises(TelegramForbiddenError):
        await rig.call(method)


async def test_registers_as_bot_session_middleware() -> None:
    bot = Bot("42:TEST")
    try:
        io = TelegramIO()
        bot.session.middleware(io)
        assert list(bot.session.middleware) == [io]
    finally:
        await bot.session.close()
