"""An uptime monitor's view of the bot: ``GET /healthz`` over HTTP, as a monitor polls it,
until it says what the test waits for."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp


async def healthz(base: str) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base}/healthz", timeout=aiohttp.ClientTimeout(total=30)) as response,
    ):
        return response.status, await response.json()


async def until_health(
    base: str, status: int, *, seconds: float = 120.0, reason: str | None = None
) -> dict[str, Any]:
    """Poll like a monitor until the answer has ``status`` (and a reason containing
    ``reason``); the body then. The server may not listen yet at first."""
    deadline = time.monotonic() + seconds
    last: object = None
    while time.monotonic() < deadline:
        try:
            got, body = await healthz(base)
        except aiohttp.ClientConnectionError as error:
            last = error
        else:
            last = (got, body)
            if got == status and (
                reason is None or any(reason in r for r in body.get("reasons", []))
            ):
                return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/healthz never answered {status} {reason or ''}: last {last!r}")
