"""A small async client of the Facebook Graph API, for publishing to a Page.

What it follows (developers.facebook.com/docs):
- graph-api/reference/page/feed: ``POST /{page-id}/feed`` with ``message`` and/or
  ``attached_media[n]={"media_fbid": ...}``; answers ``{"id": "<page>_<post>"}``.
- graph-api/reference/page/photos: ``POST /{page-id}/photos`` with ``source`` (multipart bytes)
  or ``url``, ``caption``, ``published=false`` for an upload that a feed post attaches later;
  answers ``{"id", "post_id"}``.
- graph-api/reference/page/videos and video-api/guides/publishing (non-resumable upload):
  ``POST /{page-id}/videos`` with ``source`` and ``description``; answers ``{"id"}``.
- graph-api/reference/post: ``GET /{post-id}?fields=permalink_url``, ``POST /{post-id}`` with
  ``message`` edits, ``DELETE /{post-id}`` deletes; both answer ``{"success": true}``.
- graph-api/guides/error-handling: ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``; 190 expired or revoked token, 1/2 transient, 4/17/32/613 throttling,
  10 and 200-299 permissions, 368 temporarily blocked for policy.

The page token goes in the ``Authorization`` header, never in a URL, so no error text or log
line can carry it. Bytes are uploaded as multipart from the bot's own media store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.runtime.media import MediaFile

_NEVER_LEFT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)
TIMEOUT, UPLOAD_TIMEOUT = 20.0, 120.0  # seconds: a call, a call carrying bytes


@dataclass
class GraphError(Exception):
    """The Graph API's own error object, or an HTTP status without one."""

    status: int
    code: int | None
    subcode: int | None
    message: str
    kind: str = ""  # the error's "type", e.g. OAuthException
    fbtrace_id: str = ""

    def __str__(self) -> str:
        code = f"#{self.code}" + (f"/{self.subcode}" if self.subcode else "")
        return f"Graph API {code} (HTTP {self.status}): {self.message}"[:300]


class GraphNetworkError(Exception):
    """No answer. ``maybe_delivered`` is False only when the request provably never left."""

    def __init__(self, detail: str, *, maybe_delivered: bool) -> None:
        super().__init__(detail)
        self.maybe_delivered = maybe_delivered


Field = str | MediaFile


class GraphClient:
    def __init__(self, base: str, *, timeout: float = TIMEOUT) -> None:
        self._base, self.timeout = base.rstrip("/"), timeout
        self._session: aiohttp.ClientSession | None = None

    async def call(
        self, method: str, path: str, token: str, fields: dict[str, Field] | None = None
    ) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        fields = fields or {}
        uploads = any(isinstance(v, MediaFile) for v in fields.values())
        total = UPLOAD_TIMEOUT if uploads else self.timeout
        timeout = aiohttp.ClientTimeout(total=total, connect=min(10.0, total / 2))
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{self._base}/{path.lstrip('/')}"
        failure: GraphNetworkError
        try:
            async with self._session.request(
                method, url, data=_form(fields) if fields else None, headers=headers,
                timeout=timeout,
            ) as response:  # fmt: skip
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            left = method != "GET" and not isinstance(error, _NEVER_LEFT)
            failure = GraphNetworkError(detail.replace(token, "<token>"), maybe_delivered=left)
        else:
            return _result(status, body)
        raise failure  # outside the except: no chained exception

    async def page(self, page_id: str, token: str) -> dict[str, Any]:
        """Proves a page token works for this page: ``GET /{page-id}?fields=id,name``."""
        return await self.call("GET", f"{page_id}?fields=id,name", token)

    async def feed(self, page_id: str, token: str, message: str, attach: list[str]) -> str:
        fields: dict[str, Field] = {"message": message}
        for n, fbid in enumerate(attach):
            fields[f"attached_media[{n}]"] = json.dumps({"media_fbid": fbid})
        return str((await self.call("POST", f"{page_id}/feed", token, fields))["id"])

    async def photo(
        self, page_id: str, token: str, file: MediaFile, *, caption: str | None
    ) -> dict[str, Any]:
        """One photo: published with its caption, or (``caption`` None) uploaded unpublished
        for a feed post to attach."""
        fields: dict[str, Field] = {"source": file}
        if caption is None:
            fields["published"] = "false"
        else:
            fields["caption"] = caption
        return await self.call("POST", f"{page_id}/photos", token, fields)

    async def video(self, page_id: str, token: str, file: MediaFile, description: str) -> str:
        fields: dict[str, Field] = {"source": file, "description": description}
        return str((await self.call("POST", f"{page_id}/videos", token, fields))["id"])

    async def permalink(self, object_id: str, token: str) -> str | None:
        found = await self.call("GET", f"{object_id}?fields=permalink_url", token)
        link = found.get("permalink_url")
        return str(link) if link else None

    async def edit(self, post_id: str, token: str, message: str) -> None:
        await self.call("POST", post_id, token, {"message": message})

    async def delete(self, post_id: str, token: str) -> None:
        await self.call("DELETE", post_id, token)

    def relative(self, url: str) -> str | None:
        """A ``paging.next`` address as a path of this client's base; None when it points
        anywhere else (the token is never sent outside the Graph API's base)."""
        prefix = self._base + "/"
        return url[len(prefix) :] if url.startswith(prefix) else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _form(fields: dict[str, Field]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in fields.items():
        if isinstance(value, MediaFile):
            form.add_field(name, value.data, filename=value.name, content_type=value.mime)
        else:
            form.add_field(name, value)
    return form


def _result(status: int, body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        code, sub = error.get("code"), error.get("error_subcode")
        raise GraphError(
            status,
            code if isinstance(code, int) else None,
            sub if isinstance(sub, int) else None,
            str(error.get("message") or f"HTTP {status}")[:200],
            str(error.get("type") or ""),
            str(error.get("fbtrace_id") or ""),
        )
    if status >= 400 or not isinstance(answer, dict):
        raise GraphError(status, None, None, f"HTTP {status}, not a Graph API answer")
    return answer
