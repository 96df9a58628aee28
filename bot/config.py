"""Settings: every environment key the bot reads, validated in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
DATABASE_SCHEMES = ("postgresql+asyncpg", "sqlite+aiosqlite")
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Keys `agora sandbox` sets itself (its throw-away database, the fake Telegram, its own
#: community): whatever is configured for them is never read there.
SANDBOX_OWN_SETTINGS = frozenset(
    {
        "bot_token",
        "bot_api_url",
        "database_url",
        "redis_url",
        "webhook_url",
        "webhook_secret",
        "webhook_host",
        "webhook_port",
        "health_host",
        "health_port",
        "admin_ids",
        "community_chat_id",
        "intro_topic_id",
        "announcements_topic_id",
        "content_topic_id",
        "readonly_topic_ids",
        "discussion_topic_id",
        "coffee_topic_id",
        "admin_chat_id",
        "community_invite_link",
    }
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKLY_RE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)\w*\s+([01]?\d|2[0-3]):([0-5]\d)$", re.I)


@dataclass(frozen=True)
class WeeklyTime:
    """A day of the week and a time of day (in the community's time zone)."""

    weekday: int  # 0 Monday … 6 Sunday
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> WeeklyTime:
        match = WEEKLY_RE.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a day and a time such as 'Mon 10:00'")
        day, hour, minute = match.groups()
        return cls(WEEKDAYS.index(day[:3].lower()), int(hour), int(minute))


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the key."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    # Telegram
    bot_token: SecretStr | None = None
    bot_api_url: AnyHttpUrl | None = None
    # Storage
    database_url: str = "sqlite+aiosqlite:///./data/agora.db"
    redis_url: str | None = None
    fsm_ttl_seconds: int = Field(default=86400, ge=60)
    # Community
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    community_chat_id: int | None = None
    intro_topic_id: int | None = None
    # A member who leaves the community chat (or is removed): their intro card is removed or kept.
    intro_card_of_leavers: Literal["remove", "keep"] = "remove"
    announcements_topic_id: int | None = None
    content_topic_id: int | None = None
    community_timezone: str = "UTC"
    default_locale: Literal["en", "ru"] = "en"
    # t.me link that lets a newcomer join the community chat (shown to non-members on /start)
    community_invite_link: str | None = None
    # Topics where only admins and the bot post; replies there move to the discussion topic
    readonly_topic_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    discussion_topic_id: int | None = None
    # Remove "X joined" / "X left" service messages from the community chat
    remove_service_messages: bool = False
    # A chat that receives /feedback as well as the admins' private chats
    admin_chat_id: int | None = None
    # Random Coffee: the weekly poll and the pairing (community time zone); off when unset
    coffee_poll_at: str | None = None
    coffee_pairs_at: str | None = None
    coffee_topic_id: int | None = None
    coffee_avoid_weeks: int = Field(default=4, ge=0, le=52)
    # Webhook
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # The health server of polling mode and of `agora worker` (GET /healthz, GET /metrics);
    # in webhook mode both are served by the webhook server. Port 0 switches it off.
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=8081, ge=0, le=65535)
    # Operations
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # "json": one JSON object per line (for log collectors); "text": for people.
    log_format: Literal["text", "json"] = "text"

    @field_validator(
        "bot_token",
        "bot_api_url",
        "redis_url",
        "community_chat_id",
        "intro_topic_id",
        "announcements_topic_id",
        "content_topic_id",
        "community_invite_link",
        "discussion_topic_id",
        "admin_chat_id",
        "coffee_poll_at",
        "coffee_pairs_at",
        "coffee_topic_id",
        "webhook_url",
        "webhook_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_RE.match(value.get_secret_value().strip()):
            # Never echo the token back.
            raise ValueError("does not look like a bot token (digits, a colon, then the secret)")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        value = value.strip()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in DATABASE_SCHEMES:
            raise ValueError(
                f"must start with one of {', '.join(s + '://' for s in DATABASE_SCHEMES)}"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in REDIS_SCHEMES or len(value) <= len(scheme) + 3:
            raise ValueError("must be a URL like redis://host:6379/0")
        return value

    @field_validator("admin_ids", "readonly_topic_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object, info: ValidationInfo) -> object:
        what = "Telegram user id" if info.field_name == "admin_ids" else "topic id"
        if isinstance(value, str):
            items = [item for item in re.split(r"[,\s]+", value.strip()) if item]
            ids = []
            for item in items:
                if not re.fullmatch(r"-?\d+", item):
                    raise ValueError(f"{item!r} is not a {what} (comma-separated integers)")
                ids.append(int(item))
            return frozenset(ids)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("community_invite_link")
    @classmethod
    def _check_invite_link(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://t\.me/\S+$", value.strip()):
            raise ValueError("must be a Telegram link such as https://t.me/+AbCdEf")
        return value.strip() if value is not None else None

    @field_validator("coffee_poll_at", "coffee_pairs_at")
    @classmethod
    def _check_weekly(cls, value: str | None) -> str | None:
        if value is not None:
            WeeklyTime.parse(value)
        return value

    @property
    def coffee_poll_time(self) -> WeeklyTime | None:
        """When the weekly coffee poll opens; None: Random Coffee is off."""
        return WeeklyTime.parse(self.coffee_poll_at) if self.coffee_poll_at else None

    @property
    def coffee_pairs_time(self) -> WeeklyTime | None:
        """When the poll closes and the pairs are made (default: two days after the poll)."""
        if self.coffee_pairs_at:
            return WeeklyTime.parse(self.coffee_pairs_at)
        poll = self.coffee_poll_time
        return WeeklyTime((poll.weekday + 2) % 7, poll.hour, poll.minute) if poll else None

    @field_validator("community_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.community_timezone)

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN: missing (get one from @BotFather and put it in .env)")
        return self.bot_token.get_secret_value().strip()

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1]
        return None if path in {"", ":memory:"} else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Read Settings from the environment and .env; raise ConfigError naming the bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]).upper() if first["loc"] else "?"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] in {"missing"}:
            message = "missing"
        raise ConfigError(f"{key}: {message}") from None
