"""Webhook mode: the fake Telegram posts updates with the secret; /healthz reports the backends."""

from __future__ import annotations

import dataclasses

import aiohttp
import pytest

from bot.sandbox.harness import Sandbox
from tests.e2e.conftest import Backend, check_world
from tests.e2e.flows import TEST_FEATURES


@pytest.fixture
async def webhook_box(backend: Backend) -> Sandbox:  # type: ignore[misc]
    async with Sandbox(
        database_url=backend.database_url, redis_url=backend.redis_url, features=TEST_FEATURES
    ) as box:
        await box.start("webhook")
        yield box
        check_world(box.world)


async def test_flow_through_the_webhook(webhook_box: Sandbox) -> None:
    world = webhook_box.world
    assert world.webhook is not None
    assert world.webhook.secret_token == "sandbox-secret"
    alice = world.user("Alice")
    reply = await alice.send("/start")
    assert "Hello, <b>Alice</b>" in reply.last.html
    await alice.send("/survey")
    await alice.send("Alice")
    await webhook_box.restart()  # another instance takes over the same webhook
    card = await alice.press("Red")
    assert card.last.text == "Name: Alice\nColour: red"


async def test_requests_without_the_secret_are_refused(webhook_box: Sandbox) -> None:
    assert webhook_box.app is not None
    url = str(webhook_box.app.settings.webhook_url)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1, "type": "private"},
            "text": "/start",
        },
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update) as response:
            assert response.status == 401
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with http.post(url, json=update, headers=headers) as response:
            assert response.status == 401


async def test_healthz_reports_database_and_fsm(
    webhook_box: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = webhook_box.app
    assert app is not None
    base = str(app.settings.webhook_url).rsplit("/telegram/webhook", 1)[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"ok": True, "database": True, "fsm": True}

        async def unreachable() -> None:
            raise ConnectionError("storage is down")

        monkeypatch.setattr(app, "fsm", dataclasses.replace(app.fsm, ping=unreachable))
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert await response.json() == {"ok": False, "database": True, "fsm": False}
