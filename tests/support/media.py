"""Photos of stories in the media store, and a visitor fetching them, for the media tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image

from bot.runtime.app import App
from storage import media_store
from storage.clock import now
from storage.media_store import Stored
from storage.models import Media


async def attach(app: App, number: int, data: bytes, *, n: int = 0) -> Stored:
    """``data`` stored and shown on item ``number`` as its photo ``n``."""
    async with app.sessions() as session, session.begin():
        stored = await media_store.put(session, data=data)
        row = Media(
            submission_id=number,
            kind="photo",
            ref=f"P{number}-{n}",
            platform="telegram",
            source_key=f"k{number}-{n}",
        )
        session.add(row)
        await session.flush()
        at = now(session)
        await media_store.record(session, media_id=row.id or 0, stored=stored, now=at)
    return stored


def png(width: int = 40, height: int = 30) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 90, 128)).save(out, "PNG")
    return out.getvalue()


def noise_png(megabytes: float) -> bytes:
    """A valid PNG of random pixels, about ``megabytes`` big (noise does not compress)."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    out = BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        out, "PNG", compress_level=0
    )
    return out.getvalue()


async def get(url: str, **headers: str) -> tuple[int, Any, bytes]:
    """Status, headers and body of a GET."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.get(url, headers=headers) as response,
    ):
        return response.status, response.headers, await response.read()


class SlowReader:
    """A visitor on a slow line: asks for ``path`` from ``source`` (any 127.x address is this
    machine), reads the status line and a little, then stops reading until closed."""

    def __init__(
        self, port: int, path: str, source: str = "127.0.0.1", forwarded_for: str = ""
    ) -> None:
        self.port, self.path, self.source = port, path, source
        self.forwarded = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
        self.writer: asyncio.StreamWriter | None = None
        self.status = 0

    async def start(self, first: int = 64 * 1024) -> int:
        reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, local_addr=(self.source, 0), limit=first
        )
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a narrow pipe
        ask = f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.forwarded}\r\n"
        self.writer.write(ask.encode())
        await self.writer.drain()
        self.status = int((await reader.readline()).split()[1])
        await reader.read(first)
        return self.status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


def resident_mb(pid: int) -> float:
    """A process's resident memory, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")
