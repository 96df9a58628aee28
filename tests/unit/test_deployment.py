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


# Keys of .env that only docker-compose.yml reads (it interpolates them).
COMPOSE_KEYS = ["POSTGRES_PASSWORD"]


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    keys = re.findall(r"^([A-Z_]+)=", text, flags=re.MULTILINE)
    settings = [name.upper() for name in Settings.model_fields]
    assert sorted(keys) == sorted(settings + COMPOSE_KEYS)
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for key in COMPOSE_KEYS:
        assert "${" + key in compose_text, f"{key} is documented but compose does not use it"
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[index - 1].startswith("#"), f"{line} has no comment above it"


def test_dockerfile_runs_as_a_non_root_user() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER agora$", text, flags=re.MULTILINE)
    assert "slim" in text.splitlines()[1]


def test_dockerignore_keeps_the_environment_data_and_secrets_out() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "data", ".env", ".mypy_cache", ".pytest_cache"} <= patterns
    assert {"**/__pycache__", "*.egg-info"} <= patterns


def test_what_the_dockerfile_copies_exists_and_is_not_ignored() -> None:
    """A COPY of a path that moved (the old top-level migrations/) fails the build."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    copies = re.findall(r"^COPY (?!--from)(.+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert copies
    for line in copies:
        *sources, _destination = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert source.rstrip("/") not in ignored, f"COPY {source}: excluded by .dockerignore"


def test_the_developers_alembic_ini_finds_the_packaged_migrations() -> None:
    """README "Adding a feature": `alembic revision --autogenerate` uses alembic.ini."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.db.migrate import MIGRATIONS, alembic_config

    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert Path(script.dir).resolve() == MIGRATIONS == ROOT / "bot" / "migrations"
    assert script.get_heads() == ScriptDirectory.from_config(alembic_config()).get_heads()
