"""WordPress sites' variables (``WORDPRESS_*``), composed into the one
``bot.settings.Settings``. A leaf module: it imports nothing of the bot."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import NoDecode


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
            raise ValueError(f"wordpress/login|{name.strip() if sep else '?'}")
        logins[name.strip()] = {"user": user.strip(), "password": password.strip()}
    return logins


Named = Annotated[dict[str, str], NoDecode]


class WordPressSettings(BaseModel):
    # WordPress sites by name (``wordpress:<name>`` in PUBLISH_TARGETS): base URL, login, and
    # whether posts go out at once or wait as drafts for the site's own editor.
    wordpress_sites: Named = {}
    wordpress_credentials: Annotated[dict[str, WordPressLogin], NoDecode] = {}
    wordpress_timeout_seconds: float = Field(default=60, gt=0, le=600)
    wordpress_status: Annotated[dict[str, Literal["publish", "draft"]], NoDecode] = {}

    _wordpress_named = field_validator("wordpress_sites", "wordpress_status", mode="before")(
        _parse_named
    )
    _wordpress_logins = field_validator("wordpress_credentials", mode="before")(_parse_logins)
