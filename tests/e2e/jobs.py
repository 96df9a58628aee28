"""Running the app's jobs by hand in flow tests."""

from __future__ import annotations

import asyncio

from bot.app import App

# A job that still has due work this long after it was run is stuck: the test fails.
STUCK_SECONDS = 60.0


async def run_jobs(app: App, *names: str) -> None:
    """Run each job, again while it still has work due now, then wait for the outbox.

    A claim skips a row another transaction holds at that moment (the outbox recording a card
    edit, the job's own background loop in another process) rather than waiting for it, so a
    single run may leave a due row behind: it is run again once that transaction is over.
    """
    loop = asyncio.get_running_loop()
    for name in names:
        await app.jobs.run_once(name)
        if app.jobs.jobs[name].until_due is None:
            continue  # it cannot tell: once is what the test asked for
        deadline = loop.time() + STUCK_SECONDS
        while (due := await app.jobs.until_due(name)) is not None and due <= 0:
            assert loop.time() < deadline, f"job {name} still has due work"
            await asyncio.sleep(0.01)  # the holder commits
            await app.jobs.run_once(name)
    await app.sender.wait_settled()  # what the jobs queued is delivered
