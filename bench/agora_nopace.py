"""`agora run` with the bot's own pacing switched off: `python -m bench.agora_nopace`.

The same process as `python -m bot run` (same settings, start-up checks, Dispatcher,
middlewares, routers, jobs and outbox), except that `create_app` gets
`pacing=PacingLimits.off()`, as bench/updates.py does in-process: a benchmark of processing
then measures the bot, not Telegram's flood limits (1 message per second per private chat).
Used by bench/fair.py; retry-after handling and everything else stay as in production.
"""

from __future__ import annotations

import sys
from typing import Any

import bot.app
from bot.__main__ import main
from bot.config import Settings
from bot.telegram.pacing import PacingLimits

_create_app = bot.app.create_app


async def create_app_without_pacing(settings: Settings, **kwargs: Any) -> bot.app.App:
    kwargs.setdefault("pacing", PacingLimits.off())
    return await _create_app(settings, **kwargs)


if __name__ == "__main__":
    bot.app.create_app = create_app_without_pacing  # type: ignore[assignment]
    sys.exit(main(["run", *sys.argv[1:]]))
