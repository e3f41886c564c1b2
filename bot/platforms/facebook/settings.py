"""Facebook Pages' variables (``FACEBOOK_*``), composed into the one ``bot.settings.Settings``.
A leaf module: it imports nothing of the bot."""

from __future__ import annotations

from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, SecretStr, field_validator
from pydantic_settings import NoDecode

GRAPH_BASE = "https://graph.facebook.com/v26.0"  # the version the Graph API docs show today


def _parse_page_tokens(value: object) -> object:
    """``FACEBOOK_PAGE_TOKENS``: ``<page_id>:<page access token>``, comma-separated. A wrong
    entry is named by its position only: it may hold a token."""
    if not isinstance(value, str):
        return value
    tokens: dict[str, str] = {}
    for n, part in enumerate((p.strip() for p in value.split(",") if p.strip()), start=1):
        page, sep, token = (side.strip() for side in part.partition(":"))
        if not sep or not page.isdigit() or not token or page in tokens:
            raise ValueError(f"facebook/tokens_format|{n}")
        tokens[page] = token
    return tokens


class FacebookSettings(BaseModel):
    facebook_page_tokens: Annotated[dict[str, SecretStr], NoDecode] = {}  # page id → token
    facebook_graph_base: AnyHttpUrl = AnyHttpUrl(GRAPH_BASE)

    _facebook_pages = field_validator("facebook_page_tokens", mode="before")(_parse_page_tokens)
