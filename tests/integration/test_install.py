"""A regular (non-editable) install works from any folder: migrate, run and sandbox."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.db.migrate import alembic_config
from bot.sandbox import FakeTelegram, World
from tests.cli import ROOT, AgoraRun, clean_env, greeted, run_agora

pytestmark = pytest.mark.install

# What a build never needs (and the repository's own copy of the package must not be at hand).
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "data", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".env",
    "tests", "bench",
)  # fmt: skip


def pip(*args: str | Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *map(str, args)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with Agora installed from a wheel built from a copy of the sources;
    its dependencies are this environment's (a .pth file), so no index is needed."""
    setuptools = int(metadata.version("setuptools").split(".")[0])
    assert setuptools >= 77, "setuptools>=77 builds the wheel: pip install -e '.[dev]' again"
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", base / "wheels", source)
    (wheel,) = (base / "wheels").glob("agora-*.whl")
    shutil.rmtree(source)  # nothing but the installed copy can be imported from now on
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # After the venv's own site-packages on sys.path, so the installed copy of `bot` comes
    # first; .pth files in that folder (our editable install's finder) are not run.
    Path(site, "agora_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip("--python", python, "install", "--no-deps", "--no-index", "--ignore-installed", wheel)
    return Path(site)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder with nothing of Agora in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def agora(site: Path) -> list[str]:
    return [str(site.parents[2] / "bin" / "agora")]


async def test_version_names_the_installed_copy(installed: Path, elsewhere: Path) -> None:
    env = clean_env(repo_on_path=False)
    done = await run_agora(["--version"], cwd=elsewhere, env=env, command=agora(installed))
    assert done.returncode == 0, done.output
    assert done.stdout.startswith(f"agora {metadata.version('agora')} from {installed / 'bot'} ")


async def test_migrate_from_another_folder(installed: Path, elsewhere: Path) -> None:
    url = f"sqlite+aiosqlite:///{elsewhere / 'migrated.db'}"
    env = clean_env(repo_on_path=False, DATABASE_URL=url)
    done = await run_agora(["migrate"], cwd=elsewhere, env=env, command=agora(installed))
    assert done.returncode == 0, done.output
    assert done.stdout == "database is up to date\n"
    assert "Traceback" not in done.output
    (head,) = ScriptDirectory.from_config(alembic_config()).get_heads()
    with sqlite3.connect(elsewhere / "migrated.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]


async def test_run_from_another_folder_migrates_sqlite_and_answers(
    installed: Path, elsewhere: Path
) -> None:
    world = World()
    async with FakeTelegram(world) as server:
        env = clean_env(
            repo_on_path=False,
            BOT_TOKEN=world.token,
            BOT_API_URL=server.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{elsewhere / 'agora.db'}",
        )
        async with AgoraRun(world, server, cwd=elsewhere, env=env) as process:
            await process.start(command=agora(installed))
            await greeted(world)
            assert await process.stop() == 0
    log = process.log()
    assert f"starting agora run: agora {metadata.version('agora')} from {installed / 'bot'}" in log
    assert "Running upgrade" in log  # the embedded default migrated itself
    assert "Traceback" not in log


async def test_sandbox_from_another_folder(installed: Path, elsewhere: Path) -> None:
    env = clean_env(repo_on_path=False)
    done = await run_agora(
        ["sandbox"], cwd=elsewhere, env=env, stdin=b"/start\n:quit\n", command=agora(installed)
    )
    assert done.returncode == 0, done.output
    assert "[private] #2 Hello, Alice! I am Agora" in done.stdout
    assert (elsewhere / "data" / "sandbox.db").exists()
