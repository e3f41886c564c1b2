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

ROOT = Path(__file__).resolve().parents[1]
Platform = Literal["telegram", "zalo", "facebook", "wordpress"]
GRAPH_BASE = "https://graph.facebook.com/v26.0"  # the version the Graph API docs show today


class PlatformId(BaseModel):
    """``telegram:123`` or ``zalo:abc``: one account or chat on one platform."""

    platform: Platform
    id: str

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


def _parse_page_tokens(value: object) -> object:
    """``FACEBOOK_PAGE_TOKENS``: ``<page_id>:<page access token>``, comma-separated. A wrong
    entry is named by its position only: it may hold a token."""
    if not isinstance(value, str):
        return value
    tokens: dict[str, str] = {}
    for n, part in enumerate((p.strip() for p in value.split(",") if p.strip()), start=1):
        page, sep, token = (side.strip() for side in part.partition(":"))
        if not sep or not page.isdigit() or not token or page in tokens:
            raise ValueError(f"facebook_tokens_format|{n}")
        tokens[page] = token
    return tokens


class WordPressLogin(BaseModel):
    """``user:application password`` of one WordPress site; the password is a secret."""

    user: str
    password: SecretStr


def _parse_named(value: object) -> object:
    """``name=value,name2=value2`` → a dict; a part without ``=`` is refused by name."""
    if not isinstance(value, str):
        return value
    found: dict[str, str] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        name, sep, item = part.partition("=")
        if not sep or not name.strip() or not item.strip():
            raise ValueError(f"named_format|{part.strip().partition('=')[0]}")
        found[name.strip()] = item.strip()
    return found


def _parse_logins(value: object) -> object:
    """``name=user:application password,…``; a wrong part is named by its site only, so the
    one line printed at start never shows a password."""
    if not isinstance(value, str):
        return value
    logins: dict[str, object] = {}
    for part in value.split(","):
        if not part.strip():
            continue
        name, sep, login = part.partition("=")
        user, colon, password = login.partition(":")
        if not (sep and name.strip() and user.strip() and colon and password.strip()):
            raise ValueError(f"wordpress_login|{name.strip() if sep else '?'}")
        logins[name.strip()] = {"user": user.strip(), "password": password.strip()}
    return logins


Named = Annotated[dict[str, str], NoDecode]
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'data' / 'tintot.db'}")
    telegram_bot_token: SecretStr | None = None
    telegram_api_base: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    telegram_webhook_url: AnyHttpUrl | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_max_connections: int = Field(default=40, ge=1, le=100)
    # Seconds between two messages into one private chat: Telegram asks for at most one a
    # second. Only tests that do not look at pacing set less.
    telegram_chat_pace: float = Field(default=1.0, ge=0.0, le=60.0)
    # BENCH ONLY (bench/flow.py's engine throughput): every send limiter off. Refused unless
    # the Bot API is on this machine (the fake server), so it can never reach Telegram.
    bench_no_limits: bool = False
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: AnyHttpUrl = AnyHttpUrl("https://bot-api.zaloplatforms.com")
    zalo_webhook_url: AnyHttpUrl | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_monthly_message_budget: int | None = Field(default=None, ge=1)  # warn admins at 80%
    facebook_page_tokens: Annotated[dict[str, SecretStr], NoDecode] = {}  # page id → token
    facebook_graph_base: AnyHttpUrl = AnyHttpUrl(GRAPH_BASE)
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
    # WordPress sites by name (``wordpress:<name>`` in PUBLISH_TARGETS): base URL, login, and
    # whether posts go out at once or wait as drafts for the site's own editor.
    wordpress_sites: Named = {}
    wordpress_credentials: Annotated[dict[str, WordPressLogin], NoDecode] = {}
    wordpress_timeout_seconds: float = Field(default=60, gt=0, le=600)
    wordpress_status: Annotated[dict[str, Literal["publish", "draft"]], NoDecode] = {}
    # The daily backup (bot/backup/): on when BACKUP_DIR is set, at BACKUP_AT (TIMEZONE),
    # keeping the newest BACKUP_KEEP files there. ``python -m bot backup`` writes there too.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1, le=3650)
    backup_at: str = "02:30"
    # Bearer token of GET /metrics (Prometheus); unset: /metrics answers 404.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)

    _ids = field_validator("publish_targets", "admin_ids", "editor_ids", mode="before")(_parse_ids)
    _pages = field_validator("facebook_page_tokens", mode="before")(_parse_page_tokens)
    _named = field_validator("wordpress_sites", "wordpress_status", mode="before")(_parse_named)
    _logins = field_validator("wordpress_credentials", mode="before")(_parse_logins)
    _fetch = field_validator("media_fetch_allow_hosts", mode="before")(_parse_allow_hosts)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("db_driver|")
        return value

    @field_validator(
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "zalo_bot_token",
        "zalo_webhook_url",
        "zalo_webhook_secret",
        "media_dir",
        "backup_dir",
        "public_base_url",
        "web_secret",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # ``ZALO_WEBHOOK_SECRET=`` in a deployment's env file means "not set": a webhook URL
        # then needs a real secret (the platform's check says so), never an empty one.
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
        from bot.platforms.registry import PLATFORMS  # the platforms import these settings

        for platform in PLATFORMS:
            platform.check(self)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def problem(variable: str, key: str, value: str = "") -> ValueError:
    """A wrong setting found by a check spanning several fields (a platform's): pydantic gives
    such errors no field, so the variable travels in the message, read by ``describe_error``."""
    return ValueError(f"{variable}|{key}|{value}")


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
