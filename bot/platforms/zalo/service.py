"""Zalo as a running service: one long-polling loop, or a webhook route on the shared web
server, and its outbox worker. Every update is stored in the inbox before it is
acknowledged (Zalo's getUpdates has no offset: a consumed update is gone), then handled.

Polling never dies of one bad answer or one bad update: a failure is logged (the first of a
run as a warning), followed by a pause doubling from 1 s up to 5 s, reset by the next good
answer. An empty poll is normal and silent, and polls that come back empty are at least half a
second apart however fast Zalo answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from bot.platforms.zalo import photos
from bot.platforms.zalo.adapter import QuotaRefused, ZaloSender, merged, to_inbound
from bot.platforms.zalo.client import ZaloClient, ZaloError, parse_update
from bot.platforms.zalo.receiver import ZaloReceiver
from bot.platforms.zalo.usage import ZaloUsage
from bot.runtime import url_photos
from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner
from bot.runtime.outbox import OutboxWorker, worker_for
from bot.web.hooks import Routes
from handlers.engine.types import Reply, Say
from storage.clock import monotonic
from storage.db import unreachable

log = logging.getLogger(__name__)
POLL_SECONDS = 30
MIN_POLL_GAP = 0.5  # seconds between the starts of two polls that brought nothing
BACKOFF_FIRST, BACKOFF_CAP = 1.0, 5.0


class ZaloService:
    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.zalo_bot_token is not None
        self.app = app
        self.client = ZaloClient(
            settings.zalo_bot_token.get_secret_value(),
            api_base=str(settings.zalo_api_base).rstrip("/"),
        )
        self.usage = ZaloUsage(app)
        base = str(settings.public_base_url) if settings.public_base_url else None
        self.sender = ZaloSender(
            self.client,
            on_sent=self.usage.count,
            on_refused=self.usage.refused,
            photo_url=photos.PhotoUrls(app.sessions, base),
        )
        self.stopping = asyncio.Event()
        self.inbox = InboxRunner(app.sessions, app.locks, "zalo", self.handle)

    def worker(self) -> OutboxWorker:
        return worker_for(self.app, self.sender)

    async def start(self, routes: Routes) -> asyncio.Task[None] | None:
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        url = self.app.settings.zalo_webhook_url
        if url is None:
            try:  # polling and a webhook cannot both be on
                await self.client.delete_webhook()
            except ZaloError as error:
                log.warning("Zalo deleteWebhook failed: %s", error)
            return asyncio.create_task(self.poll())
        receiver = ZaloReceiver(self.app.settings.zalo_webhook_secret, self.receive)
        routes.add(url.path or "/zalo", receiver)
        return None

    async def after_listening(self) -> None:
        settings = self.app.settings
        if settings.zalo_webhook_url is not None and settings.zalo_webhook_secret is not None:
            await self.client.set_webhook(
                str(settings.zalo_webhook_url), settings.zalo_webhook_secret.get_secret_value()
            )

    async def poll(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            started = monotonic()
            try:
                raw = await self._poll_until_stopped()
                if raw is not None:
                    sender = await self.keep(raw)
                    if sender is not None:
                        await self.inbox.handle_sender(sender)
            except Exception as error:  # one bad answer or update must not end polling
                failures += 1
                pause = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_CAP)
                level = logging.WARNING if failures == 1 else logging.DEBUG
                log.log(level, "Zalo polling: %s; next poll in %.0fs", _said(error), pause)
                await self._pause(pause)
                continue
            if failures:
                log.info("Zalo polling works again after %d failed poll(s)", failures)
                failures = 0
            if raw is None:  # an empty poll; Zalo may answer at once
                await self._pause(MIN_POLL_GAP - (monotonic() - started))

    async def _poll_until_stopped(self) -> Any:
        """One long poll, given up at once when the service stops (None): a stop no longer
        waits out shutdown's drain, which cancelled it anyway. An answer come first is kept."""
        poll = asyncio.ensure_future(self.client.get_updates(timeout=POLL_SECONDS))
        stopped = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            poll.cancel()  # nothing once answered
        return poll.result() if poll.done() and not poll.cancelled() else None

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)

    async def keep(self, raw: Any) -> str | None:
        """Store a polled update, waiting for the database if it is away: Zalo will not give
        a consumed update again."""
        pause = 0.5
        while True:
            try:
                return await self.store(raw)
            except Exception as error:
                if not unreachable(error):
                    raise
                log.warning("database unavailable; Zalo update held, retrying in %.1fs", pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def receive(self, raw: Any) -> web.Response:
        """A verified call (``ZaloReceiver``): stored, answered, then handled."""
        sender = await self.store(raw)
        if sender is not None:  # stored: answer now, handle after
            self.inbox.handle_later(sender)
        return web.json_response({"ok": True})

    async def store(self, raw: Any) -> str | None:
        """Keep an update in the inbox; its sender, or None for an update of an unknown shape."""
        update = parse_update(raw)
        if update is None:  # skipped for good: logged with its shape, never its content
            log.warning("Zalo update of an unknown shape skipped: %s", _shape(raw))
            return None
        sender = f"zalo:{update.user_id}"
        key = f"zalo:{update.message_id}"
        await self.inbox.store(key, raw, sender=sender, seq=update.date_ms)
        return sender

    async def handle(self, raw: dict[str, Any]) -> None:
        update = parse_update(raw)
        event = to_inbound(update) if update else None
        if event is None:
            return
        url = update.photo_url if update else None
        # Into the store before the answer: the URL may not live until publishing.
        stored = (
            await url_photos.fetch_in(self.app.sessions, self.app.fetchers["zalo"], url)
            if url
            else None
        )
        if isinstance(stored, Say):  # told at once; the flow stays where it was
            replies: list[Reply] = [Reply(stored)]
        else:
            replies = list(await self.app.core.handle(event))
            if url and stored is not None:
                await url_photos.note(self.app.sessions, "zalo", url, stored)
        for index, (chat, media, text) in enumerate(merged(replies, event.chat_id)):
            try:
                await self.sender.send_text(chat, media, text)
            except QuotaRefused:  # kept in the outbox, sent when Zalo takes messages again
                await self.usage.hold(f"held:{event.update_key}:{index}", chat, text)
            except Exception:  # the answer is stored; the member's next message re-asks
                log.exception("could not answer on Zalo")

    async def stop_listening(self) -> None:
        self.stopping.set()
        await self.inbox.wait()

    async def close(self) -> None:
        await self.client.close()


def _said(error: Exception) -> str:
    return str(error) or type(error).__name__


def _shape(raw: Any) -> str:
    """What an unreadable update looked like, without the member's words."""
    if isinstance(raw, dict):
        event = raw.get("event_name")
        return f"event {event!r}, keys {sorted(map(str, raw))[:10]}"
    return type(raw).__name__
