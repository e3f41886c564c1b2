"""Waking this process's outbox workers when a row they can send is committed, instead of at
their next look (every ``idle_sleep``, half a second): a card, a notice or a post goes out as
soon as the transaction that queued it ends. Other processes still find it at their next look,
which is what makes a row committed by another worker (or by a command-line task) go out.

``storage.outbox`` marks a transaction that made a row due; ``storage.db`` rings the bell the
session carries (``OUTBOX_BELL`` in its ``info``) when that transaction commits."""

from __future__ import annotations

import asyncio


class Doorbell:
    """One per process (``App.bell``); each outbox worker listens with an event of its own."""

    def __init__(self) -> None:
        self._listeners: list[asyncio.Event] = []

    def listener(self) -> asyncio.Event:
        event = asyncio.Event()
        self._listeners.append(event)
        return event

    def ring(self) -> None:
        for event in self._listeners:
            event.set()


async def wait_any(seconds: float, *events: asyncio.Event | None) -> None:
    """Until one of ``events`` is set, or ``seconds`` have passed."""
    waits = [asyncio.ensure_future(event.wait()) for event in events if event is not None]
    if not waits:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
