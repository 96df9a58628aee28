"""Deployment files: compose has its four services wired as documented; .env.example is complete."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_has_the_four_services_in_order() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "bot"}
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]
        assert services[name]["volumes"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["bot"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    bot_env = services["bot"]["environment"]
    assert bot_env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot_env["REDIS_URL"].startswith("redis://")


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    keys = re.findall(r"^([A-Z_]+)=", text, flags=re.MULTILINE)
    assert sorted(keys) == sorted(name.upper() for name in Settings.model_fields)
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[index - 1].startswith("#"), f"{line} has no comment above it"


def test_dockerfile_runs_as_a_non_root_user() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER agora$", text, flags=re.MULTILINE)
    assert "slim" in text.splitlines()[1]
