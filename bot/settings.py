"""Deployment settings from the environment (and ``.env``), validated once at start-up.

Each platform validates its own settings (``check`` in ``bot/platforms/<name>/``), called from
here through the registry; every ``SecretStr`` found in the model is redacted from the logs
(``secret_values``), so a new secret needs no list kept by hand."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    Field,
    SecretBytes,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.platforms.facebook.settings import FacebookSettings
from bot.platforms.telegram.settings import TelegramSettings
from bot.platforms.wordpress.settings import WordPressSettings
from bot.platforms.zalo.settings import ZaloSettings
from bot.platforms.zalo_oa.settings import ZaloOASettings

ROOT = Path(__file__).resolve().parents[1]


class PlatformId(BaseModel):
    """``<platform>:<id>``: one account or chat on one platform, named as in the registry."""

    platform: str
    id: str

    @field_validator("platform")
    @classmethod
    def _known(cls, value: str) -> str:
        from bot.platforms.registry import served_names  # the rows import these settings

        names = served_names()
        if value not in names:  # the words pydantic gave when the names were a Literal
            listed = [repr(name) for name in names]
            raise ValueError(f"Input should be {', '.join(listed[:-1])} or {listed[-1]}")
        return value

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"


def _parse_ids(value: object) -> object:
    if not isinstance(value, str):
        return value
    items = []
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        platform, sep, ident = part.partition(":")
        if not sep or not ident.strip():
            raise ValueError(f"ids_format|{part}")
        items.append({"platform": platform.strip().lower(), "id": ident.strip()})
    return items


IdList = Annotated[list[PlatformId], NoDecode]


HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?")


def _parse_allow_hosts(value: object) -> object:
    """``MEDIA_FETCH_ALLOW_HOSTS``: host names or IP networks, comma-separated."""
    if not isinstance(value, str):
        return value
    entries = [part.strip().lower() for part in value.split(",") if part.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if not HOST_NAME.fullmatch(entry):
                raise ValueError(f"allow_hosts_format|{entry}") from None
    return entries


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(
    # Each platform's own variables, next to it (``bot/platforms/<name>/settings.py``, leaf
    # modules); ``tests/test_registry.py`` checks that every row's ``settings_model`` is here.
    TelegramSettings,
    ZaloSettings,
    ZaloOASettings,
    FacebookSettings,
    WordPressSettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'data' / 'tintot.db'}")
    editor_chat_id: int | None = None
    publish_targets: IdList = []
    admin_ids: IdList = []
    editor_ids: IdList = []
    org_config: Path = ROOT / "config" / "org.example.toml"
    timezone: str = "Asia/Ho_Chi_Minh"
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # The web archive and board: the webhooks' server, unless set (0: any free port).
    web_host: str | None = None
    web_port: int | None = Field(default=None, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    outbox_lease_seconds: int = Field(default=60, ge=5, le=3600)
    draft_retention_days: int = Field(default=30, ge=1, le=3650)
    # The media store's directory with SQLite (PostgreSQL keeps the bytes in the database);
    # unset: ``media/`` beside the database file, i.e. under data/ by default.
    media_dir: Path | None = None
    # Hosts or IP networks a URL from a message (a Zalo photo) may reach although private or
    # over http: a local test server, a proxy. Empty: public https addresses only.
    media_fetch_allow_hosts: Annotated[list[str], NoDecode] = []
    # https base people and platforms reach: stored media under /media/, the board's links.
    public_base_url: AnyHttpUrl | None = None
    # The office's board (/web, /quantri): with PUBLIC_BASE_URL, or the board is off.
    web_secret: SecretStr | None = Field(default=None, min_length=32)
    # The daily backup (bot/backup/): on when BACKUP_DIR is set, at BACKUP_AT (TIMEZONE),
    # keeping the newest BACKUP_KEEP files there. ``python -m bot backup`` writes there too.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1, le=3650)
    backup_at: str = "02:30"
    # Bearer token of GET /metrics (Prometheus); unset: /metrics answers 404.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)

    _ids = field_validator("publish_targets", "admin_ids", "editor_ids", mode="before")(_parse_ids)
    _fetch = field_validator("media_fetch_allow_hosts", mode="before")(_parse_allow_hosts)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("db_driver|")
        return value

    @field_validator(
        "media_dir",
        "backup_dir",
        "public_base_url",
        "web_secret",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # ``MEDIA_DIR=`` in a deployment's env file means "not set", never an empty value
        # (each platform's settings model does the same for its own variables).
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_base_url")
    @classmethod
    def _https_base(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        # Sign-in links, session cookies and members' photos travel to this address: plain
        # http only to this very machine (a test, a local proxy).
        if value is not None and value.scheme != "https" and not _loopback(value.host or ""):
            raise ValueError(f"base_not_https|{value}")
        return value

    @field_validator("org_config")
    @classmethod
    def _org_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"file_missing|{value}")
        return value

    @field_validator("backup_at")
    @classmethod
    def _hour_minute(cls, value: str) -> str:
        hour, sep, minute = value.strip().partition(":")
        ok = sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
        if not ok or not (int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"hour_minute|{value}")
        return f"{int(hour):02d}:{minute}"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone_unknown|{value}") from exc
        return value

    @model_validator(mode="after")
    def _platforms(self) -> Self:
        from bot.platforms.registry import PLATFORMS  # the rows import these settings

        for platform in PLATFORMS:
            platform.check(self)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def secret_values(model: BaseModel) -> list[str]:
    """Every secret set in ``model``, found by walking its fields (models, lists, dicts and
    tuples of secrets included, e.g. page tokens by page), longest first."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.add(value.get_secret_value())
        elif isinstance(value, SecretBytes):
            found.add(value.get_secret_value().decode(errors="replace"))
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(item)

    walk(model)
    return sorted((s for s in found if s), key=len, reverse=True)


def describe_error(error: ValidationError) -> tuple[str, str, str]:
    """The first wrong variable's name, what is wrong (a key of templates/cli/config_error.j2,
    or pydantic's own words for a type error) and the value it is about."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"]:  # a platform's check: "VARIABLE|key|value"
        name, _, message = message.partition("|")
    else:
        name = str(first["loc"][0]).upper()
    key, sep, value = message.partition("|")
    return (name, key, value) if sep else (name, "other", message)
