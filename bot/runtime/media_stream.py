"""Sending stored media without holding them in memory: a file (SQLite's store) through
``web.FileResponse`` (sendfile, ``Range``), rows (PostgreSQL's) a slice at a time with the same
``Range`` rules. Either way the ETag is the content's sha256, a strong validator."""

from __future__ import annotations

from pathlib import Path

from aiohttp import ETag, hdrs, web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.web_request import BaseRequest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import media_blobs

CHUNK = 256 * 1024  # one query, one write: what a stream holds at a time


class HashedFile(web.FileResponse):
    """A stored file whose ETag stays its hash (FileResponse would set one from its mtime)."""

    def __init__(self, path: Path, *, sha256: str, headers: dict[str, str]) -> None:
        super().__init__(path, headers=headers)
        self._hash = sha256

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        # Sent inside the handler (while a stream slot is held): the server's own call after
        # the handler returns must not send it again.
        if self.prepared:
            return None
        return await super().prepare(request)

    @property
    def etag(self) -> ETag | None:
        return ETag(value=self._hash)

    @etag.setter
    def etag(self, _: object) -> None:
        self.headers[hdrs.ETAG] = f'"{self._hash}"'


def byte_range(request: web.Request, size: int) -> tuple[int, int] | None:
    """(start, count) of what to send, as ``web.FileResponse`` reads ``Range``; None when
    it cannot be satisfied (416)."""
    try:
        wanted = request.http_range
    except ValueError:
        return None
    start, stop = wanted.start, wanted.stop
    if start is None:
        return 0, size
    if start < 0 and stop is None:  # the last -start bytes
        start = max(size + start, 0)
        return start, size - start
    if start >= size:
        return None
    return start, min(stop if stop is not None else size, size) - start


async def send_rows(
    request: web.Request,
    sessions: async_sessionmaker[AsyncSession],
    *,
    sha256: str,
    headers: dict[str, str],
) -> web.StreamResponse:
    """The bytes of ``sha256`` from PostgreSQL, a slice per query, each in its own short
    session: a slow reader holds no connection of the pool between two slices."""
    async with sessions() as session:
        size = await media_blobs.size(session, sha256=sha256)
    if size is None:
        raise web.HTTPNotFound()
    headers = {**headers, hdrs.ACCEPT_RANGES: "bytes"}
    wanted = byte_range(request, size)
    if wanted is None:
        return web.Response(status=416, headers={**headers, hdrs.CONTENT_RANGE: f"bytes */{size}"})
    start, count = wanted
    response = web.StreamResponse(status=200, headers=headers)
    if request.http_range.start is not None:  # a range asked for: 206, even for all of it
        response.set_status(206)
        response.headers[hdrs.CONTENT_RANGE] = f"bytes {start}-{start + count - 1}/{size}"
    response.content_length = count
    await response.prepare(request)
    if request.method != hdrs.METH_HEAD:
        end = start + count
        while start < end:
            async with sessions() as session:
                data = await media_blobs.chunk(
                    session, sha256=sha256, start=start, length=min(CHUNK, end - start)
                )
            if not data:  # deleted meanwhile: the client sees a short body
                break
            await response.write(data)
            start += len(data)
    await response.write_eof()
    return response
