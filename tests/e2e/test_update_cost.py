"""What one update costs: reads and writes of the FSM record, SQL statements, Redis commands.

SQL is counted inside updates only (the jobs of the app run beside them and are left out); Redis
on the FSM's own client, which only updates use. A flow step reads the user's record once (on
Redis together with taking the user's lock) and writes it at most twice (before its reply, and
the new prompt after it); on PostgreSQL + Redis a returning user's step sends no SQL at all and
four Redis commands: lock and read, write, write, unlock. On the embedded default, only the two
writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bot.fsm import FramedStorage
from bot.fsm.frame import current_frame
from tests.e2e.conftest import Backend, Community


@dataclass
class Meter:
    loads: int = 0
    stores: int = 0
    statements: list[str] = field(default_factory=list)
    redis_commands: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.loads, self.stores, self.statements, self.redis_commands = 0, 0, [], []

    @property
    def kinds(self) -> list[str]:
        return [statement.split()[0].upper() for statement in self.statements]


@contextmanager
def metered(community: Community) -> Iterator[Meter]:
    app = community.app
    storage = app.fsm.storage
    assert isinstance(storage, FramedStorage)
    meter = Meter()
    load, store = storage.load, storage.store

    async def counted_load(*args: Any) -> Any:
        meter.loads += 1
        return await load(*args)

    async def counted_store(*args: Any) -> None:
        meter.stores += 1
        await store(*args)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if current_frame() is not None:
            meter.statements.append(statement)

    redis = getattr(storage, "redis", None)
    if redis is not None:
        execute = redis.execute_command

        async def counted_execute(*args: Any, **options: Any) -> Any:
            meter.redis_commands.append(str(args[0]))
            return await execute(*args, **options)

        redis.execute_command = counted_execute
    storage.load, storage.store = counted_load, counted_store  # type: ignore[method-assign]
    event.listen(app.engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield meter
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", on_execute)
        del storage.load, storage.store
        if redis is not None:
            del redis.execute_command


async def test_an_intro_step_reads_the_record_once_and_writes_it_at_most_twice(
    community: Community, backend: Backend
) -> None:
    mia = community.member
    await mia.send("/start")
    with metered(community) as meter:
        await mia.send("Mia")
        assert "What is your last name?" in mia.last_message.text
        assert meter.stores == 2
        if backend.redis_url:
            assert meter.statements == []  # the user is known, the record lives in Redis
            assert meter.loads == 0  # read with the lock
            assert meter.redis_commands == ["EVALSHA", "SET", "SET", "EVALSHA"]
        else:
            # The record comes from the process's cache (the embedded default is one process);
            # one upsert per write, each its own transaction.
            assert meter.loads == 1
            assert meter.kinds == ["INSERT", "INSERT"]

        meter.reset()
        await mia.send("x" * 40)  # too long: the same question again, with one hint
        assert (meter.loads, meter.stores) == (0 if backend.redis_url else 1, 2)


async def test_a_read_only_update_writes_nothing(community: Community, backend: Backend) -> None:
    mia = community.member
    await mia.send("/help")
    with metered(community) as meter:
        await mia.send("/help")
        assert "/intro" in mia.last_message.text
        assert meter.stores == 0
        assert meter.kinds == []
        assert meter.redis_commands == (["EVALSHA", "EVALSHA"] if backend.redis_url else [])
