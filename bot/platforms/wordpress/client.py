"""A small async client of one WordPress site's REST API (aiohttp, a timeout on every call).

Followed documentation (developer.wordpress.org/rest-api/):
- authentication: Basic auth (RFC 7617) with an Application Password, over https
  (``using-the-rest-api/authentication/#basic-authentication-with-application-passwords``);
- ``POST /wp-json/wp/v2/media``: the file's bytes as the body, its name in
  ``Content-Disposition: attachment; filename=…`` and its type in ``Content-Type``
  (``reference/media/#create-a-media-item``);
- ``GET/POST /wp-json/wp/v2/tags`` and ``/categories``: ``search``, then create by ``name``;
  an existing name is refused with ``term_exists`` and its ``data.term_id``
  (``reference/tags/``, ``reference/categories/``);
- ``POST /wp-json/wp/v2/posts`` (create), ``POST /posts/<id>`` (update), ``DELETE /posts/<id>``
  without ``force``: moved to the trash (``reference/posts/``);
- errors: ``{"code", "message", "data": {"status"}}`` (``using-the-rest-api/global-parameters``
  and the handbook's error examples), e.g. 401 ``incorrect_password`` or
  ``rest_cannot_create``, 403, 400 ``rest_invalid_param``.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp

from bot.runtime.media import MediaFile


class WordPressError(Exception):
    """The site answered with an error: its HTTP status, ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.term_id: int | None = None


class NeverLeft(Exception):
    """The connection could not be opened: the request never reached the site."""


class WordPressClient:
    def __init__(self, base_url: str, user: str, password: str, *, timeout: float = 60) -> None:
        self.api = base_url.rstrip("/") + "/wp-json/wp/v2"
        login = base64.b64encode(f"{user}:{password}".encode()).decode()  # RFC 7617
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Basic {login}"},
            timeout=aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 10)),
        )

    async def close(self) -> None:
        await self.session.close()

    async def call(self, method: str, path: str, **kw: Any) -> Any:
        """One request; raises ``WordPressError``, ``NeverLeft``, or aiohttp's / a timeout
        (the outcome is then unknown)."""
        try:
            async with self.session.request(method, self.api + path, **kw) as response:
                body = await _json(response)
        except aiohttp.ClientConnectorError as error:
            raise NeverLeft(str(error)) from error
        if response.status >= 400 or not isinstance(body, dict | list):
            error_body = body if isinstance(body, dict) else {}
            retry = response.headers.get("Retry-After", "")
            failure = WordPressError(
                response.status,
                str(error_body.get("code") or "http_error"),
                str(error_body.get("message") or response.reason or "")[:300],
                float(retry) if retry.isdigit() else None,
            )
            data = error_body.get("data")
            if isinstance(data, dict) and isinstance(data.get("term_id"), int):
                failure.term_id = data["term_id"]
            raise failure
        return body

    async def me(self) -> dict[str, Any]:
        """Who the application password signs in as (``GET /users/me``): proves it works."""
        result: dict[str, Any] = await self.call("GET", "/users/me", params={"context": "edit"})
        return result

    async def upload(self, media: MediaFile) -> dict[str, Any]:
        headers = {
            "Content-Type": media.mime,
            "Content-Disposition": f'attachment; filename="{media.name}"',
        }
        result: dict[str, Any] = await self.call("POST", "/media", data=media.data, headers=headers)
        return result

    async def term(self, taxonomy: str, name: str) -> int:
        """The id of the tag or category ``name``, created when missing."""
        found = await self.call("GET", f"/{taxonomy}", params={"search": name, "per_page": 100})
        for item in found if isinstance(found, list) else []:
            if str(item.get("name", "")).casefold() == name.casefold():
                return int(item["id"])
        try:
            created = await self.call("POST", f"/{taxonomy}", json={"name": name})
        except WordPressError as error:  # made meanwhile by someone else
            if error.code == "term_exists" and error.term_id is not None:
                return error.term_id
            raise
        return int(created["id"])

    async def create_post(self, fields: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("POST", "/posts", json=fields)
        return result

    async def update_post(self, post_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("POST", f"/posts/{post_id}", json=fields)
        return result

    async def posts_page(self, *, after: str, page: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the published posts made after ``after`` (ISO 8601), newest first, and
        how many pages there are (``X-WP-TotalPages``; ``reference/posts/#list-posts`` and
        ``using-the-rest-api/pagination``)."""
        params: dict[str, str | int] = {"after": after, "per_page": 100, "page": page}
        try:
            async with self.session.get(self.api + "/posts", params=params) as response:
                body = await _json(response)
                pages = response.headers.get("X-WP-TotalPages", "1")
        except aiohttp.ClientConnectorError as error:
            raise NeverLeft(str(error)) from error
        if response.status >= 400 or not isinstance(body, list):
            found = body if isinstance(body, dict) else {}
            code, message = str(found.get("code") or "http_error"), str(found.get("message") or "")
            raise WordPressError(response.status, code, message[:300])
        items = [item for item in body if isinstance(item, dict)]
        return items, int(pages) if pages.isdigit() else 1

    async def trash_post(self, post_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("DELETE", f"/posts/{post_id}")
        return result


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError, asyncio.IncompleteReadError):
        return None
