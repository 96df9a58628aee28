"""`python -m bench.memory_bot run`: `agora run` for bench/memory.py.

The same process as `python -m bot run` (settings, start-up checks, Dispatcher, middlewares,
routers, jobs, outbox), with two differences for the benchmark:

- `create_app` gets `pacing=PacingLimits.off()`: at the production pace (28 messages a second
  for the whole bot) 100 000 replies would take an hour; what a user leaves behind in memory
  does not depend on how fast the replies went out (pacing keeps no per-chat state once a
  chat's bucket is full again).
- SIGUSR1 runs a full garbage collection and logs one line, `memory-bench: gc ...`, so the
  benchmark can read the RSS after a collection. With `AGORA_BENCH_TRACE=1` in the
  environment each SIGUSR1 also logs the object types whose count grew most since the
  previous one (cheap), and with `AGORA_BENCH_TRACE=2` tracemalloc runs from the start and the
  allocation sites that grew most are logged too (slow): to find what a user leaves behind.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import tracemalloc
from collections import Counter
from types import FrameType
from typing import Any

import bot.app
from bot.__main__ import main
from bot.config import Settings
from bot.telegram.pacing import PacingLimits

GC_DONE = "memory-bench: gc"
TRACE_ENV = "AGORA_BENCH_TRACE"
TRACE_TOP = 25

_snapshot: tracemalloc.Snapshot | None = None
_types: Counter[str] | None = None
_create_app = bot.app.create_app


async def create_app_unpaced(settings: Settings, **kwargs: Any) -> bot.app.App:
    kwargs.setdefault("pacing", PacingLimits.off())
    return await _create_app(settings, **kwargs)


def collect(_signum: int, _frame: FrameType | None) -> None:
    global _snapshot, _types
    log = logging.getLogger("bench")
    found = gc.collect()
    if os.environ.get(TRACE_ENV) in ("1", "2"):
        types = Counter(type(thing).__qualname__ for thing in gc.get_objects())
        if _types is not None:
            grown = types.copy()
            grown.subtract(_types)
            for name, change in grown.most_common(TRACE_TOP):
                if change > 0:
                    log.warning("memory-bench: %+d objects of %s", change, name)
        _types = types
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if _snapshot is not None:
            stats = snapshot.compare_to(_snapshot, "traceback")
            traced = sum(stat.size_diff for stat in stats)
            log.warning("memory-bench: traced Python memory %+.1f KiB", traced / 1024)
            for stat in stats[:TRACE_TOP]:
                # The allocating frame first, then its callers.
                where = " <- ".join(str(frame) for frame in reversed(stat.traceback))
                log.warning(
                    "memory-bench: %+.1f KiB in %+d blocks at %s",
                    stat.size_diff / 1024,
                    stat.count_diff,
                    where,
                )
        _snapshot = snapshot
    log.warning("%s collected %d objects", GC_DONE, found)


if __name__ == "__main__":
    bot.app.create_app = create_app_unpaced
    signal.signal(signal.SIGUSR1, collect)
    if os.environ.get(TRACE_ENV) == "2":
        tracemalloc.start(8)
    sys.exit(main(["run", *sys.argv[2:]]))
