"""Settings: defaults, parsing, and one clear line (exit 2) for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
KEYS = [
    "BOT_TOKEN", "BOT_API_URL", "DATABASE_URL", "REDIS_URL", "ADMIN_IDS", "COMMUNITY_CHAT_ID",
    "INTRO_TOPIC_ID", "ANNOUNCEMENTS_TOPIC_ID", "CONTENT_TOPIC_ID", "COMMUNITY_TIMEZONE",
    "FSM_TTL_SECONDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT",
    "LOG_LEVEL", "DEFAULT_LOCALE",
]  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./data/agora.db"
    assert settings.redis_url is None
    assert settings.fsm_ttl_seconds == 86400
    assert settings.community_timezone == "UTC"
    assert settings.admin_ids == frozenset()
    assert settings.bot_token is None


def test_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", "1, 22 ,333")
    monkeypatch.setenv("COMMUNITY_CHAT_ID", "-1001234")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("COMMUNITY_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("WEBHOOK_URL", "")  # empty means unset
    settings = load_settings()
    assert settings.require_token() == TOKEN
    assert settings.admin_ids == {1, 22, 333}
    assert settings.community_chat_id == -1001234
    assert settings.uses_redis
    assert settings.timezone.key == "Europe/Berlin"
    assert settings.webhook_url is None


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=7\n")
    settings = load_settings()
    assert settings.require_token() == TOKEN
    assert settings.admin_ids == {7}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: 'abc' is not a Telegram user id"),
        ("DATABASE_URL", "mysql://localhost/agora", "DATABASE_URL: must start with one of"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: must be a URL like redis://host:6379/0"),
        ("BOT_API_URL", "not a url", "BOT_API_URL: "),
        ("COMMUNITY_CHAT_ID", "minus one", "COMMUNITY_CHAT_ID: "),
        ("COMMUNITY_TIMEZONE", "Mars/Olympus", "COMMUNITY_TIMEZONE: 'Mars/Olympus' is not"),
        ("FSM_TTL_SECONDS", "5", "FSM_TTL_SECONDS: "),
        ("WEBHOOK_PORT", "70000", "WEBHOOK_PORT: "),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: "),
        ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE: "),
    ],
)
def test_malformed_values_name_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_malformed_token_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "secret-but-wrong")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith("BOT_TOKEN: ")
    assert "secret-but-wrong" not in str(error.value)


def test_run_without_token_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "agora: configuration error: BOT_TOKEN: missing "
        "(get one from @BotFather and put it in .env)"
    ]
    assert "Traceback" not in err


def test_bad_value_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", "me")
    assert main(["migrate"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "ADMIN_IDS" in lines[0]
    assert TOKEN not in lines[0]


def test_webhook_needs_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    assert main(["run"]) == 2
    assert "WEBHOOK_SECRET: missing" in capsys.readouterr().err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "sandbox", "worker"):
        assert command in out
