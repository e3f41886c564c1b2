"""Zalo as a running service: one long-polling loop, or a webhook route on the shared web
server, and its outbox worker. Every update is stored in the inbox before it is
acknowledged (Zalo's getUpdates has no offset: a consumed update is gone), then handled."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.platforms.zalo.adapter import ZaloSender, to_inbound
from bot.platforms.zalo.client import ZaloClient, ZaloError, parse_update
from bot.runtime.app import App
from bot.runtime.inbox import InboxRunner, webhook_body
from bot.runtime.outbox import OutboxWorker
from handlers.desk import outbound
from storage.db import unreachable

log = logging.getLogger(__name__)
POLL_SECONDS = 30
SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloService:
    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.zalo_bot_token is not None
        self.app = app
        self.client = ZaloClient(
            settings.zalo_bot_token.get_secret_value(),
            api_base=str(settings.zalo_api_base).rstrip("/"),
        )
        self.sender = ZaloSender(self.client)
        self.stopping = asyncio.Event()
        self.inbox = InboxRunner(app.sessions, app.locks, "zalo", self.handle)

    def worker(self) -> OutboxWorker:
        return OutboxWorker(
            self.app.sessions,
            self.app.core.deps,
            self.sender,
            compose=outbound.compose,
            after_sent=outbound.after_sent,
            after_problem=outbound.after_problem,
            lease=timedelta(seconds=self.app.settings.outbox_lease_seconds),
        )

    async def start(self, web_app: web.Application | None) -> asyncio.Task[None] | None:
        await self.inbox.sweep(everything=True)  # what a crash left stored but unhandled
        url = self.app.settings.zalo_webhook_url
        if url is None:
            try:  # polling and a webhook cannot both be on
                await self.client.delete_webhook()
            except ZaloError as error:
                log.warning("Zalo deleteWebhook failed: %s", error)
            return asyncio.create_task(self.poll())
        assert web_app is not None
        web_app.router.add_post(url.path or "/zalo", self.webhook)
        return None

    async def after_listening(self) -> None:
        settings = self.app.settings
        if settings.zalo_webhook_url is not None and settings.zalo_webhook_secret is not None:
            await self.client.set_webhook(
                str(settings.zalo_webhook_url), settings.zalo_webhook_secret.get_secret_value()
            )

    async def poll(self) -> None:
        pause = 1.0
        while not self.stopping.is_set():
            try:
                raw = await self.client.get_updates(timeout=POLL_SECONDS)
            except (ZaloError, OSError) as error:
                log.warning("Zalo getUpdates failed: %s; retrying in %.0fs", error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            if raw is not None:
                sender = await self.keep(raw)
                if sender is not None:
                    await self.inbox.handle_sender(sender)

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

    async def webhook(self, request: web.Request) -> web.Response:
        raw = await webhook_body(request, SECRET_HEADER, self.app.settings.zalo_webhook_secret)
        sender = await self.store(raw)
        if sender is not None:  # stored: answer now, handle after
            self.inbox.handle_later(sender)
        return web.json_response({"ok": True})

    async def store(self, raw: Any) -> str | None:
        """Keep an update in the inbox; its sender, or None for an update of an unknown shape."""
        update = parse_update(raw)
        if update is None:
            log.info("Zalo update of an unknown shape ignored")
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
        for reply in await self.app.core.handle(event):
            try:
                await self.sender.send(reply.chat_id or event.chat_id, reply, kind="reply")
            except Exception:  # the answer is stored; the member's next message re-asks
                log.exception("could not answer on Zalo")

    async def stop_listening(self) -> None:
        self.stopping.set()
        await self.inbox.wait()

    async def close(self) -> None:
        await self.client.close()
