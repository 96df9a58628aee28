"""The health server of polling mode: /healthz and the Prometheus series on /metrics."""

from __future__ import annotations

import aiohttp

from bot.sandbox.harness import Sandbox, free_port
from tests.e2e.conftest import Backend, check_world


async def test_healthz_and_metrics_after_a_short_flow(backend: Backend) -> None:
    port = free_port()
    async with Sandbox(
        database_url=backend.database_url, redis_url=backend.redis_url, health_port=port
    ) as box:
        await box.start()
        assert box.app is not None
        alice = box.world.user("Alice")
        await alice.send("/start")
        await alice.send("/help")
        await box.app.jobs.run_once("outbox-sender")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"ok": True, "database": True, "fsm": True}
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                text = await response.text()
        check_world(box.world)
    lines = text.splitlines()

    def value(prefix: str) -> float:
        found = [line for line in lines if line.startswith(prefix)]
        assert found, f"no series {prefix!r} in /metrics"
        return float(found[0].rsplit(" ", 1)[1])

    assert value('agora_updates_total{handler="core.cmd_start",outcome="handled"}') >= 1
    assert value('agora_updates_total{handler="core.cmd_help",outcome="handled"}') >= 1
    assert value('agora_update_seconds_count{kind="message"}') >= 2
    assert value('agora_bot_api_calls_total{method="SendMessage",outcome="ok"}') >= 2
    assert value("agora_outbox_pending") == 0
    assert value("agora_outbox_oldest_age_seconds") == 0
    assert value('agora_job_runs_total{job="outbox-sender",outcome="ok"}') >= 1
    assert 'agora_job_seconds_count{job="outbox-sender"}' in text
